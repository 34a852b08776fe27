/* The POSIX board's HAL (hal_posix.c): what its programs set up before the pump runs. */
#ifndef EDGEPROP_HAL_POSIX_H
#define EDGEPROP_HAL_POSIX_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Opens a serial device (or a pty) in raw mode at `baud`; the fd, or -1 (said on stderr). */
int ep_posix_open_tty(const char *path, long baud);
/* The link is this fd from now on (default: stdin and stdout). */
void ep_posix_use_fd(int fd);
/* A boot id from /dev/urandom (the time and pid if that fails). */
uint32_t ep_posix_random_boot_id(void);
/* Set when a write found the link gone. */
extern int ep_posix_link_gone;

#ifdef __cplusplus
}
#endif

#endif
