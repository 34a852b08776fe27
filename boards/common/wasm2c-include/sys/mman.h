/* Stand-in for <sys/mman.h> on targets without one (ESP-IDF, bare metal).
 * WABT's wasm-rt-impl.c (1.0.32) includes it on every non-Windows target, but
 * on a 32-bit target (no guard pages: explicit bounds checks instead) it only
 * defines static helpers that nothing calls: these declarations let the file
 * compile and are never linked. Used by boards/esp32 (wasm2c environments)
 * and boards/qemu. */
#ifndef EDGEPROP_STUB_SYS_MMAN_H
#define EDGEPROP_STUB_SYS_MMAN_H

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
