/* What both firmwares of the emulated board take from the build and give
 * the engine and the pump: main.c (the plain pump) and sketch_main.c (a
 * sketch on the training API). The profile's numbers come from the Makefile. */
#ifndef EDGEPROP_QEMU_FIRMWARE_CONFIG_H
#define EDGEPROP_QEMU_FIRMWARE_CONFIG_H

#include <stdint.h>
#include <string.h>

#include "boot_id.h"
#include "engine.h"
#include "pump.h"

#ifndef EP_MEMORY_LIMIT
#error "EP_MEMORY_LIMIT (the profile's memory_limit) comes from the Makefile"
#endif
#ifndef EP_WASM3_STACK
#error "EP_WASM3_STACK (the profile's wasm3_stack) comes from the Makefile"
#endif

/* How long one poll waits for input; idle is declared after one empty poll. */
#define EP_POLL_TIMEOUT_MS 20u
#define EP_PROTOCOL_DELIMITER 0x00u

/* The module's bytes where the engine loads it at run time (wasm3: module.S); absent with wasm2c. */
extern const uint8_t ep_module_bytes[] __attribute__((weak));
extern const uint8_t ep_module_end[] __attribute__((weak));

/* The engine and pump settings of this boot (a new boot id each time). */
static inline void ep_qemu_configs(ep_engine_config *ec, ep_pump_config *pc) {
  memset(ec, 0, sizeof *ec);
  memset(pc, 0, sizeof *pc);
  ec->module = ep_module_bytes;
  ec->module_len = ep_module_bytes ? (uint32_t)(ep_module_end - ep_module_bytes) : 0u;
  ec->stack_bytes = EP_WASM3_STACK;
  ec->memory_limit = EP_MEMORY_LIMIT;
  pc->boot_id = ep_next_boot_id();
  pc->memory_limit = EP_MEMORY_LIMIT;
  pc->read_timeout_ms = EP_POLL_TIMEOUT_MS;
}

#endif
