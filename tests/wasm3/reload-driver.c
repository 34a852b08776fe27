/* Drives boards/common/engine_wasm3.c directly (no pump): loads a module,
 * boots it, dirties its memory, calls ep_engine_reload and checks that the
 * memory is fresh and the module boots again. Prints one line per fact;
 * exits 0 only if all hold. Built by tests/wasm3/reload.test.ts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "hal.h"

void ep_hal_feed_watchdog(void) {}

static unsigned char *read_all(const char *path, unsigned *len) {
  FILE *f = fopen(path, "rb");
  unsigned char *buf;
  long n;
  if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0) return NULL;
  buf = malloc((size_t)n);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) return NULL;
  fclose(f);
  *len = (unsigned)n;
  return buf;
}

int main(int argc, char **argv) {
  ep_engine_config cfg;
  unsigned len = 0;
  uint32_t size = 0;
  int32_t banner1 = 0, banner2 = 0;
  uint8_t *mem;
  unsigned char *module;
  if (argc != 3) return 2;
  module = read_all(argv[1], &len);
  if (!module) return 2;
  memset(&cfg, 0, sizeof cfg);
  cfg.module = module;
  cfg.module_len = len;
  cfg.stack_bytes = 8192;
  cfg.memory_limit = (uint32_t)strtoul(argv[2], NULL, 0);
  if (ep_engine_load(&cfg) < 0) { printf("load failed: %s\n", ep_engine_error()); return 1; }
  if (ep_engine_boot(0x1234, (int32_t)cfg.memory_limit, &banner1) < 0) { printf("boot: %s\n", ep_engine_error()); return 1; }
  mem = ep_engine_memory(&size);
  printf("memory %u\n", (unsigned)size);
  mem[size - 1] = 0xAB;
  if (ep_engine_reload() < 0) { printf("reload failed: %s\n", ep_engine_error()); return 1; }
  mem = ep_engine_memory(&size);
  printf("after reload: memory %u, last byte %u\n", (unsigned)size, (unsigned)mem[size - 1]);
  if (ep_engine_boot(0x1234, (int32_t)cfg.memory_limit, &banner2) < 0) { printf("boot again: %s\n", ep_engine_error()); return 1; }
  printf("banner %d then %d\n", (int)banner1, (int)banner2);
  return mem[size - 1] == 0 && banner1 > 0 && banner1 == banner2 ? 0 : 1;
}
