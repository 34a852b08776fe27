/* The storage HAL (storage.h) on POSIX: one file per blob, DIR/KEY.blob.
 *
 * Atomic: a blob is written to a temporary file in the same directory,
 * fsync'ed, renamed over the old one (rename(2) replaces it in one step) and
 * the directory fsync'ed, so a crash at any point leaves the old blob or the
 * new one. A key whose path is not a regular file (a directory, a fifo, a
 * symlink) is refused, never renamed over. */
#define _POSIX_C_SOURCE 200809L

#include "storage.h"
#include "storage_posix.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_CAP 1024

static char g_dir[PATH_CAP] = ".";
static char g_name[PATH_CAP + 16] = "file ./";
static char g_error[PATH_CAP + 96] = "";
static char g_path[PATH_CAP + 32];
static char g_temp[PATH_CAP + 48];
static int g_fd = -1;
static int g_writing;

int ep_storage_posix_dir(const char *dir) {
  if (!dir || !dir[0] || strlen(dir) >= PATH_CAP) {
    snprintf(g_error, sizeof g_error, "storage directory name empty or too long");
    return -1;
  }
  strcpy(g_dir, dir);
  snprintf(g_name, sizeof g_name, "file %s/", g_dir);
  return 0;
}

const char *ep_storage_name(void) { return g_name; }
const char *ep_storage_error(void) { return g_error; }

static int failed(const char *what, const char *path) {
  snprintf(g_error, sizeof g_error, "%s %s: %s", what, path, strerror(errno));
  return -1;
}

static int set_path(const char *key) {
  if (!ep_storage_key_ok(key)) {
    snprintf(g_error, sizeof g_error, "bad storage key (1..%d of A-Z a-z 0-9 _ -)", EP_STORAGE_KEY_MAX);
    return -1;
  }
  snprintf(g_path, sizeof g_path, "%s/%s.blob", g_dir, key);
  return 0;
}

/* 0 if `path` is absent or a regular file, -1 (refused) otherwise. */
static int regular_or_absent(const char *path) {
  struct stat st;
  if (lstat(path, &st) != 0) return errno == ENOENT ? 0 : failed("cannot stat", path);
  if (S_ISREG(st.st_mode)) return 0;
  snprintf(g_error, sizeof g_error, "%s is not a regular file; not replacing it", path);
  return -1;
}

int ep_storage_open_write(const char *key) {
  ep_storage_abort();
  ep_storage_close();
  if (set_path(key) < 0 || regular_or_absent(g_path) < 0) return -1;
  snprintf(g_temp, sizeof g_temp, "%s/.%s.blob.XXXXXX", g_dir, key);
  g_fd = mkstemp(g_temp);
  if (g_fd < 0) return failed("cannot create", g_temp);
  (void)fchmod(g_fd, 0644); /* mkstemp makes it 0600; a saved model is an ordinary file */
  g_writing = 1;
  return 0;
}

int ep_storage_write(const void *data, size_t n) {
  const uint8_t *p = (const uint8_t *)data;
  if (!g_writing) {
    snprintf(g_error, sizeof g_error, "no blob open for writing");
    return -1;
  }
  while (n > 0) {
    ssize_t w = write(g_fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      failed("cannot write", g_temp);
      ep_storage_abort();
      return -1;
    }
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

static void sync_dir(void) {
  int d = open(g_dir, O_RDONLY);
  if (d >= 0) {
    (void)fsync(d); /* some file systems refuse a directory fsync: the rename is still atomic */
    close(d);
  }
}

int ep_storage_commit(void) {
  if (!g_writing) {
    snprintf(g_error, sizeof g_error, "no blob open for writing");
    return -1;
  }
  if (fsync(g_fd) != 0) {
    failed("cannot fsync", g_temp);
    ep_storage_abort();
    return -1;
  }
  close(g_fd);
  g_fd = -1;
  g_writing = 0;
  /* Checked again: the path may have become something else meanwhile. */
  if (regular_or_absent(g_path) < 0) {
    unlink(g_temp);
    return -1;
  }
  if (rename(g_temp, g_path) != 0) {
    failed("cannot rename onto", g_path);
    unlink(g_temp);
    return -1;
  }
  sync_dir();
  return 0;
}

void ep_storage_abort(void) {
  if (!g_writing) return;
  close(g_fd);
  g_fd = -1;
  unlink(g_temp);
  g_writing = 0;
}

int ep_storage_open_read(const char *key, uint32_t *size) {
  struct stat st;
  ep_storage_abort();
  ep_storage_close();
  *size = 0;
  if (set_path(key) < 0) return -1;
  if (lstat(g_path, &st) != 0) return errno == ENOENT ? 1 : failed("cannot stat", g_path);
  if (!S_ISREG(st.st_mode)) {
    snprintf(g_error, sizeof g_error, "%s is not a regular file", g_path);
    return -1;
  }
  if ((uint64_t)st.st_size > 0xFFFFFFFFu) {
    snprintf(g_error, sizeof g_error, "%s is too large to be a blob", g_path);
    return -1;
  }
  g_fd = open(g_path, O_RDONLY);
  if (g_fd < 0) return failed("cannot open", g_path);
  *size = (uint32_t)st.st_size;
  return 0;
}

int ep_storage_read(void *data, size_t n) {
  uint8_t *p = (uint8_t *)data;
  if (g_fd < 0 || g_writing) {
    snprintf(g_error, sizeof g_error, "no blob open for reading");
    return -1;
  }
  while (n > 0) {
    ssize_t r = read(g_fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return failed("cannot read", g_path);
    if (r == 0) {
      snprintf(g_error, sizeof g_error, "%s ends early", g_path);
      return -1;
    }
    p += r;
    n -= (size_t)r;
  }
  return 0;
}

void ep_storage_close(void) {
  if (g_fd >= 0 && !g_writing) {
    close(g_fd);
    g_fd = -1;
  }
}

int ep_storage_remove(const char *key) {
  if (set_path(key) < 0 || regular_or_absent(g_path) < 0) return -1;
  if (unlink(g_path) != 0 && errno != ENOENT) return failed("cannot remove", g_path);
  sync_dir();
  return 0;
}
