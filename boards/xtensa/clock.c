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
  if (until <= now) return;
  /* CCOMPARE0 matches 32 bits: never sleep past half their range. */
  if (until - now > 0x7FFFFFFFu) until = now + 0x7FFFFFFFu;
  __asm__ volatile("wsr %0, ccompare0; rsync" ::"r"((uint32_t)until)); /* also clears a pending match */
  __asm__ volatile("wsr %0, intenable; rsync" ::"r"((1u << XT_TIMER0_INTERRUPT) | (1u << XT_UART_INTERRUPT)));
  /* Sleeps until the timer or received data interrupts; the level-1 vector
   * (start.S) masks both again and returns here. */
  __asm__ volatile("waiti 0" ::: "memory");
  (void)xt_ccount64(); /* keep the wrap count current */
}
