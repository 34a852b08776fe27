/* The POSIX board's stand-in for the generated edgeprop_module.h: the module
 * is compiled in (wasm2c), so a sketch built here gets no bytes and the
 * numbers of no profile (memory as declared; --memory-limit sets a limit). */
#ifndef EDGEPROP_MODULE_H
#define EDGEPROP_MODULE_H

#define EDGEPROP_BOARD "posix"
#define EDGEPROP_MEMORY_LIMIT 0
#define EDGEPROP_WASM3_STACK 65536
#define EDGEPROP_BAUD 921600
#define EDGEPROP_MAX_CHUNK 64

#define edgeprop_module ((const unsigned char *)0)
#define edgeprop_module_len 0u

#endif
