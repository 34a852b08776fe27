/* What engine_counted.c measured. */
#ifndef EDGEPROP_QEMU_ENGINE_COUNTED_H
#define EDGEPROP_QEMU_ENGINE_COUNTED_H

#include <stdint.h>

/* Instructions retired inside the module's working calls since boot (boot,
 * rx, tx_buffer, add_busy_time; meaningful under QEMU -icount, see
 * minstret.h). */
uint64_t ep_module_instructions(void);
/* Instructions retired by ep_engine_load (wasm3: parse and compile). */
uint64_t ep_load_instructions(void);
/* Instructions retired in rx_buffer/rx_capacity, which the pump calls before
 * every read, idle or not (so they follow the host's timing). */
uint64_t ep_poll_instructions(void);
/* The most ep_hal_feed_watchdog calls made inside one module call since boot
 * (wasm3 feeds from m3_Yield during a call; wasm2c never does). */
uint32_t ep_most_feeds_in_one_call(void);

#endif
