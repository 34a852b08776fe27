/* What the HAL counts for the stats line (stats_line.h): the emulated board
 * has no task watchdog, so ep_hal_feed_watchdog counts its calls (long module
 * calls can be seen to feed it); and the bytes received, so a host can tell
 * the idle line that follows its last frame from an earlier one. */
#ifndef EDGEPROP_QEMU_HAL_COUNTERS_H
#define EDGEPROP_QEMU_HAL_COUNTERS_H

#include <stdint.h>

extern volatile uint32_t ep_watchdog_feeds;
extern uint64_t ep_rx_bytes;

#endif
