/* A CPU exception on the LX106 board (start.S's vectors land here): the
 * firmware says what happened and powers off, so the launcher sees qemu exit
 * instead of a board that hangs. exccause 9 would be LoadStoreAlignment (an
 * unaligned l32i/s32i/l16ui on a real ESP8266; QEMU 7.2's lx106 model does
 * not raise it: docs/boards.md), 0 an illegal instruction.
 * A debug exception other than ICOUNT's wrap is 0x100 | DEBUGCAUSE, a double
 * exception 0x200 | EXCCAUSE, an NMI 0x300. */
#include <stdint.h>

#include "power.h"
#include "text_line.h"

void ep_fault(uint32_t cause, uint32_t epc1, uint32_t excvaddr) __attribute__((noreturn));

/* ICOUNT's wrap count (icount.h), written by the debug vector. */
volatile struct ep_icount_state_s {
  uint32_t scratch;
  uint32_t wraps;
} ep_icount_state;

void ep_fault(uint32_t cause, uint32_t epc1, uint32_t excvaddr) {
  text_line t;
  text_begin(&t, "edgeprop: fault exccause=");
  text_hex(&t, cause);
  text_str(&t, " epc1=");
  text_hex(&t, epc1);
  text_str(&t, " excvaddr=");
  text_hex(&t, excvaddr);
  text_send(&t);
  ep_power_off(0);
}
