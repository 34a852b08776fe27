/* The pump loop shared by every target. See pump.h. */
#include "pump.h"

#include <string.h>

#include "engine.h"
#include "error_frame.h"
#include "hal.h"

static ep_pump_config g_cfg;
static uint32_t g_traps;
static int g_has_busy = 1; /* until the engine says the module lacks add_busy_time */

static int write_all(const uint8_t *p, size_t n) {
  return n == 0 ? 0 : ep_hal_write(p, n);
}

static int write_text(const char *a, const char *b) {
  static const char crlf[] = "\r\n";
  if (write_all((const uint8_t *)a, strlen(a)) < 0) return -1;
  if (b && write_all((const uint8_t *)b, strlen(b)) < 0) return -1;
  return write_all((const uint8_t *)crlf, 2);
}

/* A readable line, then a delimiter (so a frame decoder drops the text as a
 * bad frame instead of gluing it to the next one), then the ERROR frame. */
static int report(uint8_t code, const char *label, const char *message) {
  uint8_t frame[EP_ERROR_FRAME_MAX];
  static const uint8_t delim = 0x00;
  size_t n;
  if (write_text(label, message) < 0) return -1;
  if (write_all(&delim, 1) < 0) return -1;
  n = ep_error_frame(frame, sizeof frame, code, 0, 0, g_cfg.boot_id, message);
  return write_all(frame, n);
}

static int report_trap(const char *message) {
  g_traps++;
  return report(EP_ERR_TRAP, "edgeprop: trap: ", message);
}

int ep_pump_report_load_failure(uint32_t boot_id, const char *message) {
  g_cfg.boot_id = boot_id;
  return report(EP_ERR_LOAD_FAILED, "edgeprop: load failed: ", message);
}

uint32_t ep_pump_trap_count(void) { return g_traps; }

/* Writes `n` reply bytes at tx_buffer(). -1 = link gone, -2 = trap reported. */
static int write_tx(int32_t n) {
  int32_t tx;
  uint32_t size;
  uint8_t *mem;
  if (ep_engine_tx_buffer(&tx) < 0) return report_trap(ep_engine_error()) < 0 ? -1 : -2;
  mem = ep_engine_memory(&size);
  if (!mem || tx < 0 || n < 0 || (uint32_t)tx > size || (uint32_t)n > size - (uint32_t)tx)
    return report_trap("tx range outside memory") < 0 ? -1 : -2;
  return ep_hal_write(mem + tx, (size_t)n) < 0 ? -1 : 0;
}

/* Calls rx(n), then rx(0) until the module has nothing more to say. */
static int feed(int32_t n) {
  int32_t out = 0;
  int r;
  uint32_t t0;
  for (;;) {
    t0 = ep_hal_micros();
    if (ep_engine_rx(n, &out) < 0) return report_trap(ep_engine_error()) < 0 ? -1 : 0;
    if (g_has_busy) {
      r = ep_engine_add_busy_time(ep_hal_micros() - t0);
      if (r < 0) return report_trap(ep_engine_error()) < 0 ? -1 : 0;
      if (r > 0) g_has_busy = 0;
    }
    if (out <= 0) return 0;
    r = write_tx(out);
    if (r == -1) return -1;
    if (r == -2) return 0;
    ep_hal_yield();
    n = 0;
  }
}

int ep_pump_start(const ep_pump_config *cfg) {
  int32_t banner = 0;
  g_cfg = *cfg;
  g_traps = 0;
  g_has_busy = 1;
  if (ep_engine_boot(cfg->boot_id, cfg->memory_limit, &banner) < 0)
    return report_trap(ep_engine_error());
  if (banner > 0 && write_tx(banner) == -1) return -1;
  return 0;
}

int ep_pump_poll(void) {
  int32_t at = 0, cap = 0;
  uint32_t size;
  uint8_t *mem;
  int got;
  if (ep_engine_rx_buffer(&at) < 0 || ep_engine_rx_capacity(&cap) < 0)
    return report_trap(ep_engine_error()) < 0 ? -1 : 0;
  mem = ep_engine_memory(&size);
  if (!mem || at < 0 || cap < 0 || (uint32_t)at > size || (uint32_t)cap > size - (uint32_t)at)
    return report_trap("rx range outside memory") < 0 ? -1 : 0;
  if (cap == 0) {
    /* The module is full: let it work off what it holds, then wait. */
    if (feed(0) < 0) return -1;
    ep_hal_yield();
    return 0;
  }
  got = ep_hal_read(mem + at, (size_t)cap, g_cfg.read_timeout_ms);
  if (got < 0) return -1;
  if (got == 0) {
    ep_hal_yield();
    return 0;
  }
  if (feed((int32_t)got) < 0) return -1;
  ep_hal_yield();
  return 1;
}

int ep_pump_run(const ep_pump_config *cfg) {
  if (ep_pump_start(cfg) < 0) return -1;
  while (ep_pump_poll() >= 0) {
  }
  return 0;
}
