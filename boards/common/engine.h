/* edgeprop board pump: the WebAssembly engine a target links in.
 *
 * One implementation per engine: engine_wasm3.c (the interpreter used on the
 * boards and, optionally, on POSIX) and boards/posix/engine_wasm2c.c (the
 * module translated to C ahead of time). The pump only ever calls these.
 *
 * Every call into the module returns 0 on success or -1 if the module
 * trapped (or the export is missing); ep_engine_error() then gives the text.
 * A trap does not end the engine: later calls work (memory keeps its state,
 * which may be inconsistent: the pump reloads the module, ep_engine_reload).
 */
#ifndef EDGEPROP_ENGINE_H
#define EDGEPROP_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ep_engine_config {
  /* The module's bytes; must stay alive while the engine runs. Ignored by
   * engines that have the module compiled in (wasm2c). */
  const uint8_t *module;
  uint32_t module_len;
  /* wasm3's value stack, bytes (the profile's wasm3_stack). */
  uint32_t stack_bytes;
  /* Cap on the linear memory the engine allocates, bytes; 0 = as declared.
   * wasm3 enforces it (runtime->memoryLimit); wasm2c cannot go below the
   * declared pages and leaves it to the module (boot's memoryLimitBytes). */
  uint32_t memory_limit;
} ep_engine_config;

/* Instantiates the module and finds the exports. 0 or -1 (see error). */
int ep_engine_load(const ep_engine_config *cfg);

/* Drops the instance and instantiates the module again from the config given
 * to ep_engine_load: fresh memory and globals, as at power-up (the pump calls
 * it after a trap, then boots the new instance). 0 or -1 (see error). */
int ep_engine_reload(void);

/* A short name for logs: "wasm3" or "wasm2c". */
const char *ep_engine_name(void);

/* The text of the last failure (load error or trap); never NULL. */
const char *ep_engine_error(void);

/* The linear memory's base and size in bytes (re-read after every call). */
uint8_t *ep_engine_memory(uint32_t *size);

/* The module's exports. `out` receives the i32 result. */
int ep_engine_boot(uint32_t boot_id, int32_t memory_limit, int32_t *out);
int ep_engine_rx(int32_t n, int32_t *out);
int ep_engine_rx_buffer(int32_t *out);
int ep_engine_rx_capacity(int32_t *out);
int ep_engine_tx_buffer(int32_t *out);

/* Optional export add_busy_time(us): tells the module how long its last rx
 * calls took. Returns 0, -1 on a trap, 1 if the module does not export it. */
int ep_engine_add_busy_time(uint32_t micros);

#ifdef __cplusplus
}
#endif

#endif
