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
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "hal.h"
#include "pump.h"

static int g_in = 0, g_out = 1;
static int g_link_gone;

/* ---- HAL over file descriptors ---------------------------------------- */

int ep_hal_read(uint8_t *buf, size_t cap, uint32_t timeout_ms) {
  struct pollfd p;
  ssize_t n;
  p.fd = g_in;
  p.events = POLLIN;
  p.revents = 0;
  for (;;) {
    int r = poll(&p, 1, (int)timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0) return 0;
    break;
  }
  for (;;) {
    n = read(g_in, buf, cap);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    /* 0 after poll said readable: end of file, or the tty's other side went
     * away; EIO is how a pty reports that on Linux. */
    if (n <= 0) return -1;
    return (int)n;
  }
}

int ep_hal_write(const uint8_t *buf, size_t n) {
  while (n > 0) {
    ssize_t w = write(g_out, buf, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      struct pollfd p;
      p.fd = g_out;
      p.events = POLLOUT;
      p.revents = 0;
      (void)poll(&p, 1, 100);
      continue;
    }
    if (w <= 0) {
      g_link_gone = 1;
      return -1;
    }
    buf += w;
    n -= (size_t)w;
  }
  return 0;
}

uint32_t ep_hal_millis(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint32_t)((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u);
}

uint32_t ep_hal_micros(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint32_t)((uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u);
}

void ep_hal_yield(void) {}

/* No watchdog here: counts the feeds instead and says so on stderr at each
 * power of two (a few lines per run, never after the board's last word), so
 * the tests can see that long module calls feed it from inside. */
void ep_hal_feed_watchdog(void) {
  static unsigned long feeds;
  feeds++;
  if ((feeds & (feeds - 1)) == 0) fprintf(stderr, "edgeprop-board: watchdog fed %lu times\n", feeds);
}

/* ---- serial device ------------------------------------------------------ */

static speed_t baud_constant(long baud) {
  switch (baud) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
#ifdef B460800
    case 460800: return B460800;
#endif
#ifdef B921600
    case 921600: return B921600;
#endif
#ifdef B1000000
    case 1000000: return B1000000;
#endif
#ifdef B2000000
    case 2000000: return B2000000;
#endif
    default: return 0;
  }
}

static int open_tty(const char *path, long baud) {
  struct termios t;
  speed_t sp = baud_constant(baud);
  int fd;
  if (!sp) {
    fprintf(stderr, "edgeprop-board: unsupported --baud %ld\n", baud);
    return -1;
  }
  fd = open(path, O_RDWR | O_NOCTTY);
  if (fd < 0) {
    fprintf(stderr, "edgeprop-board: %s: %s\n", path, strerror(errno));
    return -1;
  }
  if (tcgetattr(fd, &t) == 0) {
    cfmakeraw(&t);
    t.c_cflag |= CLOCAL | CREAD;
    t.c_cflag &= ~(tcflag_t)CRTSCTS;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    cfsetispeed(&t, sp);
    cfsetospeed(&t, sp);
    if (tcsetattr(fd, TCSANOW, &t) != 0) {
      fprintf(stderr, "edgeprop-board: %s: cannot set raw mode: %s\n", path, strerror(errno));
      close(fd);
      return -1;
    }
  } /* not a tty (a fifo, a socket): use it as is */
  return fd;
}

/* ---- main --------------------------------------------------------------- */

static uint32_t random_boot_id(void) {
  uint32_t id = 0;
  int fd = open("/dev/urandom", O_RDONLY);
  if (fd >= 0) {
    if (read(fd, &id, sizeof id) != (ssize_t)sizeof id) id = 0;
    close(fd);
  }
  if (!id) id = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16) ^ ep_hal_millis();
  return id;
}

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
    int fd = open_tty(tty, baud);
    if (fd < 0) return 1;
    g_in = g_out = fd;
  }

  pc.boot_id = random_boot_id();
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
  if (ep_pump_start(&pc) < 0) return g_link_gone ? 0 : 1;
  while (ep_pump_poll() >= 0) {
  }
  if (ep_pump_trap_count())
    fprintf(stderr, "edgeprop-board: %u trap(s) during this run, module restarted %u time(s)\n",
            (unsigned)ep_pump_trap_count(), (unsigned)ep_pump_reload_count());
  free(module);
  return 0;
}
