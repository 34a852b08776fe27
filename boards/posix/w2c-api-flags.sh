#!/bin/sh
# Prints the -D flags that tell engine_wasm2c.c which API this wasm2c
# generated (WABT renamed its functions between releases): used by the POSIX
# and the emulated board's Makefiles. (host/firmware/wasm2c-sources.ts makes
# the same choice for the ESP32 build, where no shell runs.)
#   w2c-api-flags.sh OBJ/edgeprop.h > OBJ/w2c-api.flags
set -e
h=$1
if grep -q 'wasm2c_edgeprop_instantiate' "$h"; then echo -DEP_W2C_API=2; else echo -DEP_W2C_API=1; fi
if grep -Eq '^void (Z_edgepropZ_boot|w2c_edgeprop_boot)\(' "$h"; then echo -DEP_W2C_BOOT_VOID; fi
if grep -Eq '(Z_edgepropZ|w2c_edgeprop)_add_busy_time\(' "$h"; then echo -DEP_W2C_HAS_BUSY; fi
# The direct exports the training API uses (boards/common/engine_direct.h); a test module may lack them.
if grep -Eq '(Z_edgepropZ|w2c_edgeprop)_train_chunk\(' "$h"; then echo -DEP_W2C_HAS_DIRECT; fi
