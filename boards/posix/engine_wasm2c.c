/* The engine interface (engine.h) over the module translated to C by wasm2c.
 * The Makefile generates obj/edgeprop.{c,h} with `wasm2c -n edgeprop` and
 * tells us which generated API it produced:
 *   EP_W2C_API=1  wabt 1.0.32 style: Z_edgeprop_instance_t, Z_edgepropZ_<export>
 *   EP_W2C_API=2  newer wabt:         w2c_edgeprop, w2c_edgeprop_<export>
 *   EP_W2C_BOOT_VOID  boot() returns nothing (placeholder protocol)
 *   EP_W2C_HAS_BUSY   the module exports add_busy_time
 *   EP_W2C_HAS_DIRECT the module has the direct exports (engine_direct.h)
 * Traps come back through wasm_rt_impl_try() (setjmp/longjmp; out-of-bounds
 * accesses are caught by wasm-rt-impl's guard-page signal handler). */
#define _POSIX_C_SOURCE 200809L /* sigsetjmp in wasm-rt-impl.h */

#include "engine.h"
#include "engine_direct.h"

#include <stdio.h>
#include <string.h>

/* The generated module header: its directory must come before boards/common
 * on the include path (boards/common/edgeprop.h is the training API). */
#include "edgeprop.h"
#ifndef EDGEPROP_H_GENERATED_
#error "edgeprop.h here must be wasm2c's generated header: put its directory before boards/common in -I"
#endif
#include "wasm-rt-impl.h"
#ifdef EP_WASM_CHECKED
/* edgeprop's wasm-rt in its checked mode (boards/common/wasm-rt): every
 * access must stay below the memory limit the firmware gives boot(). */
#include "ep-wasm-memory.h"
#endif
#ifdef EP_WASM_RT_H /* edgeprop's own wasm-rt (boards/common/wasm-rt), not WABT's */
/* ep-wasm-memory.h: the bytes of the module's memory that could not be allocated. */
extern uint32_t ep_wasm_memory_refused_bytes;
#define EP_REFUSED_BYTES() ep_wasm_memory_refused_bytes
#else
#define EP_REFUSED_BYTES() 0u /* WABT's wasm-rt: it ends the process itself when its memory cannot be mapped */
#endif

#if EP_W2C_API == 2
typedef w2c_edgeprop ep_instance;
#define EP_EXPORT(name) w2c_edgeprop_##name
#define EP_INSTANTIATE(i) wasm2c_edgeprop_instantiate(i)
#define EP_INIT_MODULE() ((void)0)
#define EP_FREE(i) wasm2c_edgeprop_free(i)
#else
typedef Z_edgeprop_instance_t ep_instance;
#define EP_EXPORT(name) Z_edgepropZ_##name
#define EP_INSTANTIATE(i) Z_edgeprop_instantiate(i)
#define EP_INIT_MODULE() Z_edgeprop_init_module()
#define EP_FREE(i) Z_edgeprop_free(i)
#endif

static ep_instance g_inst;
static int g_loaded;
static char g_error[192] = "engine not loaded";

const char *ep_engine_name(void) { return "wasm2c"; }
const char *ep_engine_error(void) { return g_error; }

static int trapped(wasm_rt_trap_t code) {
  snprintf(g_error, sizeof g_error, "[trap] %s", wasm_rt_strerror(code));
  return -1;
}

/* A board that can say how much heap is left (the emulated boards' heap.c);
 * absent elsewhere. */
uint32_t ep_board_heap_free_bytes(void) __attribute__((weak));

/* Instantiation trapped: the module's memory did not fit (with the numbers),
 * or another trap. Nothing is loaded. */
static int load_failed(wasm_rt_trap_t code) {
  uint32_t refused = EP_REFUSED_BYTES();
  g_loaded = 0;
  if (refused == 0) return trapped(code);
  if (ep_board_heap_free_bytes) {
    snprintf(g_error, sizeof g_error, "the module's memory (%lu bytes) does not fit: the heap has %lu bytes free",
             (unsigned long)refused, (unsigned long)ep_board_heap_free_bytes());
  } else {
    snprintf(g_error, sizeof g_error, "the module's memory (%lu bytes) could not be allocated", (unsigned long)refused);
  }
  return -1;
}

int ep_engine_load(const ep_engine_config *cfg) {
  wasm_rt_trap_t code;
  (void)cfg; /* module compiled in; memory as declared (see engine.h) */
  wasm_rt_init();
  /* Allocation failures trap (wasm-rt-impl.c): caught here, not a fault. */
  code = wasm_rt_impl_try();
  if (code != WASM_RT_TRAP_NONE) return load_failed(code);
  EP_INIT_MODULE();
  EP_INSTANTIATE(&g_inst);
  g_loaded = 1;
  g_error[0] = 0;
  return 0;
}

int ep_engine_reload(void) {
  if (!g_loaded) {
    snprintf(g_error, sizeof g_error, "reload before load");
    return -1;
  }
  /* Frees the old memory (and its guard pages) before mapping a new one, so
   * a board reloading many times does not grow. */
  EP_FREE(&g_inst);
  memset(&g_inst, 0, sizeof g_inst);
  {
    wasm_rt_trap_t code = wasm_rt_impl_try();
    if (code != WASM_RT_TRAP_NONE) return load_failed(code);
  }
  EP_INSTANTIATE(&g_inst);
  g_error[0] = 0;
  return 0;
}

uint8_t *ep_engine_memory(uint32_t *size) {
  wasm_rt_memory_t *m;
  if (!g_loaded) {
    *size = 0;
    return NULL;
  }
  m = EP_EXPORT(memory)(&g_inst);
  *size = (uint32_t)m->size;
  return m->data;
}

/* Runs `expr` (which assigns *out) under a trap handler. */
#define EP_GUARDED(expr)                                   \
  do {                                                     \
    wasm_rt_trap_t code_ = wasm_rt_impl_try();             \
    if (code_ != WASM_RT_TRAP_NONE) return trapped(code_); \
    expr;                                                  \
    return 0;                                              \
  } while (0)

int ep_engine_boot(uint32_t boot_id, int32_t memory_limit, int32_t *out) {
  *out = 0;
#ifdef EP_WASM_CHECKED
  {
    /* The module's own rule (assembly/network.ts setMemoryLimit). */
    uint32_t size = (uint32_t)EP_EXPORT(memory)(&g_inst)->size;
    ep_wasm_set_checked_limit(memory_limit > 0 && (uint32_t)memory_limit < size ? (uint32_t)memory_limit : size);
  }
#endif
#ifdef EP_W2C_BOOT_VOID
  EP_GUARDED(EP_EXPORT(boot)(&g_inst, boot_id, (u32)memory_limit));
#else
  EP_GUARDED(*out = (int32_t)EP_EXPORT(boot)(&g_inst, boot_id, (u32)memory_limit));
#endif
}

int ep_engine_rx(int32_t n, int32_t *out) {
  EP_GUARDED(*out = (int32_t)EP_EXPORT(rx)(&g_inst, (u32)n));
}

int ep_engine_rx_buffer(int32_t *out) { EP_GUARDED(*out = (int32_t)EP_EXPORT(rx_buffer)(&g_inst)); }
int ep_engine_rx_capacity(int32_t *out) { EP_GUARDED(*out = (int32_t)EP_EXPORT(rx_capacity)(&g_inst)); }
int ep_engine_tx_buffer(int32_t *out) { EP_GUARDED(*out = (int32_t)EP_EXPORT(tx_buffer)(&g_inst)); }

int ep_engine_add_busy_time(uint32_t micros) {
#ifdef EP_W2C_HAS_BUSY
  EP_GUARDED(EP_EXPORT(add_busy_time)(&g_inst, micros));
#else
  (void)micros;
  return 1;
#endif
}

/* ---- the direct link (engine_direct.h) ---------------------------------- */

#ifndef EP_W2C_HAS_DIRECT
/* A module without them (a test probe): every direct call says so. */
static int no_direct(void) {
  snprintf(g_error, sizeof g_error, "this module has no direct exports (config_ptr, train_chunk, ...)");
  return -1;
}
int ep_engine_direct(ep_direct which, int32_t a, int32_t b, int32_t *out) {
  (void)which, (void)a, (void)b;
  *out = 0;
  return no_direct();
}
int ep_engine_direct_f64(ep_direct_f64 which, double arg, double *out) {
  (void)which, (void)arg;
  *out = 0;
  return no_direct();
}
int ep_engine_direct_store_train(uint32_t first, uint32_t rows, uint32_t epoch, int start_epoch, int shuffle,
                                 int32_t *status) {
  (void)first, (void)rows, (void)epoch, (void)start_epoch, (void)shuffle;
  *status = 0;
  return no_direct();
}
#else
int ep_engine_direct(ep_direct which, int32_t a, int32_t b, int32_t *out) {
  *out = 0;
  if (!g_loaded) {
    snprintf(g_error, sizeof g_error, "engine not loaded");
    return -1;
  }
  switch (which) {
    case EP_DIRECT_CONFIG_PTR: EP_GUARDED(*out = (int32_t)EP_EXPORT(config_ptr)(&g_inst));
    case EP_DIRECT_CONFIGURE: EP_GUARDED(*out = (int32_t)EP_EXPORT(configure)(&g_inst));
    case EP_DIRECT_CONFIG_DETAIL: EP_GUARDED(*out = (int32_t)EP_EXPORT(config_detail)(&g_inst));
    case EP_DIRECT_IS_CONFIGURED: EP_GUARDED(*out = (int32_t)EP_EXPORT(is_configured)(&g_inst));
    case EP_DIRECT_PLAN_TOTAL: EP_GUARDED(*out = (int32_t)EP_EXPORT(plan_total)(&g_inst));
    case EP_DIRECT_MEMORY_LIMIT: EP_GUARDED(*out = (int32_t)EP_EXPORT(memory_limit)(&g_inst));
    case EP_DIRECT_PARAMS_PTR: EP_GUARDED(*out = (int32_t)EP_EXPORT(params_ptr)(&g_inst));
    case EP_DIRECT_PARAM_COUNT: EP_GUARDED(*out = (int32_t)EP_EXPORT(param_count)(&g_inst));
    case EP_DIRECT_OPTIMIZER_STATE_PTR: EP_GUARDED(*out = (int32_t)EP_EXPORT(optimizer_state_ptr)(&g_inst));
    case EP_DIRECT_OPTIMIZER_STATE_BYTES: EP_GUARDED(*out = (int32_t)EP_EXPORT(optimizer_state_bytes)(&g_inst));
    case EP_DIRECT_STEP_COUNT: EP_GUARDED(*out = (int32_t)EP_EXPORT(step_count)(&g_inst));
    case EP_DIRECT_SET_STEP_COUNT: EP_GUARDED(EP_EXPORT(set_step_count)(&g_inst, (u32)a));
    case EP_DIRECT_INPUT_PTR: EP_GUARDED(*out = (int32_t)EP_EXPORT(input_ptr)(&g_inst));
    case EP_DIRECT_TARGET_PTR: EP_GUARDED(*out = (int32_t)EP_EXPORT(target_ptr)(&g_inst));
    case EP_DIRECT_OUTPUT_PTR: EP_GUARDED(*out = (int32_t)EP_EXPORT(output_ptr)(&g_inst));
    case EP_DIRECT_TRAIN_CHUNK: EP_GUARDED(*out = (int32_t)EP_EXPORT(train_chunk)(&g_inst, (u32)a, (u32)b));
    case EP_DIRECT_EVAL_CHUNK: EP_GUARDED(*out = (int32_t)EP_EXPORT(eval_chunk)(&g_inst, (u32)a, (u32)b));
    case EP_DIRECT_STORE_CAPACITY: EP_GUARDED(*out = (int32_t)EP_EXPORT(store_capacity)(&g_inst));
    case EP_DIRECT_STORE_HELD: EP_GUARDED(*out = (int32_t)EP_EXPORT(store_held)(&g_inst));
    case EP_DIRECT_STORE_CLEAR: EP_GUARDED(EP_EXPORT(store_clear)(&g_inst));
    case EP_DIRECT_STORE_ROW_PTR: EP_GUARDED(*out = (int32_t)EP_EXPORT(store_row_ptr)(&g_inst));
    case EP_DIRECT_STORE_COMMIT_ROW: EP_GUARDED(EP_EXPORT(store_commit_row)(&g_inst));
    case EP_DIRECT_STORE_ROW_AT: EP_GUARDED(*out = (int32_t)EP_EXPORT(store_row_at)(&g_inst, (u32)a));
    case EP_DIRECT_STORE_DETAIL: EP_GUARDED(*out = (int32_t)EP_EXPORT(store_detail)(&g_inst));
    case EP_DIRECT_INPUT_STATS_PTR: EP_GUARDED(*out = (int32_t)EP_EXPORT(input_stats_ptr)(&g_inst));
    case EP_DIRECT_INPUT_STATS_COUNT: EP_GUARDED(*out = (int32_t)EP_EXPORT(input_stats_count)(&g_inst));
    case EP_DIRECT_HOST_MODEL_WRITES: EP_GUARDED(*out = (int32_t)EP_EXPORT(host_model_writes)(&g_inst));
    default: break;
  }
  snprintf(g_error, sizeof g_error, "no direct export %d", (int)which);
  return -1;
}

int ep_engine_direct_f64(ep_direct_f64 which, double arg, double *out) {
  *out = 0;
  if (!g_loaded) {
    snprintf(g_error, sizeof g_error, "engine not loaded");
    return -1;
  }
  switch (which) {
    case EP_DIRECT_GET_LR: EP_GUARDED(*out = EP_EXPORT(get_lr)(&g_inst));
    case EP_DIRECT_SET_LR: EP_GUARDED(EP_EXPORT(set_lr)(&g_inst, arg));
    case EP_DIRECT_LOSS_SUM: EP_GUARDED(*out = EP_EXPORT(loss_sum)(&g_inst));
    case EP_DIRECT_STORE_LOSS_SUM: EP_GUARDED(*out = EP_EXPORT(store_loss_sum)(&g_inst));
    default: break;
  }
  snprintf(g_error, sizeof g_error, "no direct f64 export %d", (int)which);
  return -1;
}

int ep_engine_direct_store_train(uint32_t first, uint32_t rows, uint32_t epoch, int start_epoch, int shuffle,
                                 int32_t *status) {
  *status = 0;
  if (!g_loaded) {
    snprintf(g_error, sizeof g_error, "engine not loaded");
    return -1;
  }
  EP_GUARDED(*status = (int32_t)EP_EXPORT(store_train)(&g_inst, first, rows, epoch, (u32)(start_epoch != 0),
                                                   (u32)(shuffle != 0), 0u, 0u));
}
#endif
