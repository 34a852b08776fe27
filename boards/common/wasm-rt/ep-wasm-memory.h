/* The module's loads and stores, in place of wasm2c's (adapt-wasm2c.mjs puts
 * `#include "ep-wasm-memory.h"` where the generated C defined them, and turns
 * each access `X_load(mem, (u64)(BASE) + OFF)` into `X_load_at(mem, ep_mem,
 * BASE, OFF)`, ep_mem the memory's data pointer held in a local).
 *
 * Every access the module makes is naturally aligned (the engine's rule,
 * proven by the checked build below in npm test), so each helper tells the
 * compiler so and a strict-alignment core (RISC-V GCC) emits one lw/flw/sw
 * instead of a byte-wise copy. The accesses are typed (a memcpy of an f32
 * lets GCC load it into an integer register and move it across) through
 * may_alias types (alias-safe: the module reads bytes it wrote as floats,
 * e.g. for the CRC).
 *
 * Board builds (EP_WASM_MEMORY_BYTES, a power of two: the profile's pages x
 * 64 KiB): no bounds check per access; the base address is masked into the
 * memory and the access's static offset added after, so all the accesses off
 * one base share one masked pointer and each offset is the instruction's
 * immediate. The memory is allocated with a guard after it of (the module's
 * largest static offset + 8) bytes (ep_wasm_allocate_memory, the size from
 * adapt-wasm2c.mjs), so (base & (bytes - 1)) + offset + the access's size
 * stays inside the allocation: no input can make an access leave it (the
 * sandbox holds even if the module were wrong). Alignment is not forced by
 * the mask (a base may be odd with an odd offset, as the protocol's packed
 * fields are): it is the checked build's proof; were it ever wrong on a
 * board, the access would be a misaligned one (a trap or a slow access on a
 * RISC-V core), still inside the allocation.
 *
 * EP_WASM_CHECKED (a host build, tests/firmware/checked-wasm-rt.test.ts):
 * every access is checked aligned and below the configured plan's limit (the
 * memory limit the firmware gives boot()), aborting with the address
 * otherwise. The masked build is only as right as this proof. */
#ifndef EP_WASM_MEMORY_H
#define EP_WASM_MEMORY_H

#include <stdint.h>
#include <string.h>

#include "wasm-rt.h"

#define EP_WASM_PAGE_BYTES 65536u

void ep_wasm_memory_mismatch(uint32_t initial_pages, uint32_t max_pages);
/* Bytes of the module's memory (with its guard) that could not be allocated
 * at instantiation (0: none refused). The allocation then traps; the engine's load reports it. */
extern uint32_t ep_wasm_memory_refused_bytes;
/* wasm_rt_allocate_memory with guard_bytes more after the memory (zeroed,
 * outside mem->size): where a masked base plus a static offset can reach. */
void ep_wasm_allocate_memory(wasm_rt_memory_t *mem, uint32_t initial_pages, uint32_t max_pages, uint32_t guard_bytes);

#if defined(EP_WASM_CHECKED)
extern uint32_t ep_wasm_checked_limit;
void ep_wasm_set_checked_limit(uint32_t bytes);
void ep_wasm_checked_fail(uint64_t addr, uint32_t bytes, const char *what);
static inline uint8_t *ep_wasm_at(wasm_rt_memory_t *mem, uint64_t addr, uint32_t bytes, const char *what) {
  if (addr % bytes != 0 || addr + bytes > ep_wasm_checked_limit || addr + bytes > mem->size) ep_wasm_checked_fail(addr, bytes, what);
  return mem->data + addr;
}
static inline uint8_t *ep_wasm_at_offset(wasm_rt_memory_t *mem, uint8_t *data, uint32_t base, uint32_t offset, uint32_t bytes, const char *what) {
  (void)data;
  return ep_wasm_at(mem, (uint64_t)base + offset, bytes, what);
}
#elif defined(EP_WASM_MEMORY_BYTES)
#if (EP_WASM_MEMORY_BYTES & (EP_WASM_MEMORY_BYTES - 1)) != 0 || EP_WASM_MEMORY_BYTES < 8
#error "EP_WASM_MEMORY_BYTES must be a power of two (the profile's pages x 65536)"
#endif
#define ep_wasm_at(mem, addr, bytes, what) \
  ((mem)->data + ((uint32_t)(addr) & (uint32_t)(EP_WASM_MEMORY_BYTES - (bytes))))
/* Only the base is masked: data + (base & mask) is common to every access
 * off that base; the offset (under the guard's size) is the immediate. */
#define ep_wasm_at_offset(mem, data, base, offset, bytes, what) \
  ((data) + ((uint32_t)(base) & (uint32_t)(EP_WASM_MEMORY_BYTES - 1u)) + (offset))
#endif

/* The helpers, for the generated C only (its edgeprop.h typedefs u8..f64;
 * adapt-wasm2c.mjs defines EP_WASM_MEMORY_BYTES from its memory). */
#ifdef WASM_RT_CORE_TYPES_DEFINED
#if !defined(EP_WASM_CHECKED) && !defined(EP_WASM_MEMORY_BYTES)
#error "define EP_WASM_MEMORY_BYTES (the module's memory, a power of two) or EP_WASM_CHECKED"
#endif

/* The data segments, at instantiation (outside the per-access path): checked. */
#define LOAD_DATA(m, o, i, s)                                                               \
  do {                                                                                      \
    if ((uint64_t)(o) + (uint64_t)(s) > (m).size) wasm_rt_trap(WASM_RT_TRAP_OOB);           \
    memcpy(&(m).data[o], i, s);                                                             \
  } while (0)

#define EP_DEFINE_LOAD(name, t1, t2, t3)                                            \
  static inline t3 name(wasm_rt_memory_t *mem, u64 addr) {                          \
    t1 result;                                                                      \
    __builtin_memcpy(&result, __builtin_assume_aligned(ep_wasm_at(mem, addr, sizeof(t1), #name), sizeof(t1)), sizeof(t1)); \
    return (t3)(t2)result;                                                          \
  }
#define EP_DEFINE_STORE(name, t1, t2)                                               \
  static inline void name(wasm_rt_memory_t *mem, u64 addr, t2 value) {              \
    t1 wrapped = (t1)value;                                                         \
    __builtin_memcpy(__builtin_assume_aligned(ep_wasm_at(mem, addr, sizeof(t1), #name), sizeof(t1)), &wrapped, sizeof(t1)); \
  }

/* The forms adapt-wasm2c.mjs rewrites every access to. */
#define EP_DEFINE_LOAD_AT(name, t1, t2, t3)                                                   \
  static inline t3 name##_at(wasm_rt_memory_t *mem, u8 *data, u32 base, u32 offset) {        \
    typedef t1 __attribute__((may_alias, aligned(sizeof(t1)))) alias_t;                       \
    return (t3)(t2)*(const alias_t *)ep_wasm_at_offset(mem, data, base, offset, sizeof(t1), #name); \
  }
#define EP_DEFINE_STORE_AT(name, t1, t2)                                                      \
  static inline void name##_at(wasm_rt_memory_t *mem, u8 *data, u32 base, u32 offset, t2 value) { \
    typedef t1 __attribute__((may_alias, aligned(sizeof(t1)))) alias_t;                       \
    *(alias_t *)ep_wasm_at_offset(mem, data, base, offset, sizeof(t1), #name) = (t1)value;    \
  }
#define EP_DEFINE_ACCESS_LOAD(name, t1, t2, t3) EP_DEFINE_LOAD(name, t1, t2, t3) EP_DEFINE_LOAD_AT(name, t1, t2, t3)
#define EP_DEFINE_ACCESS_STORE(name, t1, t2) EP_DEFINE_STORE(name, t1, t2) EP_DEFINE_STORE_AT(name, t1, t2)

EP_DEFINE_ACCESS_LOAD(i32_load, u32, u32, u32)
EP_DEFINE_ACCESS_LOAD(i64_load, u64, u64, u64)
EP_DEFINE_ACCESS_LOAD(f32_load, f32, f32, f32)
EP_DEFINE_ACCESS_LOAD(f64_load, f64, f64, f64)
EP_DEFINE_ACCESS_LOAD(i32_load8_s, s8, s32, u32)
EP_DEFINE_ACCESS_LOAD(i64_load8_s, s8, s64, u64)
EP_DEFINE_ACCESS_LOAD(i32_load8_u, u8, u32, u32)
EP_DEFINE_ACCESS_LOAD(i64_load8_u, u8, u64, u64)
EP_DEFINE_ACCESS_LOAD(i32_load16_s, s16, s32, u32)
EP_DEFINE_ACCESS_LOAD(i64_load16_s, s16, s64, u64)
EP_DEFINE_ACCESS_LOAD(i32_load16_u, u16, u32, u32)
EP_DEFINE_ACCESS_LOAD(i64_load16_u, u16, u64, u64)
EP_DEFINE_ACCESS_LOAD(i64_load32_s, s32, s64, u64)
EP_DEFINE_ACCESS_LOAD(i64_load32_u, u32, u64, u64)
EP_DEFINE_ACCESS_STORE(i32_store, u32, u32)
EP_DEFINE_ACCESS_STORE(i64_store, u64, u64)
EP_DEFINE_ACCESS_STORE(f32_store, f32, f32)
EP_DEFINE_ACCESS_STORE(f64_store, f64, f64)
EP_DEFINE_ACCESS_STORE(i32_store8, u8, u32)
EP_DEFINE_ACCESS_STORE(i32_store16, u16, u32)
EP_DEFINE_ACCESS_STORE(i64_store8, u8, u64)
EP_DEFINE_ACCESS_STORE(i64_store16, u16, u64)
EP_DEFINE_ACCESS_STORE(i64_store32, u32, u64)

#endif /* WASM_RT_CORE_TYPES_DEFINED */

#endif
