/* The POSIX board under a sketch (examples/NAME/NAME.ino): main() calls the
 * sketch's setup(), whose edgeprop_board_start (edgeprop_board.h) runs the
 * trainer on this thread until the link closes. The link is stdin/stdout (or
 * --tty PATH), the engine wasm2c with the module compiled in, the storage a
 * directory of files (storage_posix.c).
 *
 *   NAME [--tty PATH] [--baud N] [--storage DIR] [--memory-limit BYTES] [--module PATH]
 *
 * --module: the module for the wasm3 engine (the wasm2c build has it compiled in).
 * Exits 0 when the link closes (end of input, or the tty hung up). */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "edgeprop_board.h"
#include "hal.h"
#include "hal_posix.h"
#include "pump.h"
#include "storage_posix.h"

/* The sketch's setup(), a C++ function (sketch_entry.cpp passes it on). */
void edgeprop_sketch_setup(void);

static long g_baud = 921600, g_memory_limit = 0;
static const char *g_tty, *g_module_path;
static uint8_t *g_module_bytes;
static uint32_t g_module_len;
static edgeprop *g_ep;

static int parse_num(const char *s, long *out) {
  char *end;
  long v;
  errno = 0;
  v = strtol(s, &end, 0);
  if (errno || *s == 0 || *end != 0 || v < 0 || v > 0x7FFFFFFFL) return -1;
  *out = v;
  return 0;
}

static int read_module(const char *path) {
  FILE *f = fopen(path, "rb");
  long n;
  if (!f) return -1;
  if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0 ||
      !(g_module_bytes = (uint8_t *)malloc((size_t)n)) || fread(g_module_bytes, 1, (size_t)n, f) != (size_t)n) {
    fclose(f);
    if (!errno) errno = EIO;
    return -1;
  }
  g_module_len = (uint32_t)n;
  fclose(f);
  return 0;
}

static void usage(const char *name) {
  fprintf(stderr,
          "usage: %s [--tty PATH] [--baud N] [--storage DIR] [--memory-limit BYTES] [--module PATH]\n"
          "  the sketch's link is stdin/stdout unless --tty is given; saved models go to DIR (default .)\n",
          name);
}

int main(int argc, char **argv) {
  int i;
  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    long *num = NULL;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(argv[0]);
      return 0;
    } else if (!strcmp(a, "--tty") && i + 1 < argc) {
      g_tty = argv[++i];
    } else if (!strcmp(a, "--storage") && i + 1 < argc) {
      if (ep_storage_posix_dir(argv[++i]) < 0) {
        fprintf(stderr, "%s: --storage: %s\n", argv[0], ep_storage_error());
        return 2;
      }
    } else if (!strcmp(a, "--module") && i + 1 < argc) {
      g_module_path = argv[++i];
    } else if (!strcmp(a, "--baud")) {
      num = &g_baud;
    } else if (!strcmp(a, "--memory-limit")) {
      num = &g_memory_limit;
    } else {
      fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0], a);
      usage(argv[0]);
      return 2;
    }
    if (num && (i + 1 >= argc || parse_num(argv[++i], num) < 0)) {
      fprintf(stderr, "%s: %s needs a non-negative number\n", argv[0], a);
      return 2;
    }
  }
  if (g_module_path && read_module(g_module_path) < 0) {
    fprintf(stderr, "%s: cannot read %s: %s\n", argv[0], g_module_path, strerror(errno));
    return 1;
  }
  signal(SIGPIPE, SIG_IGN);
  if (g_tty) {
    int fd = ep_posix_open_tty(g_tty, g_baud);
    if (fd < 0) return 1;
    ep_posix_use_fd(fd);
  }
  edgeprop_sketch_setup();
  return 0;
}

static const edgeprop_board_module *g_module;

void edgeprop_board_start(const edgeprop_board_module *module, void (*trainer_setup)(void), void (*trainer_loop)(void)) {
  g_module = module;
  trainer_setup();
  while (!(g_ep && g_ep->link_gone) && !ep_posix_link_gone) trainer_loop();
  exit(0);
}

void edgeprop_board_idle(void) {}

int edgeprop_board_begin(edgeprop *ep) {
  ep_engine_config ec;
  ep_pump_config pc;
  int r;
  memset(&ec, 0, sizeof ec);
  memset(&pc, 0, sizeof pc);
  ec.module = g_module_bytes; /* NULL for wasm2c (compiled in) */
  ec.module_len = g_module_len;
  ec.stack_bytes = g_module ? g_module->wasm3_stack : 0;
  ec.memory_limit = (uint32_t)g_memory_limit;
  pc.boot_id = ep_posix_random_boot_id();
  pc.memory_limit = (int32_t)g_memory_limit;
  pc.read_timeout_ms = 20;
  g_ep = ep;
  r = edgeprop_begin(ep, &ec, &pc);
  if (r == EDGEPROP_E_TRAP) (void)ep_pump_serve_load_failure(&pc, ep_engine_error());
  return r;
}

void edgeprop_board_print(const char *line) {
  static const uint8_t end[3] = {'\r', '\n', 0x00};
  if (ep_pump_announce(NULL) < 0 || ep_hal_write((const uint8_t *)line, strlen(line)) < 0 || ep_hal_write(end, sizeof end) < 0) {
    if (g_ep) g_ep->link_gone = 1;
  }
}

uint32_t edgeprop_board_millis(void) { return ep_hal_millis(); }
