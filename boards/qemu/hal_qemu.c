/* hal.h on QEMU virt: the link is the 16550 UART, time is the CLINT's mtime.
 *
 * ep_hal_read returns at most one frame: it stops right after a 0x00 (the
 * protocol's delimiter). The module then sees the same rx() calls for the
 * same frames however the host's bytes happened to be split in transit, so
 * the instructions the firmware counts inside the module are reproducible
 * (stats.h). Bytes without a delimiter (text, noise) are returned when the
 * line goes quiet for EP_QEMU_GAP_US or the buffer is full. */
#include "hal.h"

#include "uart16550.h"
#include "hal_counters.h"
#ifndef EP_HAL_CLOCK_H
#include "virt.h"
#endif

#define EP_PROTOCOL_DELIMITER 0x00u
#define EP_QEMU_GAP_US 20000u

#ifdef EP_HAL_CLOCK_H
/* Another board's clock and sleep (boards/xtensa/hal_clock.h): micros64()
 * and sleep_until(), which returns when a byte arrives or the time comes. */
#include EP_HAL_CLOCK_H
#else
static uint64_t micros64(void) { return virt_mtime() / VIRT_MTIME_TICKS_PER_US; }

/* Between polls of an empty UART the core sleeps this long (WFI until the
 * machine timer fires). A core that polls back to back keeps QEMU's CPU
 * thread busy and its main loop, which moves bytes from the pty into the
 * UART, waits; and it burns a host core while the board idles. */
#define EP_QEMU_POLL_SLEEP_US 20u
#define MIE_MTIE (1u << 7)
#define MIE_MEIE (1u << 11)

/* Sleeps until mtime reaches `until_us` or the UART receives (WFI wakes on
 * a pending enabled interrupt; none is taken: mstatus.MIE stays off). */
static void sleep_until(uint64_t until_us) {
  virt_set_mtimecmp(until_us * VIRT_MTIME_TICKS_PER_US);
  __asm__ volatile("csrs mie, %0" ::"r"(MIE_MTIE | MIE_MEIE));
  __asm__ volatile("wfi");
  virt_set_mtimecmp(UINT64_MAX);
  uart_ack_wakeup();
}
#endif

/* Waits until a byte is ready or `us` microseconds pass; 1 if one is ready. */
static int wait_rx(uint64_t us) {
  uint64_t start;
  if (uart_rx_ready()) return 1;
  start = micros64();
  for (;;) {
    uint64_t now = micros64();
    if (now - start >= us) return 0;
    sleep_until(now + EP_QEMU_POLL_SLEEP_US < start + us ? now + EP_QEMU_POLL_SLEEP_US : start + us);
    if (uart_rx_ready()) return 1;
  }
}

int ep_hal_read(uint8_t *buf, size_t cap, uint32_t timeout_ms) {
  size_t n = 0;
  if (cap == 0 || !wait_rx((uint64_t)timeout_ms * 1000u)) return 0;
  while (n < cap && wait_rx(EP_QEMU_GAP_US)) {
    uint8_t b = uart_rx();
    buf[n++] = b;
    if (b == EP_PROTOCOL_DELIMITER) break;
  }
  ep_rx_bytes += n;
  return (int)n; /* a board's link never closes */
}

int ep_hal_write(const uint8_t *buf, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) uart_tx(buf[i]);
  return 0;
}

uint32_t ep_hal_millis(void) { return (uint32_t)(micros64() / 1000u); }

uint32_t ep_hal_micros(void) { return (uint32_t)micros64(); }

/* One task, no scheduler: nothing to yield to. */
void ep_hal_yield(void) {}

volatile uint32_t ep_watchdog_feeds;
uint64_t ep_rx_bytes;

void ep_hal_feed_watchdog(void) { ep_watchdog_feeds++; }
