/* The line the firmware prints each time it goes idle (input drained):
 *
 *   edgeprop: stats engine=E isa=I instructions=N poll_instructions=N load_instructions=N
 *     heap_peak=N heap_limit=N stack_peak=N stack_limit=N ram=N
 *     watchdog_feeds=N watchdog_feeds_one_call=N traps=N rx_bytes=N
 *
 * (one line). instructions: retired inside the module's working calls since
 * boot (boot, rx, tx_buffer, add_busy_time; counted under QEMU -icount
 * shift=0); poll_instructions: in the rx_buffer/rx_capacity queries before
 * every read, whose number follows the host's timing; load_instructions: the engine's load (wasm3
 * parses and compiles there); heap_peak/stack_peak: high-water bytes of the
 * heap (sbrk break) and the stack (painting); *_limit: what the linker
 * script gives each; ram: the RAM region from the board profile;
 * watchdog_feeds: ep_hal_feed_watchdog calls; watchdog_feeds_one_call: the
 * most of them inside a single module call (a long call feeds from inside); traps: the pump's count;
 * rx_bytes: bytes received since boot (the line whose rx_bytes equals what a
 * host sent follows its last frame). Tests and benchmarks wait for it
 * instead of sleeping. */
#ifndef EDGEPROP_QEMU_STATS_LINE_H
#define EDGEPROP_QEMU_STATS_LINE_H

void ep_send_stats_line(void);

#endif
