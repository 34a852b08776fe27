/* Forced into the real engine's translation unit (-include engine_inner.h):
 * renames its engine.h functions to ep_inner_*, so engine_counted.c can
 * implement engine.h around them (counting the instructions spent inside the
 * module) without a line of boards/common or boards/posix changing. */
#ifndef EDGEPROP_QEMU_ENGINE_INNER_H
#define EDGEPROP_QEMU_ENGINE_INNER_H

#define ep_engine_load ep_inner_engine_load
#define ep_engine_reload ep_inner_engine_reload
#define ep_engine_name ep_inner_engine_name
#define ep_engine_error ep_inner_engine_error
#define ep_engine_memory ep_inner_engine_memory
#define ep_engine_boot ep_inner_engine_boot
#define ep_engine_rx ep_inner_engine_rx
#define ep_engine_rx_buffer ep_inner_engine_rx_buffer
#define ep_engine_rx_capacity ep_inner_engine_rx_capacity
#define ep_engine_tx_buffer ep_inner_engine_tx_buffer
#define ep_engine_add_busy_time ep_inner_engine_add_busy_time

#include "engine.h"

#endif
