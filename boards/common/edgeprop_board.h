/* edgeprop: what a board gives a sketch (examples/), so one sketch builds for
 * every board: an ESP32 with Arduino (boards/esp32/board_esp32.cpp, in the
 * library) and the POSIX board (boards/posix/sketch_main.c).
 *
 *   #include <EdgeProp.h>
 *   #include "edgeprop_module.h"          // the module for this board (`edgeprop flash`)
 *   static const edgeprop_board_module module = EDGEPROP_BOARD_MODULE;
 *   static void trainer_setup(void) { edgeprop_board_begin(&ep); ... }
 *   static void trainer_loop(void)  { edgeprop_poll(&ep); ... }
 *   void setup() { edgeprop_board_start(&module, trainer_setup, trainer_loop); }
 *   void loop()  { edgeprop_board_idle(); }
 *
 * trainer_setup and trainer_loop run where the module can run: on an ESP32 a
 * FreeRTOS task with the C stack wasm3 needs (Arduino's loop task has 8 KiB),
 * on POSIX the main thread (until the link closes).
 */
#ifndef EDGEPROP_BOARD_H
#define EDGEPROP_BOARD_H

#include <stddef.h>
#include <stdint.h>

#include "edgeprop.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The module and the numbers of the board profile it was built for. */
typedef struct edgeprop_board_module {
  const uint8_t *bytes; /* NULL where the module is compiled in (wasm2c) */
  uint32_t len;
  uint32_t memory_limit; /* bytes; 0 = as declared */
  uint32_t wasm3_stack;  /* bytes */
  uint32_t baud;
  uint32_t max_chunk; /* rows per BATCH the host sends: sizes the UART buffer */
} edgeprop_board_module;

/* From the generated edgeprop_module.h (host/firmware/header.ts). */
#define EDGEPROP_BOARD_MODULE                                                                          \
  {                                                                                                    \
    edgeprop_module, edgeprop_module_len, EDGEPROP_MEMORY_LIMIT, EDGEPROP_WASM3_STACK, EDGEPROP_BAUD, \
        EDGEPROP_MAX_CHUNK                                                                             \
  }

/* Runs trainer_setup once, then trainer_loop over and over, where the module can run. */
void edgeprop_board_start(const edgeprop_board_module *module, void (*trainer_setup)(void), void (*trainer_loop)(void));

/* For Arduino's loop(): gives the CPU to the trainer (or says why it could not start). */
void edgeprop_board_idle(void);

/* edgeprop_begin with this board's engine, link and storage. */
int edgeprop_board_begin(edgeprop *ep);

/* A text line on the serial link, between frames (then 0x00): a host drops it, a monitor shows it. */
void edgeprop_board_print(const char *line);

/* Milliseconds since boot. */
uint32_t edgeprop_board_millis(void);

#ifdef __cplusplus
}
#endif

#endif
