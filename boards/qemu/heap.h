/* The heap between the end of static data and the bottom of the stack
 * (link.ld), handed out by sbrk() to picolibc's malloc. */
#ifndef EDGEPROP_QEMU_HEAP_H
#define EDGEPROP_QEMU_HEAP_H

#include <stdint.h>

/* Bytes the heap has ever been grown to (malloc never gives memory back to
 * sbrk, so this is the high-water of everything malloc handed out, with its
 * headers and fragmentation). */
uint32_t ep_heap_peak_bytes(void);
/* Bytes the heap may grow to. */
uint32_t ep_heap_capacity_bytes(void);
/* Bytes sbrk can still hand out (the engine's load quotes it when the
 * module's memory does not fit: boards/posix/engine_wasm2c.c). */
uint32_t ep_board_heap_free_bytes(void);

#endif
