/* What the emulated LX106 does with an unaligned access, and that its
 * exception vectors report a fault (tests/emulated/xtensa.test.ts).
 *
 * A real ESP8266 raises LoadStoreAlignment (exccause 9) on an unaligned
 * l32i; QEMU 7.2's lx106 model does not: it returns the unaligned word. This
 * firmware says which happened, then executes an illegal instruction, which
 * must reach the user vector (start.S) and fault.c (exccause 0). */
#include <stdint.h>

#include "text_line.h"
#include "uart16550.h"

int main(void) {
  static uint32_t words[2] = {0x11223344u, 0x55667788u};
  volatile uint32_t *odd = (volatile uint32_t *)((uintptr_t)words + 1u);
  text_line t;
  uart_init();
  text_begin(&t, "edgeprop: unaligned load from ");
  text_hex(&t, (uint32_t)(uintptr_t)odd);
  text_send(&t);
  {
    uint32_t v = *odd;
    text_begin(&t, "edgeprop: unaligned load returned ");
    text_hex(&t, v);
    text_send(&t);
  }
  text_begin(&t, "edgeprop: illegal instruction next");
  text_send(&t);
  __asm__ volatile("ill");
  return 0;
}
