/* edgeprop board pump: moves bytes between the link (hal.h) and the module
 * (engine.h). The module owns the protocol; the pump only
 *   1. calls boot(boot_id, memory_limit) once and writes the banner it returns,
 *   2. reads what arrived (at most rx_capacity) into the module's rx buffer,
 *   3. calls rx(n) and writes each reply at tx_buffer, calling rx(0) until 0.
 * If the module traps (or reports a buffer outside its memory), the pump writes
 * "edgeprop: trap: <text>\r\n", then an ERROR frame (code 10, TRAP), and
 * restarts the module: ep_engine_reload(), boot with boot_id + 1, the banner
 * again, and it keeps reading input. A module whose fresh instances trap
 * three times in a row before taking any input is given up on (one
 * LOAD_FAILED report); the pump then reads and drops input.
 */
#ifndef EDGEPROP_PUMP_H
#define EDGEPROP_PUMP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ep_pump_config {
  uint32_t boot_id;
  /* Passed to boot(); 0 = the whole memory. */
  int32_t memory_limit;
  /* How long one poll may wait for input, ms. */
  uint32_t read_timeout_ms;
} ep_pump_config;

/* Boots the module (the engine must be loaded) and writes its banner.
 * Returns 0, or -1 if the link is gone. A trap in boot is reported and the
 * module restarted (see above); it is not fatal. */
int ep_pump_start(const ep_pump_config *cfg);

/* The longest banner ep_pump_start_held can hold (the module's is about 60 bytes). */
#define EP_PUMP_BANNER_MAX 96

/* ep_pump_start, with every banner (this boot's, and a restart's after a
 * trap) held back until ep_pump_announce: a firmware that restores a saved
 * model at boot says so in the banner itself. Anything else the pump writes
 * (a poll's replies, a trap report) writes a held banner first, as it is. */
int ep_pump_start_held(const ep_pump_config *cfg);

/* Writes the held banner, `note` (NULL or "": none) added before its line
 * end as one more field ("... bo=0123abcd re=model"). 0 if none is held. 0,
 * or -1 if the link is gone. */
int ep_pump_announce(const char *note);

/* Whether a banner is held (1) or not (0). */
int ep_pump_banner_held(void);

/* One round: wait up to read_timeout_ms for input, hand it to the module,
 * write every reply. Returns 1 if bytes moved, 0 if idle, -1 when the link
 * is closed (the caller should stop). */
int ep_pump_poll(void);

/* ep_pump_poll waiting at most `timeout_ms` (0: only what has arrived), for
 * a firmware that serves the link between its own work (edgeprop.h). */
int ep_pump_poll_timeout(uint32_t timeout_ms);

/* For a caller whose own call into the module trapped (edgeprop.h's direct
 * calls): reports the trap on the link like one inside rx (text line, ERROR
 * frame TRAP) and restarts the module. 0, or -1 if the link is gone. */
int ep_pump_restart_after_trap(const char *message);

/* ep_pump_start, then ep_pump_poll until the link closes. Returns 0 at end of
 * input, -1 if start failed. */
int ep_pump_run(const ep_pump_config *cfg);

/* For a module that did not load: writes "edgeprop: load failed: <text>\r\n"
 * and an ERROR frame (code 11, LOAD_FAILED). Returns 0 or -1 (link gone). */
int ep_pump_report_load_failure(uint32_t boot_id, const char *message);

/* For a module that did not load, as a board runs it: the report above, then
 * the same report again for every frame that arrives, until the link closes
 * (returns 0) or a write fails (-1). The board stays on the line and says why
 * it cannot train, however late the host attaches. */
int ep_pump_serve_load_failure(const ep_pump_config *cfg, const char *message);

/* Traps seen since start (for tests and logs). */
uint32_t ep_pump_trap_count(void);

/* Times the module was instantiated again after a trap. */
uint32_t ep_pump_reload_count(void);

#ifdef __cplusplus
}
#endif

#endif
