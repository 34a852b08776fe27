/* engine.h around the real engine (compiled with -include engine_inner.h, so
 * its functions are ep_inner_*): every call into the module is bracketed by
 * minstret reads, and the difference is the module's instruction count. */
#include "engine.h"

#include "engine_counted.h"
#include "minstret.h"
#include "hal_counters.h"

int ep_inner_engine_load(const ep_engine_config *cfg);
int ep_inner_engine_reload(void);
const char *ep_inner_engine_name(void);
const char *ep_inner_engine_error(void);
uint8_t *ep_inner_engine_memory(uint32_t *size);
int ep_inner_engine_boot(uint32_t boot_id, int32_t memory_limit, int32_t *out);
int ep_inner_engine_rx(int32_t n, int32_t *out);
int ep_inner_engine_rx_buffer(int32_t *out);
int ep_inner_engine_rx_capacity(int32_t *out);
int ep_inner_engine_tx_buffer(int32_t *out);
int ep_inner_engine_add_busy_time(uint32_t micros);

/* g_module: the calls that do the module's work (boot, rx, tx_buffer,
 * add_busy_time), whose number follows the frames the host sent. g_poll: the
 * rx_buffer/rx_capacity queries the pump makes before every read, idle or
 * not, so their number follows the host's timing; kept apart so that the
 * module's count is the same on every run. */
static uint64_t g_module, g_poll, g_load;

/* The most watchdog feeds seen inside one module call: the proof that a long
 * call feeds the watchdog from inside (wasm3's m3_Yield), not only between
 * calls as the pump does on a real board. */
static uint32_t g_most_feeds_in_one_call;

/* Runs `call` (an int expression), adds its instructions to `total` and
 * notes the watchdog feeds made during it. */
#define COUNTED(total, call)                                      \
  do {                                                            \
    uint32_t feeds_ = ep_watchdog_feeds;                          \
    uint64_t before_ = minstret64();                              \
    int result_ = (call);                                         \
    (total) += minstret64() - before_;                            \
    feeds_ = ep_watchdog_feeds - feeds_;                          \
    if (feeds_ > g_most_feeds_in_one_call) g_most_feeds_in_one_call = feeds_; \
    return result_;                                               \
  } while (0)

uint32_t ep_most_feeds_in_one_call(void) { return g_most_feeds_in_one_call; }

uint64_t ep_module_instructions(void) { return g_module; }
uint64_t ep_load_instructions(void) { return g_load; }
uint64_t ep_poll_instructions(void) { return g_poll; }

int ep_engine_load(const ep_engine_config *cfg) { COUNTED(g_load, ep_inner_engine_load(cfg)); }
/* A restart after a trap instantiates the module again: load work, not training. */
int ep_engine_reload(void) { COUNTED(g_load, ep_inner_engine_reload()); }
const char *ep_engine_name(void) { return ep_inner_engine_name(); }
const char *ep_engine_error(void) { return ep_inner_engine_error(); }
uint8_t *ep_engine_memory(uint32_t *size) { return ep_inner_engine_memory(size); }

int ep_engine_boot(uint32_t boot_id, int32_t memory_limit, int32_t *out) {
  COUNTED(g_module, ep_inner_engine_boot(boot_id, memory_limit, out));
}
int ep_engine_rx(int32_t n, int32_t *out) { COUNTED(g_module, ep_inner_engine_rx(n, out)); }
int ep_engine_rx_buffer(int32_t *out) { COUNTED(g_poll, ep_inner_engine_rx_buffer(out)); }
int ep_engine_rx_capacity(int32_t *out) { COUNTED(g_poll, ep_inner_engine_rx_capacity(out)); }
int ep_engine_tx_buffer(int32_t *out) { COUNTED(g_module, ep_inner_engine_tx_buffer(out)); }
int ep_engine_add_busy_time(uint32_t micros) { COUNTED(g_module, ep_inner_engine_add_busy_time(micros)); }
