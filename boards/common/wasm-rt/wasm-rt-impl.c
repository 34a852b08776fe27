/* edgeprop's runtime for the wasm2c-translated module (see wasm-rt.h): traps
 * by longjmp to the caller's wasm_rt_impl_try(), the one fixed memory, and
 * the function-type registry the generated code fills at init. */
#include "wasm-rt-impl.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ep-wasm-memory.h"

jmp_buf wasm_rt_jmp_buf;
#if WASM_RT_USE_STACK_DEPTH_COUNT
uint32_t wasm_rt_call_stack_depth;
#endif
static bool g_initialized;

void wasm_rt_init(void) { g_initialized = true; }
bool wasm_rt_is_initialized(void) { return g_initialized; }
void wasm_rt_free(void) { g_initialized = false; }

void wasm_rt_trap(wasm_rt_trap_t trap) {
  /* setjmp's 0 means "no trap": every trap code is >= 1. */
  longjmp(wasm_rt_jmp_buf, trap == WASM_RT_TRAP_NONE ? (int)WASM_RT_TRAP_UNREACHABLE : (int)trap);
}

const char *wasm_rt_strerror(wasm_rt_trap_t trap) {
  switch (trap) {
    case WASM_RT_TRAP_NONE: return "No error";
    case WASM_RT_TRAP_OOB: return "Out-of-bounds access in linear memory or a table";
    case WASM_RT_TRAP_INT_OVERFLOW: return "Integer overflow on divide or truncation";
    case WASM_RT_TRAP_DIV_BY_ZERO: return "Integer divide by zero";
    case WASM_RT_TRAP_INVALID_CONVERSION: return "Conversion from NaN to integer";
    case WASM_RT_TRAP_UNREACHABLE: return "Unreachable instruction executed";
    case WASM_RT_TRAP_CALL_INDIRECT: return "Invalid call_indirect";
    case WASM_RT_TRAP_UNCAUGHT_EXCEPTION: return "Uncaught exception";
    case WASM_RT_TRAP_EXHAUSTION: return "Call stack exhausted";
  }
  return "invalid trap code";
}

/* Function types, deduplicated (equal signatures get equal indices, as
 * call_indirect's check needs). The module has a few dozen functions and
 * takes few parameters; more than fits is a build that cannot run. */
enum { MAX_TYPES = 64, MAX_VALUES = 16 };
static struct { uint32_t params, results; uint8_t types[MAX_VALUES]; } g_types[MAX_TYPES];
static uint32_t g_type_count;

uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...) {
  uint8_t types[MAX_VALUES];
  uint32_t i, n = params + results;
  va_list ap;
  if (n > MAX_VALUES) wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);
  va_start(ap, results);
  for (i = 0; i < n; i++) types[i] = (uint8_t)va_arg(ap, int);
  va_end(ap);
  for (i = 0; i < g_type_count; i++) {
    if (g_types[i].params == params && g_types[i].results == results && memcmp(g_types[i].types, types, n) == 0) return i;
  }
  if (g_type_count == MAX_TYPES) wasm_rt_trap(WASM_RT_TRAP_EXHAUSTION);
  g_types[g_type_count].params = params;
  g_types[g_type_count].results = results;
  memcpy(g_types[g_type_count].types, types, n);
  return g_type_count++;
}

uint32_t ep_wasm_memory_refused_bytes;

void wasm_rt_allocate_memory(wasm_rt_memory_t *mem, uint32_t initial_pages, uint32_t max_pages) {
  ep_wasm_allocate_memory(mem, initial_pages, max_pages, 0);
}

/* The guard (adapt-wasm2c.mjs: the module's largest static offset + 8) is
 * where a base masked into the memory plus that offset can reach; it is
 * never part of mem->size (memory.size, the checked build's bound). */
void ep_wasm_allocate_memory(wasm_rt_memory_t *mem, uint32_t initial_pages, uint32_t max_pages, uint32_t guard_bytes) {
  uint32_t bytes = initial_pages * EP_WASM_PAGE_BYTES;
  mem->data = NULL;
  mem->pages = mem->max_pages = mem->size = 0;
  /* The memory never grows, and (board builds) is the size the loads and
   * stores mask to: anything else is a module built for another profile. */
  if (initial_pages != max_pages || initial_pages > 0x8000u || guard_bytes > EP_WASM_PAGE_BYTES) ep_wasm_memory_mismatch(initial_pages, max_pages);
#ifdef EP_WASM_MEMORY_BYTES
  if (bytes != EP_WASM_MEMORY_BYTES) ep_wasm_memory_mismatch(initial_pages, max_pages);
#endif
  mem->data = (uint8_t *)calloc(1, bytes + guard_bytes);
  /* Does not fit: a trap the engine's load catches and reports (with the
   * bytes asked for, the guard included), never a write through NULL. */
  ep_wasm_memory_refused_bytes = mem->data == NULL ? bytes + guard_bytes : 0u;
  if (mem->data == NULL) wasm_rt_trap(WASM_RT_TRAP_OOB);
  /* Naturally aligned accesses need a base aligned to the widest (8 bytes). */
  if (((uintptr_t)mem->data & 7u) != 0) wasm_rt_trap(WASM_RT_TRAP_OOB);
  mem->pages = mem->max_pages = initial_pages;
  mem->size = bytes;
#ifdef EP_WASM_CHECKED
  ep_wasm_checked_limit = bytes;
#endif
}

uint32_t wasm_rt_grow_memory(wasm_rt_memory_t *mem, uint32_t pages) {
  (void)mem;
  (void)pages;
  return UINT32_MAX;
}

void wasm_rt_free_memory(wasm_rt_memory_t *mem) {
  free(mem->data);
  mem->data = NULL;
  mem->pages = mem->max_pages = mem->size = 0;
}

#ifdef EP_WASM_CHECKED
#include <stdio.h>

uint32_t ep_wasm_checked_limit;

void ep_wasm_set_checked_limit(uint32_t bytes) {
  ep_wasm_checked_limit = bytes;
}

void ep_wasm_checked_fail(uint64_t addr, uint32_t bytes, const char *what) {
  fprintf(stderr, "edgeprop wasm-rt (checked): %s of %u bytes at %llu is %s (limit %u)\n", what, (unsigned)bytes,
          (unsigned long long)addr, addr % bytes != 0 ? "misaligned" : "outside the plan", (unsigned)ep_wasm_checked_limit);
  abort();
}
#endif

void ep_wasm_memory_mismatch(uint32_t initial_pages, uint32_t max_pages) {
#ifdef EP_WASM_CHECKED
  fprintf(stderr, "edgeprop wasm-rt: the module's memory (%u..%u pages) is not the build's\n", (unsigned)initial_pages, (unsigned)max_pages);
  abort();
#else
  (void)initial_pages;
  (void)max_pages;
  wasm_rt_trap(WASM_RT_TRAP_OOB);
#endif
}
