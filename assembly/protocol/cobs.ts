// Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999): frames contain
// no 0x00, so a 0x00 on the wire always ends a frame and a receiver that
// joins mid-stream resynchronises at the next one.

/**
 * The first `skip` decoded bytes of the frame cobsDecodeSkipping last took
 * (the frame header), little-endian: byte 0 in bits 0-7.
 */
export let head: u64 = 0;

/**
 * Decodes the COBS frame [buf, buf+n) in place, its first `skip` (at most 8)
 * decoded bytes kept in `head` instead of the buffer: decoded byte j >= skip
 * lands at buf + j - skip. With the 5-byte frame header skipped, the payload
 * starts at buf itself (aligned) and no second pass moves it there. Returns
 * the decoded length (the skipped bytes included) or -1 for a malformed frame.
 *
 * Every access naturally aligned: each run's bytes go one at a time until
 * the destination is aligned, then a word at a time, each destination word
 * built from the two aligned source words that hold its bytes (shifted
 * together when the source is not aligned as the destination is). Those
 * loads may read up to 3 bytes past the run, never past the aligned word
 * holding its last byte (inside the memory). The destination trails the
 * source by at least one code byte, so each word is loaded before any store
 * reaches it (a source word is kept in a local once loaded).
 */
export function cobsDecodeSkipping(buf: usize, n: i32, skip: i32): i32 {
  let read: i32 = 0;
  let j: i32 = 0; // decoded bytes so far
  head = 0;
  while (read < n) {
    const code = <i32>load<u8>(buf + <usize>read);
    if (code == 0 || read + code > n) return -1;
    read++;
    let left = code - 1;
    // The header's bytes, then single bytes up to an aligned destination.
    while (left > 0 && (j < skip || ((buf + <usize>(j - skip)) & 3) != 0)) {
      const b = load<u8>(buf + <usize>read);
      if (j < skip) head |= <u64>b << (<u64>j << 3);
      else store<u8>(buf + <usize>(j - skip), b);
      j++; read++; left--;
    }
    if (left >= 4) {
      let dst = buf + <usize>(j - skip);
      const src = buf + <usize>read;
      const bytes = left & ~3;
      const end = dst + <usize>bytes;
      const shift = <u32>(src & 3) << 3;
      let at = src & ~(<usize>3);
      if (shift == 0) {
        for (; dst < end; dst += 4, at += 4) store<u32>(dst, load<u32>(at));
      } else {
        let low = load<u32>(at);
        for (; dst < end; dst += 4) {
          at += 4;
          const high = load<u32>(at);
          store<u32>(dst, (low >>> shift) | (high << (32 - shift)));
          low = high;
        }
      }
      j += bytes; read += bytes; left -= bytes;
    }
    for (; left > 0; left--, j++, read++) {
      store<u8>(buf + <usize>(j - skip), load<u8>(buf + <usize>read));
    }
    if (code < 0xff && read < n) {
      if (j >= skip) store<u8>(buf + <usize>(j - skip), 0);
      j++;
    }
  }
  return j;
}

/**
 * Encodes n bytes at src into dst and appends the 0x00 delimiter; returns the
 * bytes written. dst may precede src by at least 1 + n/254 bytes (in-place
 * encoding in the transmit buffer): writes never overtake reads.
 */
export function cobsEncode(src: usize, n: i32, dst: usize): i32 {
  let codeAt: usize = dst;
  let w: usize = dst + 1;
  let code: u32 = 1;
  for (let i = 0; i < n; i++) {
    const b = load<u8>(src + <usize>i);
    if (b == 0) {
      store<u8>(codeAt, <u8>code);
      codeAt = w++;
      code = 1;
    } else {
      store<u8>(w++, b);
      code++;
      if (code == 0xff) {
        store<u8>(codeAt, <u8>code);
        codeAt = w++;
        code = 1;
      }
    }
  }
  store<u8>(codeAt, <u8>code);
  store<u8>(w++, 0);
  return <i32>(w - dst);
}
