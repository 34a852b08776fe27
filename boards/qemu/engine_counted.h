/* What engine_counted.c measured. */
#ifndef EDGEPROP_QEMU_ENGINE_COUNTED_H
#define EDGEPROP_QEMU_ENGINE_COUNTED_H

#include <stdint.h>

/* Instructions retired inside calls to the module's exports since boot
 * (meaningful under QEMU -icount; see minstret.h). */
uint64_t ep_module_instructions(void);
/* Instructions retired by ep_engine_load (wasm3: parse and compile). */
uint64_t ep_load_instructions(void);

#endif
