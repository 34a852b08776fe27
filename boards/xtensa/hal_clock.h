/* boards/qemu/hal_qemu.c's clock and sleep on the LX106 board (the Makefile
 * passes -DEP_HAL_CLOCK_H='"hal_clock.h"'): the rest of that HAL (one frame
 * per read, the quiet gap, the counters) is shared as it is. */
#ifndef EDGEPROP_XTENSA_HAL_CLOCK_H
#define EDGEPROP_XTENSA_HAL_CLOCK_H

#include "clock.h"

/* Between polls of an empty UART the core sleeps (WAITI) this long at most. */
#define EP_QEMU_POLL_SLEEP_US 20u

static uint64_t micros64(void) { return xt_micros64(); }
static void sleep_until(uint64_t until_us) { xt_sleep_until_us(until_us); }

#endif
