/* The storage HAL's key rule (storage.h), shared by every implementation. */
#include "storage.h"

int ep_storage_key_ok(const char *key) {
  size_t n = 0;
  if (!key) return 0;
  for (; key[n]; n++) {
    char c = key[n];
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok || n >= EP_STORAGE_KEY_MAX) return 0;
  }
  return n > 0;
}
