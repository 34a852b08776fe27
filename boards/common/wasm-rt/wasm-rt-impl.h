/* How the firmware calls into the module and catches a trap:
 *   wasm_rt_trap_t code = wasm_rt_impl_try();
 *   if (code != WASM_RT_TRAP_NONE) { ...trapped... } else { ...call... }
 * wasm_rt_trap() longjmps back here with the trap's code. */
#ifndef EP_WASM_RT_IMPL_H
#define EP_WASM_RT_IMPL_H

#include <setjmp.h>

#include "wasm-rt.h"

#ifdef __cplusplus
extern "C" {
#endif

extern jmp_buf wasm_rt_jmp_buf;

#if WASM_RT_USE_STACK_DEPTH_COUNT
/* A trap leaves the depth where it was: every try starts from zero (the
 * firmware never calls the module from inside the module). */
#define EP_WASM_RT_RESET_DEPTH() (wasm_rt_call_stack_depth = 0)
#else
#define EP_WASM_RT_RESET_DEPTH() ((void)0)
#endif

#define wasm_rt_impl_try() (EP_WASM_RT_RESET_DEPTH(), (wasm_rt_trap_t)setjmp(wasm_rt_jmp_buf))

#ifdef __cplusplus
}
#endif

#endif
