#include "stats_line.h"

#include "engine.h"
#include "engine_counted.h"
#include "heap.h"
#include "pump.h"
#include "stack.h"
#include "text_line.h"
#include "hal_counters.h"

#ifndef EP_ISA_NAME
#error "EP_ISA_NAME (e.g. \"rv32imc\") comes from the Makefile"
#endif

extern char __ram_bytes[];

void ep_send_stats_line(void) {
  text_line t;
  text_begin(&t, "edgeprop: stats engine=");
  text_str(&t, ep_engine_name());
  text_str(&t, " isa=" EP_ISA_NAME);
  text_field(&t, "instructions", ep_module_instructions());
  text_field(&t, "poll_instructions", ep_poll_instructions());
  text_field(&t, "load_instructions", ep_load_instructions());
  text_field(&t, "heap_peak", ep_heap_peak_bytes());
  text_field(&t, "heap_limit", ep_heap_capacity_bytes());
  text_field(&t, "stack_peak", ep_stack_peak_bytes());
  text_field(&t, "stack_limit", ep_stack_capacity_bytes());
  text_field(&t, "ram", (uintptr_t)__ram_bytes);
  text_field(&t, "watchdog_feeds", ep_watchdog_feeds);
  text_field(&t, "watchdog_feeds_one_call", ep_most_feeds_in_one_call());
  text_field(&t, "traps", ep_pump_trap_count());
  text_field(&t, "rx_bytes", ep_rx_bytes);
  text_send(&t);
}
