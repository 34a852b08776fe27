/* edgeprop board pump: the one frame the pump writes itself, ERROR.
 *
 * Decoded frame: [type u8][seq u16 LE][len u16 LE][payload][crc32 u32 LE]
 * (CRC-32/IEEE as zlib over type..payload). On the wire it is COBS-encoded and
 * followed by one 0x00. ERROR: type 0xFF, seq 0 (unsolicited), payload
 * [code u8][for_type u8][detail i16 LE][boot_id u32 LE][UTF-8 message].
 */
#ifndef EDGEPROP_ERROR_FRAME_H
#define EDGEPROP_ERROR_FRAME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define EP_FRAME_ERROR 0xFF
#define EP_ERR_TRAP 10
#define EP_ERR_LOAD_FAILED 11

/* Longest message kept in an ERROR frame; longer ones are cut. */
#define EP_ERROR_MESSAGE_MAX 160
/* Buffer that always holds an encoded ERROR frame with its delimiter:
 * 5 header + 8 fixed payload + message + 4 crc, plus COBS overhead. */
#define EP_ERROR_FRAME_MAX (17 + EP_ERROR_MESSAGE_MAX + (17 + EP_ERROR_MESSAGE_MAX) / 254 + 2)

uint32_t ep_crc32(const uint8_t *data, size_t n);

/* The same CRC over data given in pieces: start with crc = 0, pass each
 * piece's result on; ep_crc32(d, n) == ep_crc32_update(0, d, n). */
uint32_t ep_crc32_update(uint32_t crc, const uint8_t *data, size_t n);

/* COBS-encodes n bytes into out (cap bytes) and appends the 0x00 delimiter.
 * Returns the bytes written, or 0 if out is too small. */
size_t ep_cobs_encode(const uint8_t *in, size_t n, uint8_t *out, size_t cap);

/* Builds an encoded ERROR frame (seq 0) into out. `message` may be NULL; it is
 * cut at EP_ERROR_MESSAGE_MAX bytes. Returns the bytes written (0 if cap is
 * too small; EP_ERROR_FRAME_MAX always suffices). */
size_t ep_error_frame(uint8_t *out, size_t cap, uint8_t code, uint8_t for_type,
                      int16_t detail, uint32_t boot_id, const char *message);

#ifdef __cplusplus
}
#endif

#endif
