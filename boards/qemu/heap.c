/* sbrk over [__heap_start, __heap_end): picolibc's malloc grows the heap
 * through it, so the break is the heap's high-water. */
#include "heap.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

extern char __heap_start[], __heap_end[];
static char *g_break = __heap_start;

void *sbrk(ptrdiff_t incr) {
  char *old = g_break;
  if (incr < 0 ? (size_t)-incr > (size_t)(g_break - __heap_start)
               : (size_t)incr > (size_t)(__heap_end - g_break)) {
    errno = ENOMEM;
    return (void *)-1;
  }
  g_break += incr;
  return old;
}

uint32_t ep_heap_peak_bytes(void) { return (uint32_t)(g_break - __heap_start); }
uint32_t ep_heap_capacity_bytes(void) { return (uint32_t)(__heap_end - __heap_start); }
uint32_t ep_board_heap_free_bytes(void) { return (uint32_t)(__heap_end - g_break); }
