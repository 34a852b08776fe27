/* edgeprop board pump: the hardware abstraction a target provides.
 *
 * Six functions, implemented once per target (boards/posix/main.c over a file
 * descriptor, boards/esp32/src/main.cpp over Arduino's Serial). The pump never
 * touches the hardware itself. Plain C99; safe to include from C++.
 */
#ifndef EDGEPROP_HAL_H
#define EDGEPROP_HAL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Reads up to `cap` bytes into `buf`. Returns at once with what is available,
 * or waits at most `timeout_ms` for the first byte. Returns the number of
 * bytes read (0 = nothing arrived in time), or -1 when the link is closed for
 * good (end of file on stdin; a board never returns -1). */
int ep_hal_read(uint8_t *buf, size_t cap, uint32_t timeout_ms);

/* Writes all `n` bytes (blocking until they are queued). Returns 0, or -1 if
 * the link is gone. */
int ep_hal_write(const uint8_t *buf, size_t n);

/* Milliseconds since an arbitrary start; wraps. */
uint32_t ep_hal_millis(void);

/* Microseconds since an arbitrary start; wraps. Times the module's work
 * (reported to it through add_busy_time; HELLO and BATCH replies carry it). */
uint32_t ep_hal_micros(void);

/* Called between module calls: feed the watchdog, let other tasks run. */
void ep_hal_yield(void);

/* Called often during long module calls (wasm3: from m3_Yield); must be
 * cheap; feeds the task watchdog; never blocks. */
void ep_hal_feed_watchdog(void);

#ifdef __cplusplus
}
#endif

#endif
