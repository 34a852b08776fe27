/* The wasm3 engine's one port hook (engine_wasm3.c has a weak no-op default).
 *
 * ep_wasm3_placement(phase) is called around wasm3's allocations so a port
 * can steer where malloc puts them: the runtime, value stack and compiled
 * code pages are touched on every instruction and belong in fast internal
 * RAM; the linear memory may be large and can live in external RAM (PSRAM).
 * wasm3 v0.5.0 has no allocator hook of its own (m3_Malloc is calloc), so the
 * ESP32-S3 port moves malloc's internal/external threshold instead. */
#ifndef EDGEPROP_ENGINE_WASM3_H
#define EDGEPROP_ENGINE_WASM3_H

#ifdef __cplusplus
extern "C" {
#endif

enum {
  EP_WASM3_PLACE_DEFAULT = 0,       /* done: the port's normal malloc policy */
  EP_WASM3_PLACE_INTERNAL = 1,      /* runtime, value stack, code pages */
  EP_WASM3_PLACE_LINEAR_MEMORY = 2  /* the module's linear memory */
};

void ep_wasm3_placement(int phase);

#ifdef __cplusplus
}
#endif

#endif
