/* Instructions executed, from the Xtensa debug option's ICOUNT register
 * (start.S starts it at 0 with ICOUNTLEVEL 1: it counts every instruction
 * run below interrupt level 1, that is all of the firmware's own), extended
 * to 64 bits by counting its wraps in the debug vector (start.S). Under QEMU
 * -icount shift=0 and without it alike, it counts instructions exactly; the
 * core's CCOUNT is a clock (clock.c).
 *
 * Takes the place of boards/qemu/minstret.h for engine_counted.c (the
 * Makefile forces it in and defines minstret.h's guard): minstret64() here
 * reads ICOUNT. */
#ifndef EDGEPROP_XTENSA_ICOUNT_H
#define EDGEPROP_XTENSA_ICOUNT_H

#include <stdint.h>

/* Written by the debug vector: a scratch word for a register, then the wraps. */
extern volatile struct ep_icount_state_s {
  uint32_t scratch;
  uint32_t wraps;
} ep_icount_state;

/* ICOUNT stops at 0xFFFFFFFF and the debug vector restarts it at 0 before
 * the instruction it held back runs: a wrap is 0xFFFFFFFF instructions. */
#define EP_ICOUNT_WRAP 0xFFFFFFFFull

static inline uint64_t icount64(void) {
  uint32_t wraps, count;
  do {
    wraps = ep_icount_state.wraps;
    __asm__ volatile("rsr %0, icount" : "=r"(count));
  } while (wraps != ep_icount_state.wraps);
  return (uint64_t)wraps * EP_ICOUNT_WRAP + count;
}

static inline uint64_t minstret64(void) { return icount64(); }

#endif
