/* A boot id that differs from one boot to the next (the host tells a reboot
 * from a banner with a new id). No random source on `virt`: a counter kept in
 * RAM that QEMU's system_reset does not reload (.noinit), mixed with mtime. */
#ifndef EDGEPROP_QEMU_BOOT_ID_H
#define EDGEPROP_QEMU_BOOT_ID_H

#include <stdint.h>

uint32_t ep_next_boot_id(void);

#endif
