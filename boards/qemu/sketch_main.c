/* The emulated board under a sketch (examples/NAME/NAME.ino, the same file
 * an ESP32 builds): main() brings up the UART and calls the sketch's setup(),
 * whose edgeprop_board_start (edgeprop_board.h) runs the trainer forever,
 * as the ESP32's trainer task does. The engine is the firmware's (wasm2c
 * compiled in, or wasm3 with the module embedded: module.S), the storage
 * RAM that survives a reset of the board (storage_ram.c).
 *
 * The stats line (stats_line.h) goes out whenever a round of the sketch's
 * loop received nothing after one that did, and once at boot: what the
 * launcher (launch.mjs) and the tests wait for, as with the plain pump. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "edgeprop_board.h"
#include "firmware_config.h"
#include "hal.h"
#include "hal_counters.h"
#include "pump.h"
#include "stats_line.h"
#include "uart16550.h"

/* The sketch's setup(), a C++ function (boards/posix/sketch_entry.cpp passes it on). */
void edgeprop_sketch_setup(void);

static edgeprop *g_ep;

int main(void) {
  static const uint8_t delimiter = EP_PROTOCOL_DELIMITER;
  uart_init();
  /* As the plain firmware (main.c): a reset may have cut a reply off. */
  (void)ep_hal_write(&delimiter, 1);
  edgeprop_sketch_setup();
  for (;;) {
  }
}

static void send_stats_line(void) {
  (void)ep_pump_announce(NULL); /* the banner first, if the trainer still holds it */
  ep_send_stats_line();
}

void edgeprop_board_start(const edgeprop_board_module *module, void (*trainer_setup)(void), void (*trainer_loop)(void)) {
  int busy = 1;
  (void)module; /* its numbers are the profile's, compiled in here too */
  trainer_setup();
  for (;;) {
    uint64_t before = ep_rx_bytes;
    trainer_loop();
    if (ep_rx_bytes != before) {
      busy = 1;
    } else if (busy) {
      send_stats_line();
      busy = 0;
    }
  }
}

void edgeprop_board_idle(void) {}

int edgeprop_board_begin(edgeprop *ep) {
  ep_engine_config ec;
  ep_pump_config pc;
  int r;
  ep_qemu_configs(&ec, &pc);
  g_ep = ep;
  r = edgeprop_begin(ep, &ec, &pc);
  if (r == EDGEPROP_E_TRAP) {
    /* Nothing to run: what the plain firmware does (main.c). */
    ep_send_stats_line();
    (void)ep_pump_serve_load_failure(&pc, ep_engine_error());
  }
  return r;
}

void edgeprop_board_print(const char *line) {
  static const uint8_t end[3] = {'\r', '\n', 0x00};
  if (ep_pump_announce(NULL) < 0 || ep_hal_write((const uint8_t *)line, strlen(line)) < 0 ||
      ep_hal_write(end, sizeof end) < 0) {
    if (g_ep) g_ep->link_gone = 1;
  }
}

uint32_t edgeprop_board_millis(void) { return ep_hal_millis(); }
