// The storage HAL (boards/common/storage.h) on an ESP32: LittleFS (Arduino-
// ESP32's, on the flash's spiffs/littlefs partition, mounted by
// edgeprop_board_begin). Blob KEY is the file /ep-KEY.blob.
//
// Atomic: a blob is written to /ep-KEY.tmp, flushed and closed, then renamed
// over /ep-KEY.blob. littlefs's rename replaces an existing file in one
// metadata commit (copy-on-write), and littlefs itself is power-loss safe, so
// after a reset mid-save the old blob or the new one is there, never a mix.
// Not compiled here (no ESP toolchain): see docs/boards.md.
#include <Arduino.h>
#include <LittleFS.h>

#include <stdio.h>
#include <string.h>

#include "../common/storage.h"

static File g_file;
static bool g_writing;
static char g_error[96] = "";
static char g_path[EP_STORAGE_KEY_MAX + 16];
static char g_temp[EP_STORAGE_KEY_MAX + 16];

extern "C" const char *ep_storage_name(void) { return "littlefs"; }
extern "C" const char *ep_storage_error(void) { return g_error; }

static int failed(const char *what, const char *path) {
  snprintf(g_error, sizeof g_error, "%s %s", what, path);
  return -1;
}

static int set_paths(const char *key) {
  if (!ep_storage_key_ok(key)) {
    snprintf(g_error, sizeof g_error, "bad storage key (1..%d of A-Z a-z 0-9 _ -)", EP_STORAGE_KEY_MAX);
    return -1;
  }
  snprintf(g_path, sizeof g_path, "/ep-%s.blob", key);
  snprintf(g_temp, sizeof g_temp, "/ep-%s.tmp", key);
  return 0;
}

extern "C" void ep_storage_abort(void) {
  if (!g_writing) return;
  g_file.close();
  LittleFS.remove(g_temp);
  g_writing = false;
}

extern "C" void ep_storage_close(void) {
  if (!g_writing && g_file) g_file.close();
}

extern "C" int ep_storage_open_write(const char *key) {
  ep_storage_abort();
  ep_storage_close();
  if (set_paths(key) < 0) return -1;
  g_file = LittleFS.open(g_temp, FILE_WRITE);
  if (!g_file) return failed("cannot create", g_temp);
  g_writing = true;
  return 0;
}

extern "C" int ep_storage_write(const void *data, size_t n) {
  if (!g_writing) {
    snprintf(g_error, sizeof g_error, "no blob open for writing");
    return -1;
  }
  if (g_file.write((const uint8_t *)data, n) != n) {
    ep_storage_abort();
    return failed("cannot write (flash full?)", g_temp);
  }
  return 0;
}

extern "C" int ep_storage_commit(void) {
  if (!g_writing) {
    snprintf(g_error, sizeof g_error, "no blob open for writing");
    return -1;
  }
  g_file.flush();
  g_file.close();
  g_writing = false;
  if (!LittleFS.rename(g_temp, g_path)) {
    LittleFS.remove(g_temp);
    return failed("cannot rename onto", g_path);
  }
  return 0;
}

extern "C" int ep_storage_open_read(const char *key, uint32_t *size) {
  ep_storage_abort();
  ep_storage_close();
  *size = 0;
  if (set_paths(key) < 0) return -1;
  if (!LittleFS.exists(g_path)) return 1;
  g_file = LittleFS.open(g_path, FILE_READ);
  if (!g_file || g_file.isDirectory()) return failed("cannot open", g_path);
  *size = (uint32_t)g_file.size();
  return 0;
}

extern "C" int ep_storage_read(void *data, size_t n) {
  if (g_writing || !g_file) {
    snprintf(g_error, sizeof g_error, "no blob open for reading");
    return -1;
  }
  if (g_file.read((uint8_t *)data, n) != n) return failed("ends early:", g_path);
  return 0;
}

extern "C" int ep_storage_remove(const char *key) {
  if (set_paths(key) < 0) return -1;
  if (LittleFS.exists(g_path) && !LittleFS.remove(g_path)) return failed("cannot remove", g_path);
  return 0;
}
