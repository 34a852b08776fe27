/* The HAL (hal.h) of the POSIX board: the link is stdin/stdout, or a serial
 * device in raw mode (hal_posix.h). Shared by edgeprop-board (main.c) and the
 * examples built for this board. */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1

#include "hal.h"
#include "hal_posix.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int g_in = 0, g_out = 1;
int ep_posix_link_gone;

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
      ep_posix_link_gone = 1;
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

int ep_posix_open_tty(const char *path, long baud) {
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

uint32_t ep_posix_random_boot_id(void) {
  uint32_t id = 0;
  int fd = open("/dev/urandom", O_RDONLY);
  if (fd >= 0) {
    if (read(fd, &id, sizeof id) != (ssize_t)sizeof id) id = 0;
    close(fd);
  }
  if (!id) id = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 16) ^ ep_hal_millis();
  return id;
}


void ep_posix_use_fd(int fd) { g_in = g_out = fd; }
