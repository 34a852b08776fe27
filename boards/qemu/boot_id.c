#include "boot_id.h"

/* The clock mixed in: QEMU virt's mtime, or another board's 64-bit clock
 * (boards/xtensa passes EP_BOOT_CLOCK and the header that declares it). */
#ifndef EP_BOOT_CLOCK
#include "virt.h"
#define EP_BOOT_CLOCK() virt_mtime()
#endif

static uint32_t g_boots __attribute__((section(".noinit")));

/* murmur3's finaliser: spreads every input bit over the result. */
static uint32_t mix(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

uint32_t ep_next_boot_id(void) {
  uint64_t t = EP_BOOT_CLOCK();
  uint32_t id;
  g_boots++;
  id = mix(g_boots * 0x9e3779b9u ^ (uint32_t)t ^ mix((uint32_t)(t >> 32)));
  return id ? id : 1u;
}
