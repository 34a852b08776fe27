/* The engine interface (engine.h) over wasm3, for the boards and POSIX.
 * Works with wasm3 0.5.0 (the PlatformIO/Arduino library) and current master.
 * Needs wasm3's internal m3_env.h for runtime->memoryLimit. */
#include "engine.h"

#include <stdio.h>
#include <string.h>

#include "wasm3.h"
#include "m3_env.h"

static IM3Environment g_env;
static IM3Runtime g_rt;
static IM3Function g_boot, g_rx, g_rx_buffer, g_rx_capacity, g_tx_buffer, g_busy;
static char g_error[192] = "engine not loaded";

const char *ep_engine_name(void) { return "wasm3"; }
const char *ep_engine_error(void) { return g_error; }

/* Keeps `result` (wasm3's static error string) and whatever detail the
 * runtime adds (file/line/message; empty on boards, which build wasm3
 * without verbose messages). */
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

int ep_engine_load(const ep_engine_config *cfg) {
  IM3Module mod = NULL;
  M3Result r;
  g_env = m3_NewEnvironment();
  if (!g_env) return fail(m3Err_mallocFailed, "m3_NewEnvironment");
  g_rt = m3_NewRuntime(g_env, cfg->stack_bytes ? cfg->stack_bytes : 65536, NULL);
  if (!g_rt) return fail(m3Err_mallocFailed, "m3_NewRuntime");
  /* Must be set before the module is loaded: that is when memory is made. */
  g_rt->memoryLimit = cfg->memory_limit;
  r = m3_ParseModule(g_env, &mod, cfg->module, cfg->module_len);
  if (r) return fail(r, "parse");
  r = m3_LoadModule(g_rt, mod);
  if (r) {
    m3_FreeModule(mod);
    return fail(r, "load");
  }
  if (find(&g_boot, "boot", 2) || find(&g_rx, "rx", 1) || find(&g_rx_buffer, "rx_buffer", 0) ||
      find(&g_rx_capacity, "rx_capacity", 0) || find(&g_tx_buffer, "tx_buffer", 0))
    return -1;
  /* Optional: older modules do not have it. */
  if (m3_FindFunction(&g_busy, g_rt, "add_busy_time") != m3Err_none || m3_GetArgCount(g_busy) != 1) g_busy = NULL;
  g_error[0] = 0;
  return 0;
}

uint8_t *ep_engine_memory(uint32_t *size) {
  *size = 0;
  return g_rt ? m3_GetMemory(g_rt, size, 0) : NULL;
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
  M3Result r = m3_CallV(f);
  return r ? fail(r, NULL) : result_i32(f, out);
}

int ep_engine_boot(uint32_t boot_id, int32_t memory_limit, int32_t *out) {
  M3Result r = m3_CallV(g_boot, (int32_t)boot_id, memory_limit);
  return r ? fail(r, NULL) : result_i32(g_boot, out);
}

int ep_engine_rx(int32_t n, int32_t *out) {
  M3Result r = m3_CallV(g_rx, n);
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
