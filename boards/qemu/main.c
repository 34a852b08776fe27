/* edgeprop firmware for QEMU's riscv32 `virt` machine: the board pump
 * (boards/common) over the 16550 UART, as on an ESP32 but on an emulated CPU
 * whose instructions can be counted. After boot and whenever input has been
 * drained it prints the stats line (stats_line.h). */
#include <stddef.h>
#include <stdint.h>

#include "boot_id.h"
#include "engine.h"
#include "hal.h"
#include "pump.h"
#include "stats_line.h"
#include "uart16550.h"

/* From the board profile, through the Makefile. */
#ifndef EP_MEMORY_LIMIT
#error "EP_MEMORY_LIMIT (the profile's memory_limit) comes from the Makefile"
#endif
#ifndef EP_WASM3_STACK
#error "EP_WASM3_STACK (the profile's wasm3_stack) comes from the Makefile"
#endif

/* How long one poll waits for input; idle is declared after one empty poll. */
#define EP_POLL_TIMEOUT_MS 20u
#define EP_PROTOCOL_DELIMITER 0x00u

extern const uint8_t ep_module_bytes[] __attribute__((weak));
extern const uint8_t ep_module_end[] __attribute__((weak));

/* The module did not load: say so again for every frame that arrives, so a
 * host that connects later still hears why this board does not answer. */
static void serve_load_failure(uint32_t boot_id) {
  uint8_t buf[64];
  (void)ep_pump_report_load_failure(boot_id, ep_engine_error());
  ep_send_stats_line();
  for (;;) {
    int i, n = ep_hal_read(buf, sizeof buf, 1000u);
    for (i = 0; i < n; i++)
      if (buf[i] == EP_PROTOCOL_DELIMITER) {
        (void)ep_pump_report_load_failure(boot_id, ep_engine_error());
        break;
      }
  }
}

int main(void) {
  ep_engine_config ec;
  ep_pump_config pc;
  int busy = 1;

  uart_init();
  /* A delimiter first: a reset can cut a reply off mid-frame, and the host's
   * splitter must not glue those bytes to the banner (it would miss the
   * reboot line and find out only from NO_SESSION). */
  {
    static const uint8_t delimiter = EP_PROTOCOL_DELIMITER;
    (void)ep_hal_write(&delimiter, 1);
  }
  pc.boot_id = ep_next_boot_id();
  pc.memory_limit = EP_MEMORY_LIMIT;
  pc.read_timeout_ms = EP_POLL_TIMEOUT_MS;

  ec.module = ep_module_bytes;
  ec.module_len = ep_module_bytes ? (uint32_t)(ep_module_end - ep_module_bytes) : 0u;
  ec.stack_bytes = EP_WASM3_STACK;
  ec.memory_limit = EP_MEMORY_LIMIT;
  if (ep_engine_load(&ec) < 0) serve_load_failure(pc.boot_id);

  (void)ep_pump_start(&pc);
  for (;;) {
    int moved = ep_pump_poll();
    if (moved > 0) {
      busy = 1;
    } else if (busy) {
      ep_send_stats_line();
      busy = 0;
    }
  }
}
