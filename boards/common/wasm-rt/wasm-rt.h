/* edgeprop's own runtime for the module translated to C by wasm2c (WABT
 * 1.0.32's output, `wasm2c -n edgeprop`): the declarations the generated
 * edgeprop.c and edgeprop.h use, written here for a module with one fixed
 * memory, no tables it calls through, no exceptions, no memory.grow.
 *
 * The memory's loads and stores are not wasm2c's (memcpy per access, a 64-bit
 * bounds check, an asm that forces every value through an integer register):
 * adapt-wasm2c.mjs replaces them in the generated C with ep-wasm-memory.h. */
#ifndef EP_WASM_RT_H
#define EP_WASM_RT_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define wasm_rt_memcpy __builtin_memcpy
#define WASM_RT_NO_RETURN __attribute__((noreturn))
#else
#define UNLIKELY(x) (x)
#define LIKELY(x) (x)
#define wasm_rt_memcpy memcpy
#define WASM_RT_NO_RETURN
#endif

/* No guard pages, no signal handler: every access goes through
 * ep-wasm-memory.h, which keeps it inside the memory and the small guard
 * allocated after it (ep_wasm_allocate_memory). */
#define WASM_RT_MEMCHECK_SIGNAL_HANDLER 0
/* Calls are counted (a trap instead of a blown C stack on runaway recursion). */
#ifndef WASM_RT_USE_STACK_DEPTH_COUNT
#define WASM_RT_USE_STACK_DEPTH_COUNT 1
#endif
#ifndef WASM_RT_MAX_CALL_STACK_DEPTH
#define WASM_RT_MAX_CALL_STACK_DEPTH 500
#endif
#if WASM_RT_USE_STACK_DEPTH_COUNT
extern uint32_t wasm_rt_call_stack_depth;
#endif

typedef enum {
  WASM_RT_TRAP_NONE,
  WASM_RT_TRAP_OOB,
  WASM_RT_TRAP_INT_OVERFLOW,
  WASM_RT_TRAP_DIV_BY_ZERO,
  WASM_RT_TRAP_INVALID_CONVERSION,
  WASM_RT_TRAP_UNREACHABLE,
  WASM_RT_TRAP_CALL_INDIRECT,
  WASM_RT_TRAP_UNCAUGHT_EXCEPTION,
  WASM_RT_TRAP_EXHAUSTION,
} wasm_rt_trap_t;

typedef enum { WASM_RT_I32, WASM_RT_I64, WASM_RT_F32, WASM_RT_F64, WASM_RT_FUNCREF, WASM_RT_EXTERNREF } wasm_rt_type_t;

typedef void (*wasm_rt_function_ptr_t)(void);
typedef struct {
  uint32_t func_type;
  wasm_rt_function_ptr_t func;
  void *module_instance;
} wasm_rt_funcref_t;
static const wasm_rt_funcref_t wasm_rt_funcref_null_value = {0, NULL, NULL};
typedef void *wasm_rt_externref_t;
static const wasm_rt_externref_t wasm_rt_externref_null_value = NULL;

typedef struct {
  uint8_t *data;
  uint32_t pages, max_pages;
  /* Bytes: pages x 64 KiB. */
  uint32_t size;
} wasm_rt_memory_t;

typedef struct {
  wasm_rt_funcref_t *data;
  uint32_t max_size, size;
} wasm_rt_funcref_table_t;
typedef struct {
  wasm_rt_externref_t *data;
  uint32_t max_size, size;
} wasm_rt_externref_table_t;

void wasm_rt_init(void);
bool wasm_rt_is_initialized(void);
void wasm_rt_free(void);
WASM_RT_NO_RETURN void wasm_rt_trap(wasm_rt_trap_t trap);
const char *wasm_rt_strerror(wasm_rt_trap_t trap);
uint32_t wasm_rt_register_func_type(uint32_t params, uint32_t results, ...);
/* The memory: allocated once, its size fixed (initial_pages must equal
 * max_pages) and, on the board, a power of two (ep-wasm-memory.h). The
 * adapted module calls ep_wasm_allocate_memory instead (with its guard). */
void wasm_rt_allocate_memory(wasm_rt_memory_t *, uint32_t initial_pages, uint32_t max_pages);
uint32_t wasm_rt_grow_memory(wasm_rt_memory_t *, uint32_t pages);
void wasm_rt_free_memory(wasm_rt_memory_t *);

#ifdef __cplusplus
}
#endif

#endif
