// SerialTrainer: the board as the host drives it. A PC streams mini-batches
// over the serial line (`edgeprop train --port P ...`); the board only runs
// the module and moves bytes: the pump (boards/common/pump.h) under the
// training API's poll, which also restarts the module after a trap. A host
// reads back which model it holds from the module (`edgeprop pull`).
// This is the firmware boards/esp32 builds.
#include <EdgeProp.h>
#include "edgeprop_module.h"  // this board's module: `edgeprop flash --board NAME` writes it

static const edgeprop_board_module module_info = EDGEPROP_BOARD_MODULE;
static edgeprop ep;
static int ready;

static void trainer_setup(void) {
  // The host configures the model (and any sample store) and sends the rows.
  ready = edgeprop_board_begin(&ep) == EDGEPROP_OK;
}

static void trainer_loop(void) {
  if (ready) edgeprop_poll(&ep);
}

void setup() { edgeprop_board_start(&module_info, trainer_setup, trainer_loop); }

void loop() { edgeprop_board_idle(); }
