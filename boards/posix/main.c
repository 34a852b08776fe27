/* edgeprop-board for POSIX: the board pump over stdin/stdout or a serial
 * device, so the host can talk to a "board" on this machine exactly as it
 * talks to an ESP32 (same module, same protocol, same pump).
 *
 *   edgeprop-board [MODULE.wasm] [--tty PATH] [--baud N]
 *                  [--memory-limit BYTES] [--stack BYTES]
 *
 * The wasm2c build has the module compiled in; MODULE.wasm is then ignored.
 * Exits 0 at end of input (stdin closed, or the tty hung up).
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "hal.h"
#include "hal_posix.h"
#include "pump.h"

/* ---- main --------------------------------------------------------------- */

static uint8_t *read_file(const char *path, uint32_t *len) {
  FILE *f = fopen(path, "rb");
  uint8_t *buf = NULL;
  long n;
  if (!f) return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
    buf = (uint8_t *)malloc((size_t)n);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
      free(buf);
      buf = NULL;
    }
    *len = (uint32_t)n;
  }
  fclose(f);
  return buf;
}

static void usage(void) {
  fprintf(stderr,
          "usage: edgeprop-board [MODULE.wasm] [--tty PATH] [--baud N]\n"
          "                      [--memory-limit BYTES] [--stack BYTES]\n"
          "  protocol on stdin/stdout unless --tty is given (raw mode, --baud, default 921600)\n"
          "  --memory-limit  linear memory the board may use, bytes (0 = all; default 0)\n"
          "  --stack         wasm3 value stack, bytes (default 65536; boards use 8192-16384)\n"
          "  the wasm2c build has its module compiled in and ignores MODULE.wasm\n");
}

static int parse_num(const char *s, long *out) {
  char *end;
  long v;
  errno = 0;
  v = strtol(s, &end, 0);
  if (errno || *s == 0 || *end != 0 || v < 0) return -1;
  *out = v;
  return 0;
}

int main(int argc, char **argv) {
  const char *module_path = NULL, *tty = NULL;
  long baud = 921600, memory_limit = 0, stack = 65536;
  ep_engine_config ec;
  ep_pump_config pc;
  uint8_t *module = NULL;
  uint32_t module_len = 0;
  int i;

  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    long *num = NULL;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage();
      return 0;
    } else if (!strcmp(a, "--tty") && i + 1 < argc) {
      tty = argv[++i];
    } else if (!strcmp(a, "--baud")) {
      num = &baud;
    } else if (!strcmp(a, "--memory-limit")) {
      num = &memory_limit;
    } else if (!strcmp(a, "--stack")) {
      num = &stack;
    } else if (a[0] == '-' || module_path) {
      fprintf(stderr, "edgeprop-board: unexpected argument '%s'\n", a);
      usage();
      return 2;
    } else {
      module_path = a;
    }
    if (num && (i + 1 >= argc || parse_num(argv[++i], num) < 0 || *num > 0x7FFFFFFFL)) {
      fprintf(stderr, "edgeprop-board: %s needs a non-negative number\n", a);
      return 2;
    }
  }

  signal(SIGPIPE, SIG_IGN);
  if (tty) {
    int fd = ep_posix_open_tty(tty, baud);
    if (fd < 0) return 1;
    ep_posix_use_fd(fd);
  }

  pc.boot_id = ep_posix_random_boot_id();
  pc.memory_limit = (int32_t)memory_limit;
  pc.read_timeout_ms = 50;

  if (strcmp(ep_engine_name(), "wasm2c") != 0) {
    if (!module_path) {
      fprintf(stderr, "edgeprop-board: which module? (e.g. build/edgeprop.wasm)\n");
      usage();
      return 2;
    }
    module = read_file(module_path, &module_len);
    if (!module) {
      fprintf(stderr, "edgeprop-board: cannot read %s: %s\n", module_path, strerror(errno));
      return 1;
    }
  }
  ec.module = module;
  ec.module_len = module_len;
  ec.stack_bytes = (uint32_t)stack;
  ec.memory_limit = (uint32_t)memory_limit;
  if (ep_engine_load(&ec) < 0) {
    fprintf(stderr, "edgeprop-board: %s: %s\n", ep_engine_name(), ep_engine_error());
    (void)ep_pump_serve_load_failure(&pc, ep_engine_error());
    return 1;
  }
  if (ep_pump_start(&pc) < 0) return ep_posix_link_gone ? 0 : 1;
  while (ep_pump_poll() >= 0) {
  }
  if (ep_pump_trap_count())
    fprintf(stderr, "edgeprop-board: %u trap(s) during this run, module restarted %u time(s)\n",
            (unsigned)ep_pump_trap_count(), (unsigned)ep_pump_reload_count());
  free(module);
  return 0;
}
