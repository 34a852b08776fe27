/* Stand-in for <sys/mman.h> on bare metal. WABT's wasm-rt-impl.c includes it
 * unconditionally, but on a 32-bit target (no guard pages: bounds checks
 * instead) it only defines static helpers that nothing calls, so these
 * declarations are never linked. */
#ifndef EDGEPROP_QEMU_SYS_MMAN_H
#define EDGEPROP_QEMU_SYS_MMAN_H

#include <stddef.h>

#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_PRIVATE 2
#define MAP_ANONYMOUS 0x20
#define MAP_FAILED ((void *)-1)

void *mmap(void *addr, size_t length, int prot, int flags, int fd, long offset);
int munmap(void *addr, size_t length);
int mprotect(void *addr, size_t length, int prot);

#endif
