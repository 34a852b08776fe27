/* The devices of QEMU's riscv32 `virt` machine that the firmware uses
 * (hw/riscv/virt.c): a 16550 UART and the CLINT's machine timer. */
#ifndef EDGEPROP_QEMU_VIRT_H
#define EDGEPROP_QEMU_VIRT_H

#include <stdint.h>

#define VIRT_UART0_BASE 0x10000000u
#define VIRT_CLINT_BASE 0x02000000u
#define VIRT_CLINT_MTIME (VIRT_CLINT_BASE + 0xBFF8u)
#define VIRT_CLINT_MTIMECMP0 (VIRT_CLINT_BASE + 0x4000u) /* hart 0 */
/* RISCV_ACLINT_DEFAULT_TIMEBASE_FREQ: mtime ticks per second. */
#define VIRT_MTIME_HZ 10000000u
#define VIRT_MTIME_TICKS_PER_US (VIRT_MTIME_HZ / 1000000u)
/* The PLIC: the UART is interrupt source 10; context 0 is hart 0's M mode. */
#define VIRT_PLIC_BASE 0x0C000000u
#define VIRT_PLIC_PRIORITY(src) (VIRT_PLIC_BASE + 4u * (src))
#define VIRT_PLIC_ENABLE_CTX0 (VIRT_PLIC_BASE + 0x2000u)
#define VIRT_PLIC_THRESHOLD_CTX0 (VIRT_PLIC_BASE + 0x200000u)
#define VIRT_PLIC_CLAIM_CTX0 (VIRT_PLIC_BASE + 0x200004u)
#define VIRT_UART0_IRQ 10u
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

/* Sets hart 0's timer compare: the machine-timer interrupt is pending while
 * mtime >= it. Low word first set to all ones so no spurious match happens
 * between the two halves. */
static inline void virt_set_mtimecmp(uint64_t when) {
  volatile uint32_t *lo = (volatile uint32_t *)VIRT_CLINT_MTIMECMP0;
  volatile uint32_t *hi = lo + 1;
  *lo = 0xFFFFFFFFu;
  *hi = (uint32_t)(when >> 32);
  *lo = (uint32_t)when;
}

#endif
