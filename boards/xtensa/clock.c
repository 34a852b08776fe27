#include "clock.h"

#include "xtfpga.h"

static uint32_t g_ticks_per_us;
static uint32_t g_last, g_high;

static inline uint32_t ccount(void) {
  uint32_t c;
  __asm__ volatile("rsr %0, ccount" : "=r"(c));
  return c;
}

uint64_t xt_ccount64(void) {
  uint32_t c = ccount();
  if (c < g_last) g_high++;
  g_last = c;
  return ((uint64_t)g_high << 32) | c;
}

uint32_t xt_ticks_per_us(void) {
  if (g_ticks_per_us == 0) {
    uint32_t hz = *(volatile uint32_t *)XTFPGA_CLOCK_HZ_REG;
    g_ticks_per_us = hz >= 1000000u ? hz / 1000000u : 1u;
  }
  return g_ticks_per_us;
}

uint64_t xt_micros64(void) { return xt_ccount64() / xt_ticks_per_us(); }

void xt_sleep_until_us(uint64_t until_us) {
  uint64_t now = xt_ccount64(), until = until_us * xt_ticks_per_us();
  uint32_t saved_ps;
  if (until <= now) return;
  /* CCOMPARE0 matches 32 bits: never sleep past half their range. */
  if (until - now > 0x7FFFFFFFu) until = now + 0x7FFFFFFFu;
  /* Masked (PS.INTLEVEL 1) while arming: an interrupt taken before the WAITI
   * would leave it waiting with nothing enabled. WAITI 0 unmasks and waits
   * in one step; the level-1 vector (start.S) masks both sources again
   * (INTENABLE) and returns here. */
  __asm__ volatile("rsil %0, 1" : "=r"(saved_ps));
  __asm__ volatile("wsr %0, ccompare0; rsync" ::"r"((uint32_t)until)); /* also clears a pending match */
  __asm__ volatile("wsr %0, intenable; rsync" ::"r"((1u << XT_TIMER0_INTERRUPT) | (1u << XT_UART_INTERRUPT)));
  /* CCOMPARE0 interrupts only when CCOUNT meets it: if CCOUNT passed it while
   * it was being written (QEMU without -icount runs in real time), do not
   * wait for a match 2^32 ticks away. */
  if ((int32_t)(ccount() - (uint32_t)until) >= 0) {
    __asm__ volatile("wsr %0, intenable; rsync" ::"r"(0u));
  } else {
    __asm__ volatile("waiti 0" ::: "memory");
  }
  __asm__ volatile("wsr %0, ps; rsync" ::"r"(saved_ps) : "memory");
  (void)xt_ccount64(); /* keep the wrap count current */
}
