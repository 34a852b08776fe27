/* edgeprop firmware for QEMU's riscv32 `virt` machine: the board pump
 * (boards/common) over the 16550 UART, as on an ESP32 but on an emulated CPU
 * whose instructions can be counted. After boot and whenever input has been
 * drained it prints the stats line (stats_line.h). */
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "firmware_config.h"
#include "hal.h"
#include "pump.h"
#include "stats_line.h"
#include "uart16550.h"

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
  ep_qemu_configs(&ec, &pc);
  if (ep_engine_load(&ec) < 0) {
    /* Nothing to run: the stats line (what the launcher waits for at boot),
     * then the load error again for every frame that arrives, so a host that
     * connects later still hears why this board cannot train. */
    ep_send_stats_line();
    (void)ep_pump_serve_load_failure(&pc, ep_engine_error());
  }

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
