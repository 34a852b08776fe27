/* Instructions retired (the RISC-V minstret counter, 64 bits on a 32-bit
 * core). Under QEMU it counts guest instructions exactly when QEMU runs with
 * -icount; without -icount it follows the host clock and means nothing. */
#ifndef EDGEPROP_QEMU_MINSTRET_H
#define EDGEPROP_QEMU_MINSTRET_H

#include <stdint.h>

static inline uint64_t minstret64(void) {
  uint32_t hi, lo, hi2;
  do {
    __asm__ volatile("csrr %0, minstreth" : "=r"(hi));
    __asm__ volatile("csrr %0, minstret" : "=r"(lo));
    __asm__ volatile("csrr %0, minstreth" : "=r"(hi2));
  } while (hi != hi2);
  return ((uint64_t)hi << 32) | lo;
}

#endif
