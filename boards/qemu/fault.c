/* A CPU exception (illegal instruction, bad or misaligned access): start.S
 * lands here with the trap CSRs. The firmware says what happened and powers
 * off, so the launcher sees qemu exit instead of a board that hangs. A real
 * board would print a panic and reset. */
#include <stdint.h>

#include "power.h"
#include "text_line.h"

void ep_fault(uint32_t mcause, uint32_t mepc, uint32_t mtval) __attribute__((noreturn));

void ep_fault(uint32_t mcause, uint32_t mepc, uint32_t mtval) {
  text_line t;
  text_begin(&t, "edgeprop: fault mcause=");
  text_hex(&t, mcause);
  text_str(&t, " mepc=");
  text_hex(&t, mepc);
  text_str(&t, " mtval=");
  text_hex(&t, mtval);
  text_send(&t);
  ep_power_off(0);
}
