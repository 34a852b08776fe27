/* The emulated board's stand-in for the generated edgeprop_module.h (what
 * `edgeprop flash --header-only` writes for a real board): the sketch gets
 * no bytes here, because the firmware passes the module it carries itself
 * (compiled in with wasm2c, embedded by module.S with wasm3), and the
 * profile's numbers come from the Makefile as they do for main.c. */
#ifndef EDGEPROP_MODULE_H
#define EDGEPROP_MODULE_H

#define EDGEPROP_BOARD "qemu"
#define EDGEPROP_MEMORY_LIMIT EP_MEMORY_LIMIT
#define EDGEPROP_WASM3_STACK EP_WASM3_STACK
#define EDGEPROP_BAUD 115200
#define EDGEPROP_MAX_CHUNK 64

#define edgeprop_module ((const unsigned char *)0)
#define edgeprop_module_len 0u

#endif
