/* Powers the emulated machine off (QEMU's sifive_test device): qemu exits,
 * with status 0 for `ok`, 1 otherwise. Never returns. */
#ifndef EDGEPROP_QEMU_POWER_H
#define EDGEPROP_QEMU_POWER_H

void ep_power_off(int ok) __attribute__((noreturn));

#endif
