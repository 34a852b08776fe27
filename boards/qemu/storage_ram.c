/* The storage HAL (boards/common/storage.h) on the emulated board: two slots
 * in a RAM region outside .bss (.noinit), which the firmware's start-up code
 * leaves alone. What survives what:
 *   - a reboot of the firmware (QEMU's system_reset, the emulated reset
 *     button: the ELF image is reloaded, .noinit is not): the blob survives;
 *   - the end of the QEMU process (a power cycle): nothing survives, as RAM.
 * One blob at a time (saving key B replaces key A): the training API keeps one.
 *
 * Atomic: a save goes to the slot not holding the current blob and becomes
 * current only when its header (key, length, sequence number, CRC) is written
 * last; a load takes the valid slot with the newer sequence number. A reset
 * in the middle of a save leaves the previous blob current. */
#include "storage.h"

#include <stdio.h>
#include <string.h>

#include "error_frame.h" /* ep_crc32_update */

#ifndef EP_RAM_STORAGE_BYTES
#define EP_RAM_STORAGE_BYTES 16384u /* per slot: a model of about 4000 parameters with Adam */
#endif
#define SLOT_MAGIC 0x52504565u /* "ePER" */

typedef struct slot_header {
  uint32_t magic;
  uint32_t sequence; /* higher = newer */
  uint32_t length;
  uint32_t crc;      /* CRC-32 of the data */
  uint32_t header_crc; /* CRC-32 of the fields above and the key */
  char key[EP_STORAGE_KEY_MAX + 1];
} slot_header;

typedef struct slot {
  slot_header h;
  uint8_t data[EP_RAM_STORAGE_BYTES];
} slot;

/* On the emulated board in .noinit (link.ld: not cleared at start-up); built
 * for a PC (the storage contract test) it is plain static memory. */
#if defined(__riscv) || defined(__XTENSA__)
#define EP_NOINIT __attribute__((section(".noinit"), aligned(8)))
#else
#define EP_NOINIT
#endif
static slot g_slots[2] EP_NOINIT;

static char g_error[96] = "";
static int g_writing = -1; /* slot being written */
static uint32_t g_write_len, g_write_crc;
static char g_write_key[EP_STORAGE_KEY_MAX + 1];
static int g_reading = -1;
static uint32_t g_read_at;

const char *ep_storage_name(void) { return "ram (survives a reset, not a power cycle)"; }
const char *ep_storage_error(void) { return g_error; }

static uint32_t header_crc(const slot_header *h) {
  return ep_crc32_update(ep_crc32_update(0, (const uint8_t *)h, 4 * sizeof(uint32_t)), (const uint8_t *)h->key,
                         sizeof h->key);
}

static int valid(int i) {
  const slot_header *h = &g_slots[i].h;
  return h->magic == SLOT_MAGIC && h->length <= EP_RAM_STORAGE_BYTES && h->header_crc == header_crc(h) &&
         h->crc == ep_crc32_update(0, g_slots[i].data, h->length);
}

/* The slot holding the current blob, or -1. */
static int current(void) {
  int a = valid(0), b = valid(1);
  if (a && b) return g_slots[1].h.sequence > g_slots[0].h.sequence ? 1 : 0;
  return a ? 0 : b ? 1 : -1;
}

static int bad_key(const char *key) {
  if (ep_storage_key_ok(key)) return 0;
  snprintf(g_error, sizeof g_error, "bad storage key (1..%d of A-Z a-z 0-9 _ -)", EP_STORAGE_KEY_MAX);
  return 1;
}

int ep_storage_open_write(const char *key) {
  int cur;
  ep_storage_abort();
  ep_storage_close();
  if (bad_key(key)) return -1;
  cur = current();
  g_writing = cur == 0 ? 1 : 0;
  g_slots[g_writing].h.magic = 0; /* invalid until committed */
  g_write_len = 0;
  g_write_crc = 0;
  strcpy(g_write_key, key);
  return 0;
}

int ep_storage_write(const void *data, size_t n) {
  if (g_writing < 0) {
    snprintf(g_error, sizeof g_error, "no blob open for writing");
    return -1;
  }
  if (n > EP_RAM_STORAGE_BYTES - g_write_len) {
    snprintf(g_error, sizeof g_error, "the blob is over the %u bytes a RAM slot holds (EP_RAM_STORAGE_BYTES)",
             (unsigned)EP_RAM_STORAGE_BYTES);
    ep_storage_abort();
    return -1;
  }
  memcpy(g_slots[g_writing].data + g_write_len, data, n);
  g_write_crc = ep_crc32_update(g_write_crc, (const uint8_t *)data, n);
  g_write_len += (uint32_t)n;
  return 0;
}

int ep_storage_commit(void) {
  slot_header h;
  int cur;
  if (g_writing < 0) {
    snprintf(g_error, sizeof g_error, "no blob open for writing");
    return -1;
  }
  cur = current();
  memset(&h, 0, sizeof h);
  h.sequence = cur >= 0 ? g_slots[cur].h.sequence + 1u : 1u;
  h.length = g_write_len;
  h.crc = g_write_crc;
  strcpy(h.key, g_write_key);
  h.magic = SLOT_MAGIC;
  h.header_crc = header_crc(&h);
  g_slots[g_writing].h = h; /* the header last: until here the old slot is current */
  g_writing = -1;
  return 0;
}

void ep_storage_abort(void) {
  if (g_writing >= 0) g_slots[g_writing].h.magic = 0;
  g_writing = -1;
}

int ep_storage_open_read(const char *key, uint32_t *size) {
  int cur;
  ep_storage_abort();
  ep_storage_close();
  *size = 0;
  if (bad_key(key)) return -1;
  cur = current();
  if (cur < 0 || strcmp(g_slots[cur].h.key, key) != 0) return 1;
  g_reading = cur;
  g_read_at = 0;
  *size = g_slots[cur].h.length;
  return 0;
}

int ep_storage_read(void *data, size_t n) {
  if (g_reading < 0) {
    snprintf(g_error, sizeof g_error, "no blob open for reading");
    return -1;
  }
  if (n > g_slots[g_reading].h.length - g_read_at) {
    snprintf(g_error, sizeof g_error, "the blob ends early");
    return -1;
  }
  memcpy(data, g_slots[g_reading].data + g_read_at, n);
  g_read_at += (uint32_t)n;
  return 0;
}

void ep_storage_close(void) { g_reading = -1; }

int ep_storage_remove(const char *key) {
  int cur;
  if (bad_key(key)) return -1;
  ep_storage_abort();
  ep_storage_close();
  cur = current();
  if (cur >= 0 && strcmp(g_slots[cur].h.key, key) == 0) {
    g_slots[0].h.magic = 0;
    g_slots[1].h.magic = 0;
  }
  return 0;
}
