/* Stack high-water by painting: start.S fills the stack with STACK_PAINT
 * before main; the deepest word that no longer holds it marks the peak. */
#ifndef EDGEPROP_QEMU_STACK_H
#define EDGEPROP_QEMU_STACK_H

#define STACK_PAINT 0xA5A5A5A5

#ifndef __ASSEMBLER__
#include <stdint.h>

uint32_t ep_stack_peak_bytes(void);
uint32_t ep_stack_capacity_bytes(void);
#endif

#endif
