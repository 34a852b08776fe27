/* WABT's wasm-rt-impl.c (1.0.32) includes <sys/mman.h> on every non-Windows
 * target, but only calls mmap with its signal handler, which it disables on
 * 32-bit targets. ESP-IDF has no such header: these declarations let the file
 * compile; nothing calls them. */
#ifndef EDGEPROP_STUB_SYS_MMAN_H
#define EDGEPROP_STUB_SYS_MMAN_H
#include <stddef.h>
#include <sys/types.h>
#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_PRIVATE 2
#define MAP_ANONYMOUS 0x20
#define MAP_FAILED ((void *)-1)
void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int munmap(void *addr, size_t len);
int mprotect(void *addr, size_t len, int prot);
#endif
