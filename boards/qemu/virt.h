/* The devices of QEMU's riscv32 `virt` machine that the firmware uses
 * (hw/riscv/virt.c): a 16550 UART and the CLINT's machine timer. */
#ifndef EDGEPROP_QEMU_VIRT_H
#define EDGEPROP_QEMU_VIRT_H

#include <stdint.h>

#define VIRT_UART0_BASE 0x10000000u
#define VIRT_CLINT_BASE 0x02000000u
#define VIRT_CLINT_MTIME (VIRT_CLINT_BASE + 0xBFF8u)
/* RISCV_ACLINT_DEFAULT_TIMEBASE_FREQ: mtime ticks per second. */
#define VIRT_MTIME_HZ 10000000u
#define VIRT_MTIME_TICKS_PER_US (VIRT_MTIME_HZ / 1000000u)
/* The sifive_test device: writing FINISHER_PASS powers the machine off. */
#define VIRT_TEST_BASE 0x00100000u
#define VIRT_TEST_FINISHER_PASS 0x5555u
#define VIRT_TEST_FINISHER_FAIL 0x3333u

/* 64-bit mtime on a 32-bit core: high, low, high again until stable. */
static inline uint64_t virt_mtime(void) {
  volatile uint32_t *lo = (volatile uint32_t *)VIRT_CLINT_MTIME;
  volatile uint32_t *hi = lo + 1;
  uint32_t h, l;
  do {
    h = *hi;
    l = *lo;
  } while (*hi != h);
  return ((uint64_t)h << 32) | l;
}

#endif
