# The wasm2c engine of an emulated board (boards/qemu, boards/xtensa): the
# module translated by wasm2c, adapted to edgeprop's own wasm-rt (aligned
# loads and stores without a bounds check per access, the base masked into
# the module's memory, a power of two: the profile's pages x 64 KiB, and the
# static offset added after, inside the guard the runtime allocates), and
# compiled with boards/posix/engine_wasm2c.c.
#
# The including Makefile sets: OBJ, WASM, PAGES, BASE (compiler flags), WARN,
# FW_FLAGS, HEADERS, COMMON, POSIX, CC, and ENGINE_INNER (the header that
# renames the engine's entry points for the counting wrapper). It gets
# ENGINE_OBJ.

WASM2C ?= wasm2c
WASM_RT := $(COMMON)/wasm-rt
MEMORY_BYTES := $(shell echo $$(($(PAGES) * 65536)))
GEN_FLAGS := $(BASE) -I$(OBJ) -I$(WASM_RT) -DEP_WASM_MEMORY_BYTES=$(MEMORY_BYTES)u -Wno-unused
RT_HEADERS := $(WASM_RT)/wasm-rt.h $(WASM_RT)/wasm-rt-impl.h $(WASM_RT)/ep-wasm-memory.h

$(OBJ)/edgeprop.c $(OBJ)/edgeprop.h: $(WASM) $(WASM_RT)/adapt-wasm2c.mjs | $(OBJ)
	$(WASM2C) $(WASM) -n edgeprop -o $(OBJ)/edgeprop.c
	node $(WASM_RT)/adapt-wasm2c.mjs $(OBJ)/edgeprop.c

# Which API this wasm2c generated (boards/posix/engine_wasm2c.c reads these).
$(OBJ)/w2c-api.flags: $(OBJ)/edgeprop.h $(POSIX)/w2c-api-flags.sh
	sh $(POSIX)/w2c-api-flags.sh $< > $@

# Generated code: not ours, so no -Werror there.
$(OBJ)/edgeprop.o: $(OBJ)/edgeprop.c $(RT_HEADERS)
	$(CC) $(GEN_FLAGS) -c $< -o $@
$(OBJ)/wasm-rt-impl.o: $(WASM_RT)/wasm-rt-impl.c $(RT_HEADERS) | $(OBJ)
	$(CC) $(BASE) $(WARN) -I$(WASM_RT) -DEP_WASM_MEMORY_BYTES=$(MEMORY_BYTES)u -c $< -o $@
$(OBJ)/engine.o: $(POSIX)/engine_wasm2c.c $(OBJ)/edgeprop.h $(OBJ)/w2c-api.flags $(RT_HEADERS) $(HEADERS)
	$(CC) -I$(OBJ) $(FW_FLAGS) $$(cat $(OBJ)/w2c-api.flags) -I$(WASM_RT) \
	  -include $(ENGINE_INNER) -c $< -o $@
ENGINE_OBJ := $(OBJ)/engine.o $(OBJ)/edgeprop.o $(OBJ)/wasm-rt-impl.o
