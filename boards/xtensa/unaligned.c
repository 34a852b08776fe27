/* A firmware that proves the LX106's alignment trap is live: it says what it
 * is about to do, then loads a 32-bit word from an address that is not a
 * multiple of 4. The core must raise LoadStoreAlignment (exccause 9) and
 * fault.c report it; a line saying the load returned means it did not. */
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
  return 0;
}
