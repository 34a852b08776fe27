/* The pump loop shared by every target. See pump.h. */
#include "pump.h"

#include <string.h>

#include "engine.h"
#include "error_frame.h"
#include "hal.h"

/* Instances in a row that trap (or show an impossible buffer) before they
 * take any input: past this the module is broken, not the bytes it got, and
 * the pump stops reloading it (a reload loop would only spin). */
#define EP_PUMP_FRESH_TRAP_LIMIT 3

static ep_pump_config g_cfg;
static uint32_t g_traps;
static uint32_t g_reloads;
static int g_untested; /* reloads since the module last accepted input */
static int g_given_up; /* the module traps at boot: input is read and dropped */
static int g_has_busy = 1; /* until the engine says the module lacks add_busy_time */
/* A banner held back (ep_pump_start_held): written by ep_pump_announce, at
 * the latest before anything else goes out. */
static int g_hold_banners;
static uint8_t g_banner[EP_PUMP_BANNER_MAX];
static size_t g_banner_len;

static int write_all(const uint8_t *p, size_t n) {
  return n == 0 ? 0 : ep_hal_write(p, n);
}

/* The banner ends "\r\n" then 0x00 (assembly/protocol/banner.ts); a note goes
 * before the "\r\n" as one more " key=value" field. */
#define BANNER_END 3

int ep_pump_banner_held(void) { return g_banner_len > 0; }

int ep_pump_announce(const char *note) {
  size_t n = g_banner_len, note_len = note ? strlen(note) : 0;
  static const uint8_t space = ' ';
  if (n == 0) return 0;
  g_banner_len = 0;
  if (note_len == 0) return write_all(g_banner, n);
  if (write_all(g_banner, n - BANNER_END) < 0 || write_all(&space, 1) < 0 ||
      write_all((const uint8_t *)note, note_len) < 0)
    return -1;
  return write_all(g_banner + n - BANNER_END, BANNER_END);
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
  if (ep_pump_announce(NULL) < 0 || write_text(label, message) < 0) return -1;
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

/* A board whose module did not load still answers: every frame that arrives
 * (a non-empty run of bytes ended by a delimiter) gets the LOAD_FAILED report
 * again, so a host that attaches later learns why the board is silent. */
int ep_pump_serve_load_failure(const ep_pump_config *cfg, const char *message) {
  uint8_t scratch[64];
  int got, i, in_frame = 0;
  g_cfg = *cfg;
  if (report(EP_ERR_LOAD_FAILED, "edgeprop: load failed: ", message) < 0) return -1;
  for (;;) {
    got = ep_hal_read(scratch, sizeof scratch, g_cfg.read_timeout_ms);
    if (got < 0) return 0;
    for (i = 0; i < got; i++) {
      if (scratch[i] != 0) {
        in_frame = 1;
      } else if (in_frame) {
        in_frame = 0;
        if (report(EP_ERR_LOAD_FAILED, "edgeprop: load failed: ", message) < 0) return -1;
      }
    }
    ep_hal_yield();
  }
}

uint32_t ep_pump_trap_count(void) { return g_traps; }
uint32_t ep_pump_reload_count(void) { return g_reloads; }

/* Results of the steps below: the link is gone, or the module trapped (the
 * trap is reported; the caller restarts the module). */
#define EP_LINK_GONE (-1)
#define EP_TRAPPED (-2)

static int trapped(const char *message) {
  return report_trap(message) < 0 ? EP_LINK_GONE : EP_TRAPPED;
}

/* Writes `n` reply bytes at tx_buffer(). */
static int write_tx(int32_t n) {
  int32_t tx;
  uint32_t size;
  uint8_t *mem;
  if (ep_engine_tx_buffer(&tx) < 0) return trapped(ep_engine_error());
  mem = ep_engine_memory(&size);
  if (!mem || tx < 0 || n < 0 || (uint32_t)tx > size || (uint32_t)n > size - (uint32_t)tx)
    return trapped("tx range outside memory");
  if (ep_pump_announce(NULL) < 0) return EP_LINK_GONE;
  return ep_hal_write(mem + tx, (size_t)n) < 0 ? EP_LINK_GONE : 0;
}

/* Calls rx(n), then rx(0) until the module has nothing more to say. */
static int feed(int32_t n) {
  int32_t out = 0;
  int r;
  uint32_t t0;
  for (;;) {
    t0 = ep_hal_micros();
    if (ep_engine_rx(n, &out) < 0) return trapped(ep_engine_error());
    if (g_has_busy) {
      r = ep_engine_add_busy_time(ep_hal_micros() - t0);
      if (r < 0) return trapped(ep_engine_error());
      if (r > 0) g_has_busy = 0;
    }
    if (out <= 0) return 0;
    r = write_tx(out);
    if (r < 0) return r;
    ep_hal_yield();
    n = 0;
  }
}

/* boot(), then the banner (or, held, a copy of it: the module's tx buffer is
 * reused by the next reply). A banner too long to copy is written at once. */
static int boot_module(void) {
  int32_t banner = 0, tx = 0;
  uint32_t size;
  uint8_t *mem;
  if (ep_engine_boot(g_cfg.boot_id, g_cfg.memory_limit, &banner) < 0) return trapped(ep_engine_error());
  g_banner_len = 0; /* a banner still held belongs to the instance that just ended */
  if (banner <= 0) return 0;
  if (!g_hold_banners || banner > (int32_t)sizeof g_banner || banner < BANNER_END) return write_tx(banner);
  if (ep_engine_tx_buffer(&tx) < 0) return trapped(ep_engine_error());
  mem = ep_engine_memory(&size);
  if (!mem || tx < 0 || (uint32_t)tx > size || (uint32_t)banner > size - (uint32_t)tx)
    return trapped("tx range outside memory");
  memcpy(g_banner, mem + tx, (size_t)banner);
  g_banner_len = (size_t)banner;
  return 0;
}

/* After a trap: the module's memory may hold anything (a buffer pointer past
 * memory, a half-written plan), so it is instantiated again, booted with a
 * new boot id (the host sees a restarted board: banner, then NO_SESSION) and
 * fed again from the next byte. Gives up after EP_PUMP_FRESH_TRAP_LIMIT
 * fresh instances in a row that trap before they take input. */
static int restart(void) {
  int r;
  for (;;) {
    if (g_untested >= EP_PUMP_FRESH_TRAP_LIMIT) {
      g_given_up = 1;
      return report(EP_ERR_LOAD_FAILED, "edgeprop: load failed: ",
                    "the module traps before it takes input; not restarting it again") < 0 ? EP_LINK_GONE : 0;
    }
    g_untested++;
    if (ep_engine_reload() < 0) {
      if (report(EP_ERR_LOAD_FAILED, "edgeprop: load failed: ", ep_engine_error()) < 0) return EP_LINK_GONE;
      continue;
    }
    g_reloads++;
    g_cfg.boot_id++;
    g_has_busy = 1;
    r = boot_module();
    if (r != EP_TRAPPED) return r;
  }
}

/* A step's result, with a trap turned into a restart: 0, or -1 (link gone). */
static int recovered(int r) {
  if (r == EP_TRAPPED) r = restart();
  return r < 0 ? -1 : 0;
}

static int start(const ep_pump_config *cfg, int hold_banners) {
  g_cfg = *cfg;
  g_hold_banners = hold_banners;
  g_banner_len = 0;
  g_traps = 0;
  g_reloads = 0;
  g_untested = 0;
  g_given_up = 0;
  g_has_busy = 1;
  return recovered(boot_module());
}

int ep_pump_start(const ep_pump_config *cfg) { return start(cfg, 0); }
int ep_pump_start_held(const ep_pump_config *cfg) { return start(cfg, 1); }

/* What a given-up pump does with input: reads it so the link keeps moving
 * (a board never blocks its sender), and drops it. */
static int drop_input(uint32_t timeout_ms) {
  uint8_t scratch[64];
  int got = ep_hal_read(scratch, sizeof scratch, timeout_ms);
  ep_hal_yield();
  return got < 0 ? -1 : got > 0;
}

int ep_pump_poll(void) { return ep_pump_poll_timeout(g_cfg.read_timeout_ms); }

int ep_pump_restart_after_trap(const char *message) { return recovered(trapped(message)); }

int ep_pump_poll_timeout(uint32_t timeout_ms) {
  int32_t at = 0, cap = 0;
  uint32_t size;
  uint8_t *mem;
  int got;
  if (ep_pump_announce(NULL) < 0) return -1;
  if (g_given_up) return drop_input(timeout_ms);
  if (ep_engine_rx_buffer(&at) < 0 || ep_engine_rx_capacity(&cap) < 0)
    return recovered(trapped(ep_engine_error()));
  mem = ep_engine_memory(&size);
  if (!mem || at < 0 || cap < 0 || (uint32_t)at > size || (uint32_t)cap > size - (uint32_t)at)
    return recovered(trapped("rx range outside memory"));
  if (cap == 0) {
    /* The module is full: let it work off what it holds, then wait. */
    if (recovered(feed(0)) < 0) return -1;
    ep_hal_yield();
    return 0;
  }
  got = ep_hal_read(mem + at, (size_t)cap, timeout_ms);
  if (got < 0) return -1;
  if (got == 0) {
    ep_hal_yield();
    return 0;
  }
  g_untested = 0; /* this instance took input: a trap from here on is the input's */
  if (recovered(feed((int32_t)got)) < 0) return -1;
  ep_hal_yield();
  return 1;
}

int ep_pump_run(const ep_pump_config *cfg) {
  if (ep_pump_start(cfg) < 0) return -1;
  while (ep_pump_poll() >= 0) {
  }
  return 0;
}
