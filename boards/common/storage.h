/* edgeprop board firmware: the storage HAL (persistence for the training API).
 *
 * Named blobs, written whole and atomically: after a power cut in the middle
 * of a save, a load returns the previous blob or the new one, never a mix
 * (each implementation says how it gets there). One blob is open at a time
 * (static state: no allocator), written or read in pieces straight from and
 * into the module's memory, so a model's weights need no copy in RAM.
 *
 * Implementations, one per target (a firmware links exactly one):
 *   storage_posix.c        boards/posix: a file per blob, temp + fsync + rename
 *   storage_littlefs.cpp   ESP32 (Arduino LittleFS; compiled under PlatformIO only)
 *   storage_ram.c          boards/qemu: a RAM region that survives a reboot of the
 *                          firmware, not a power cycle of the machine
 *
 * Keys: 1..EP_STORAGE_KEY_MAX characters of [A-Za-z0-9_-] (a file name on
 * every file system, and NVS's key length).
 *
 * Every function returns 0 on success, -1 on failure (ep_storage_error()
 * says why); ep_storage_open_read returns 1 when no blob has that key.
 */
#ifndef EDGEPROP_STORAGE_H
#define EDGEPROP_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EP_STORAGE_KEY_MAX 15

/* Where blobs go, for logs: "file /var/lib/x", "littlefs", "ram". */
const char *ep_storage_name(void);

/* The last failure's text; never NULL. */
const char *ep_storage_error(void);

/* Starts writing the blob `key` (replacing it only at commit). */
int ep_storage_open_write(const char *key);
int ep_storage_write(const void *data, size_t n);
/* Makes the blob durable and visible under its key, in one step. */
int ep_storage_commit(void);
/* Drops a blob being written; the old one (if any) stays. Never fails. */
void ep_storage_abort(void);

/* Opens the blob `key` for reading: 0 (and *size), 1 if there is none, -1. */
int ep_storage_open_read(const char *key, uint32_t *size);
/* Reads exactly n bytes (-1 if the blob ends first). */
int ep_storage_read(void *data, size_t n);
void ep_storage_close(void);

/* Removes the blob (0 also when there was none). */
int ep_storage_remove(const char *key);

/* Whether `key` is a valid key (1) or not (0); every call above checks it. */
int ep_storage_key_ok(const char *key);

#ifdef __cplusplus
}
#endif

#endif
