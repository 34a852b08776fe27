/*
 * plain_rv32.c - runs bench/peers/plain.c bare metal on QEMU's riscv32 `virt`
 * machine (boards/qemu's startup, heap and UART), so the native limit is
 * measured on the same emulated CPU as the firmware.
 *
 * plain.c is compiled unchanged with -Dmain=plain_main; its arguments are
 * baked in at build time (PLAIN_ARGS, a list of string literals, from
 * `make -C boards/qemu plain PLAIN_ARGS=...`), its clock is minstret and its
 * stdout the UART. Around plain_main it reads minstret and prints
 *   edgeprop: plain instructions=N heap_peak=N stack_peak=N
 * then powers the machine off. Under qemu -icount shift=0 the count is
 * exact; the difference between two epoch counts is the training cost.
 *
 * The LX106 board builds this file as it is (`make -C boards/xtensa plain`):
 * there minstret64() reads the core's ICOUNT (boards/xtensa/icount.h) and
 * the same startup, heap and UART code comes from boards/qemu by path.
 */
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "hal.h"
#include "heap.h"
#include "minstret.h"
#include "power.h"
#include "stack.h"
#include "text_line.h"
#include "uart16550.h"

#ifndef PLAIN_ARGS
#error "PLAIN_ARGS (plain.c's arguments as string literals) comes from the Makefile"
#endif

int plain_main(int argc, char **argv);

/* plain.c's output is held in RAM while it runs and sent afterwards: waiting
 * for the UART takes as many polls as the host side makes it, which would
 * make the instruction count vary from run to run. */
static char g_out[1024];
static unsigned g_out_len;

static int uart_putc(char c, FILE *f) {
  (void)f;
  if (g_out_len < sizeof g_out) g_out[g_out_len++] = c;
  return (unsigned char)c;
}
static FILE uart_stream = FDEV_SETUP_STREAM(uart_putc, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdout = &uart_stream;
FILE *const stderr = &uart_stream;

/* plain.c times itself and prints the rate; the clock is the instruction
 * count at one instruction per ns (what -icount shift=0 means), so even
 * the digits it prints, and the instructions spent printing them, are the
 * same on every run. */
int clock_gettime(clockid_t clock, struct timespec *ts) {
  uint64_t ns = minstret64();
  (void)clock;
  ts->tv_sec = (time_t)(ns / 1000000000u);
  ts->tv_nsec = (long)(ns % 1000000000u);
  return 0;
}

int main(void) {
  static char *argv[] = {"plain-c", PLAIN_ARGS, NULL};
  int argc = (int)(sizeof argv / sizeof argv[0]) - 1;
  uint64_t before, used;
  int status;
  text_line t;
  uart_init();
  before = minstret64();
  status = plain_main(argc, argv);
  used = minstret64() - before;
  (void)ep_hal_write((const uint8_t *)g_out, g_out_len);
  text_begin(&t, "edgeprop: plain");
  text_field(&t, "instructions", used);
  text_field(&t, "heap_peak", ep_heap_peak_bytes());
  text_field(&t, "stack_peak", ep_stack_peak_bytes());
  text_field(&t, "status", (unsigned)status);
  text_send(&t);
  ep_power_off(status == 0);
}
