/* The engine interface (engine.h) over wasm3, for the boards and POSIX.
 * Works with wasm3 v0.5.0 (the PlatformIO/Arduino library) and current master.
 *
 * Needs wasm3's internal m3_env.h for runtime->memoryLimit. M3Runtime's layout
 * follows wasm3's build flags (it starts with an M3Compilation whose size
 * follows d_m3MaxFunctionStackHeight), so this file must be compiled with the
 * same d_m3* flags as the library. ep_engine_load checks that it was (through
 * a field it can read both ways) and that the memory limit took, and refuses
 * to run otherwise.
 *
 * The whole module is compiled at load (m3_CompileModule): a function that
 * wasm3 cannot compile (a failed code-page allocation, the stack-height
 * limit) is then a clean load failure. Left to wasm3's lazy compile, the
 * failure would happen inside a call, after op_Compile has already rewritten
 * the call site to op_Call, and the next pass through that site would jump
 * into the function struct (a crash; a Guru Meditation reset on an ESP32).
 * It also allocates every code page up front, so the board's RAM use is
 * known once it has booted. */
#include "engine.h"
#include "engine_direct.h"

#include <stdio.h>
#include <string.h>

#include "engine_wasm3.h"
#include "hal.h"
#include "wasm3.h"
#include "m3_env.h"

/* m3_Yield runs on every wasm function call; the HAL is asked to feed the
 * watchdog on one call in this many (it rate-limits by time itself). Measured
 * on a PC (16-496-496-4 SGD, chunk 8, wasm3 v0.5.0): the longest stretch
 * between feeds is 93 ms with 1 call per feed, 114 ms with 64, 536 ms with
 * 1024; the module's inner loops make no calls, so below ~64 nothing is
 * gained. */
#ifndef EP_WASM3_CALLS_PER_FEED
#define EP_WASM3_CALLS_PER_FEED 32u
#endif

static IM3Environment g_env;
static IM3Runtime g_rt;
static ep_engine_config g_cfg;
static IM3Function g_boot, g_rx, g_rx_buffer, g_rx_capacity, g_tx_buffer, g_busy;
static char g_error[192] = "engine not loaded";
static uint32_t g_calls_since_feed;

/* A marker passed as the runtime's userdata: the library returns it through
 * m3_GetUserData (its own layout); reading it through ours checks that the
 * two layouts agree before anything is written into the struct. */
static const char g_layout_marker[] = "edgeprop";

const char *ep_engine_name(void) { return "wasm3"; }
const char *ep_engine_error(void) { return g_error; }

/* Overrides wasm3's weak m3_Yield (source/m3_core.c: `M3_WEAK M3Result
 * m3_Yield ()`, the same in v0.5.0 and master), which wasm3 calls on every
 * wasm function call: long module calls feed the watchdog from inside. */
M3Result m3_Yield(void) {
  if (++g_calls_since_feed >= EP_WASM3_CALLS_PER_FEED) {
    g_calls_since_feed = 0;
    ep_hal_feed_watchdog();
  }
  return m3Err_none;
}

/* Overridable (weak) by a port that wants to place wasm3's allocations: the
 * engine calls it with EP_WASM3_PLACE_INTERNAL before allocating the runtime,
 * value stack and code pages, with EP_WASM3_PLACE_LINEAR_MEMORY before the
 * linear memory, and EP_WASM3_PLACE_DEFAULT when done. The ESP32-S3 port
 * keeps the first in internal RAM and lets only linear memory go to PSRAM. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((weak))
#endif
void ep_wasm3_placement(int phase) {
  (void)phase;
}

/* Keeps `result` (wasm3's static error string) and whatever detail the
 * runtime adds (file/line/message; empty on boards, which build wasm3
 * without verbose messages), then clears the runtime's error info so the
 * next failure does not repeat this one's text. */
static int fail(M3Result result, const char *what) {
  M3ErrorInfo info;
  const char *msg = "";
  memset(&info, 0, sizeof info);
  if (g_rt) {
    m3_GetErrorInfo(g_rt, &info);
    if (info.message && info.message[0]) msg = info.message;
  }
  if (what && what[0])
    snprintf(g_error, sizeof g_error, "%s: %s%s%s", what, result ? result : "error", msg[0] ? ": " : "", msg);
  else
    snprintf(g_error, sizeof g_error, "%s%s%s", result ? result : "error", msg[0] ? ": " : "", msg);
  if (g_rt) m3_ResetErrorInfo(g_rt);
  return -1;
}

static int find(IM3Function *f, const char *name, unsigned args) {
  M3Result r = m3_FindFunction(f, g_rt, name);
  if (r) return fail(r, name);
  if (m3_GetArgCount(*f) != args) {
    snprintf(g_error, sizeof g_error, "export %s takes %u arguments, expected %u", name,
             (unsigned)m3_GetArgCount(*f), args);
    return -1;
  }
  return 0;
}

static void forget_direct(void);

static void drop_instance(void) {
  if (g_rt) m3_FreeRuntime(g_rt); /* frees the module loaded into it */
  g_rt = NULL;
  forget_direct();
  g_boot = g_rx = g_rx_buffer = g_rx_capacity = g_tx_buffer = g_busy = NULL;
}

static int instantiate(void) {
  IM3Module mod = NULL;
  M3Result r;
  uint32_t memory_size;

  ep_wasm3_placement(EP_WASM3_PLACE_INTERNAL);
  g_rt = m3_NewRuntime(g_env, g_cfg.stack_bytes ? g_cfg.stack_bytes : 65536, (void *)g_layout_marker);
  if (!g_rt) {
    ep_wasm3_placement(EP_WASM3_PLACE_DEFAULT);
    return fail(m3Err_mallocFailed, "m3_NewRuntime");
  }
  if (m3_GetUserData(g_rt) != (void *)g_layout_marker || g_rt->userdata != (void *)g_layout_marker) {
    /* Nothing is written through a layout that is not the library's. */
    snprintf(g_error, sizeof g_error,
             "wasm3 layout mismatch: this engine was compiled with other d_m3* flags than libm3 "
             "(pass the library's d_m3* flags to the engine, e.g. M3_CFLAGS)");
    g_rt = NULL; /* freeing it would read the same mismatched struct */
    ep_wasm3_placement(EP_WASM3_PLACE_DEFAULT);
    return -1;
  }
  /* Must be set before the module is loaded: that is when memory is made. */
  g_rt->memoryLimit = g_cfg.memory_limit;
  r = m3_ParseModule(g_env, &mod, g_cfg.module, g_cfg.module_len);
  if (r) {
    ep_wasm3_placement(EP_WASM3_PLACE_DEFAULT);
    return fail(r, "parse");
  }
  ep_wasm3_placement(EP_WASM3_PLACE_LINEAR_MEMORY);
  r = m3_LoadModule(g_rt, mod);
  ep_wasm3_placement(EP_WASM3_PLACE_INTERNAL);
  if (r) {
    m3_FreeModule(mod);
    ep_wasm3_placement(EP_WASM3_PLACE_DEFAULT);
    return fail(r, "load");
  }
  r = m3_CompileModule(mod);
  ep_wasm3_placement(EP_WASM3_PLACE_DEFAULT);
  if (r) return fail(r, "compile");
  memory_size = m3_GetMemorySize(g_rt);
  if (g_cfg.memory_limit && memory_size > g_cfg.memory_limit) {
    snprintf(g_error, sizeof g_error,
             "memory limit did not take: linear memory is %lu bytes, limit %lu "
             "(libm3 and this engine built with different d_m3* flags?)",
             (unsigned long)memory_size, (unsigned long)g_cfg.memory_limit);
    return -1;
  }
  if (find(&g_boot, "boot", 2) || find(&g_rx, "rx", 1) || find(&g_rx_buffer, "rx_buffer", 0) ||
      find(&g_rx_capacity, "rx_capacity", 0) || find(&g_tx_buffer, "tx_buffer", 0))
    return -1;
  /* Optional: older modules do not have it. The failed lookup leaves its
   * text in the runtime's error info; clear it, or later traps show it. */
  if (m3_FindFunction(&g_busy, g_rt, "add_busy_time") != m3Err_none || m3_GetArgCount(g_busy) != 1) g_busy = NULL;
  m3_ResetErrorInfo(g_rt);
  g_error[0] = 0;
  return 0;
}

int ep_engine_load(const ep_engine_config *cfg) {
  drop_instance();
  g_cfg = *cfg;
  if (!g_env) {
    ep_wasm3_placement(EP_WASM3_PLACE_INTERNAL);
    g_env = m3_NewEnvironment();
    ep_wasm3_placement(EP_WASM3_PLACE_DEFAULT);
    if (!g_env) return fail(m3Err_mallocFailed, "m3_NewEnvironment");
  }
  return instantiate();
}

int ep_engine_reload(void) {
  if (!g_env) {
    snprintf(g_error, sizeof g_error, "engine not loaded");
    return -1;
  }
  drop_instance();
  return instantiate();
}

uint8_t *ep_engine_memory(uint32_t *size) {
  *size = 0;
  return g_rt && g_rx ? m3_GetMemory(g_rt, size, 0) : NULL;
}

/* A call into an instance that did not load (the pump does not make one;
 * this keeps a stray one from dereferencing NULL). */
static int not_loaded(void) {
  if (!g_error[0]) snprintf(g_error, sizeof g_error, "engine not loaded");
  return -1;
}

/* The i32 result of the call just made; 0 for an export that returns nothing
 * (the placeholder boot of early builds). */
static int result_i32(IM3Function f, int32_t *out) {
  M3Result r;
  *out = 0;
  if (m3_GetRetCount(f) == 0) return 0;
  r = m3_GetResultsV(f, out);
  return r ? fail(r, NULL) : 0;
}

static int call0(IM3Function f, int32_t *out) {
  M3Result r;
  if (!f) return not_loaded();
  r = m3_CallV(f);
  return r ? fail(r, NULL) : result_i32(f, out);
}

int ep_engine_boot(uint32_t boot_id, int32_t memory_limit, int32_t *out) {
  M3Result r;
  if (!g_boot) return not_loaded();
  r = m3_CallV(g_boot, (int32_t)boot_id, memory_limit);
  return r ? fail(r, NULL) : result_i32(g_boot, out);
}

int ep_engine_rx(int32_t n, int32_t *out) {
  M3Result r;
  if (!g_rx) return not_loaded();
  r = m3_CallV(g_rx, n);
  return r ? fail(r, NULL) : result_i32(g_rx, out);
}

int ep_engine_rx_buffer(int32_t *out) { return call0(g_rx_buffer, out); }
int ep_engine_rx_capacity(int32_t *out) { return call0(g_rx_capacity, out); }
int ep_engine_tx_buffer(int32_t *out) { return call0(g_tx_buffer, out); }

int ep_engine_add_busy_time(uint32_t micros) {
  M3Result r;
  if (!g_busy) return 1;
  r = m3_CallV(g_busy, (int32_t)micros);
  return r ? fail(r, NULL) : 0;
}

/* ---- the direct link (engine_direct.h) ---------------------------------- */

/* Looked up on first use and forgotten with the instance (a reload makes new
 * functions): a firmware that never uses the training API pays nothing. */
typedef struct direct_export {
  const char *name;
  unsigned args;
} direct_export;

static const direct_export g_direct_names[EP_DIRECT_COUNT] = {
  {"config_ptr", 0}, {"configure", 0}, {"config_detail", 0}, {"is_configured", 0},
  {"plan_total", 0}, {"memory_limit", 0}, {"params_ptr", 0}, {"param_count", 0},
  {"optimizer_state_ptr", 0}, {"optimizer_state_bytes", 0}, {"step_count", 0},
  {"set_step_count", 1}, {"input_ptr", 0}, {"target_ptr", 0}, {"output_ptr", 0},
  {"train_chunk", 2}, {"eval_chunk", 2}, {"store_capacity", 0}, {"store_held", 0},
  {"store_clear", 0}, {"store_row_ptr", 0}, {"store_commit_row", 0}, {"store_row_at", 1},
  {"store_detail", 0}, {"input_stats_ptr", 0}, {"input_stats_count", 0}, {"host_model_writes", 0},
};
static const direct_export g_direct_f64_names[EP_DIRECT_F64_COUNT] = {
  {"get_lr", 0}, {"set_lr", 1}, {"loss_sum", 0}, {"store_loss_sum", 0},
};
static const direct_export g_store_train_name = {"store_train", 7};
static IM3Function g_direct[EP_DIRECT_COUNT];
static IM3Function g_direct_f64[EP_DIRECT_F64_COUNT];
static IM3Function g_store_train;

static void forget_direct(void) {
  memset(g_direct, 0, sizeof g_direct);
  memset(g_direct_f64, 0, sizeof g_direct_f64);
  g_store_train = NULL;
}

static int direct_function(IM3Function *slot, const direct_export *x) {
  if (!g_rt || !g_rx) return not_loaded();
  if (!*slot && find(slot, x->name, x->args) < 0) {
    *slot = NULL;
    return -1;
  }
  return 0;
}

int ep_engine_direct(ep_direct which, int32_t a, int32_t b, int32_t *out) {
  IM3Function f;
  M3Result r;
  *out = 0;
  if ((unsigned)which >= EP_DIRECT_COUNT) {
    snprintf(g_error, sizeof g_error, "no direct export %d", (int)which);
    return -1;
  }
  if (direct_function(&g_direct[which], &g_direct_names[which]) < 0) return -1;
  f = g_direct[which];
  /* m3_CallV reads as many arguments as the function declares. */
  r = m3_CallV(f, a, b);
  return r ? fail(r, NULL) : result_i32(f, out);
}

int ep_engine_direct_f64(ep_direct_f64 which, double arg, double *out) {
  IM3Function f;
  M3Result r;
  *out = 0;
  if ((unsigned)which >= EP_DIRECT_F64_COUNT) {
    snprintf(g_error, sizeof g_error, "no direct f64 export %d", (int)which);
    return -1;
  }
  if (direct_function(&g_direct_f64[which], &g_direct_f64_names[which]) < 0) return -1;
  f = g_direct_f64[which];
  r = m3_CallV(f, arg);
  if (r) return fail(r, NULL);
  if (m3_GetRetCount(f) == 0) return 0;
  r = m3_GetResultsV(f, out);
  return r ? fail(r, NULL) : 0;
}

int ep_engine_direct_store_train(uint32_t first, uint32_t rows, uint32_t epoch, int start_epoch, int shuffle,
                                 int32_t *status) {
  M3Result r;
  *status = 0;
  if (direct_function(&g_store_train, &g_store_train_name) < 0) return -1;
  r = m3_CallV(g_store_train, first, rows, epoch, (uint32_t)(start_epoch != 0), (uint32_t)(shuffle != 0), 0u, 0u);
  return r ? fail(r, NULL) : result_i32(g_store_train, status);
}
