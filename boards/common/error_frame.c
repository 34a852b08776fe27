/* The pump's own ERROR frame: CRC-32 (IEEE, as zlib) and COBS. */
#include "error_frame.h"

#include <string.h>

uint32_t ep_crc32(const uint8_t *data, size_t n) { return ep_crc32_update(0, data, n); }

uint32_t ep_crc32_update(uint32_t crc, const uint8_t *data, size_t n) {
  size_t i;
  int k;
  crc ^= 0xFFFFFFFFu;
  for (i = 0; i < n; i++) {
    crc ^= data[i];
    for (k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return crc ^ 0xFFFFFFFFu;
}

size_t ep_cobs_encode(const uint8_t *in, size_t n, uint8_t *out, size_t cap) {
  size_t w = 1;    /* next write position */
  size_t code = 0; /* where the current block's length byte goes */
  uint8_t run = 1; /* length byte value of the current block */
  size_t i;
  if (cap < n + n / 254 + 2) return 0;
  for (i = 0; i < n; i++) {
    if (in[i] == 0) {
      out[code] = run;
      code = w++;
      run = 1;
    } else {
      out[w++] = in[i];
      if (++run == 0xFF) {
        out[code] = run;
        code = w++;
        run = 1;
      }
    }
  }
  out[code] = run;
  out[w++] = 0x00;
  return w;
}

static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)(v & 0xFFu);
  p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)(v & 0xFFu);
  p[1] = (uint8_t)((v >> 8) & 0xFFu);
  p[2] = (uint8_t)((v >> 16) & 0xFFu);
  p[3] = (uint8_t)(v >> 24);
}

size_t ep_error_frame(uint8_t *out, size_t cap, uint8_t code, uint8_t for_type,
                      int16_t detail, uint32_t boot_id, const char *message) {
  uint8_t raw[5 + 8 + EP_ERROR_MESSAGE_MAX + 4];
  size_t mlen = message ? strlen(message) : 0;
  size_t plen;
  if (mlen > EP_ERROR_MESSAGE_MAX) mlen = EP_ERROR_MESSAGE_MAX;
  plen = 8 + mlen;
  raw[0] = EP_FRAME_ERROR;
  put16(raw + 1, 0);
  put16(raw + 3, (uint16_t)plen);
  raw[5] = code;
  raw[6] = for_type;
  put16(raw + 7, (uint16_t)detail);
  put32(raw + 9, boot_id);
  if (mlen) memcpy(raw + 13, message, mlen);
  put32(raw + 5 + plen, ep_crc32(raw, 5 + plen));
  return ep_cobs_encode(raw, 5 + plen + 4, out, cap);
}
