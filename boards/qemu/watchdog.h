/* The emulated board has no task watchdog; ep_hal_feed_watchdog counts its
 * calls instead, so the stats line shows that long module calls feed it. */
#ifndef EDGEPROP_QEMU_WATCHDOG_H
#define EDGEPROP_QEMU_WATCHDOG_H

#include <stdint.h>

extern volatile uint32_t ep_watchdog_feeds;

#endif
