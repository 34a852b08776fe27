#include "stack.h"

extern uint32_t __stack_bottom[], __stack_top[];

/* Scans up from the bottom: everything above the first overwritten word has
 * been used (a frame can skip words, never the words below it). */
uint32_t ep_stack_peak_bytes(void) {
  const uint32_t *p = __stack_bottom;
  while (p < __stack_top && *p == STACK_PAINT) p++;
  return (uint32_t)((const char *)__stack_top - (const char *)p);
}

uint32_t ep_stack_capacity_bytes(void) {
  return (uint32_t)((const char *)__stack_top - (const char *)__stack_bottom);
}
