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
 *
 * The output is the input with a code byte in front and each 0x00 replaced
 * by the distance from its slot to the next code slot (the next 0x00's slot,
 * a code inserted after 254 non-zero bytes, or the end). So bytes are copied
 * a whole aligned destination word at a time, zeros included, and each code
 * is written into its slot once the next slot is known: the code of the slot
 * `codeAt` is always `w - codeAt` when the next slot comes at `w`. A word
 * goes whole while its last byte stays under 254 bytes from the current
 * slot (no 254-byte block can end inside it); the rest - single bytes up to
 * an aligned destination, the tail, a block's end - goes byte by byte.
 * Every access naturally aligned: each destination word is built from the
 * two aligned source words holding its bytes (shifted together when the
 * source is not aligned as the destination is), the higher one kept in a
 * local for the next word. Those loads never reach past the aligned word
 * holding the last byte, and each source word is loaded before a store can
 * reach it (the destination trails the source by at least one byte).
 */
export function cobsEncode(src: usize, n: i32, dst: usize): i32 {
  let codeAt: usize = dst;
  let w: usize = dst + 1;
  let s: usize = src;
  const end: usize = src + <usize>n;
  while (s < end) {
    if ((w & 3) == 0 && s + 4 <= end && w + 3 - codeAt < 254) {
      // Whole words while they fit before the end and the block's limit.
      const shift = <u32>(s & 3) << 3;
      let at = s & ~(<usize>3);
      let low = shift != 0 ? load<u32>(at) : 0;
      while (s + 4 <= end && w + 3 - codeAt < 254) {
        let v: u32;
        if (shift != 0) {
          at += 4;
          const high = load<u32>(at);
          v = (low >>> shift) | (high << (32 - shift));
          low = high;
        } else {
          v = load<u32>(s);
        }
        store<u32>(w, v);
        if (((v - 0x01010101) & ~v & 0x80808080) != 0) {
          // A 0x00 in the word (the test can also flag a 0x01 above one):
          // each zero's slot closes the code before it. Unrolled, each byte
          // a mask and a branch (a loop shifting v by 8k took 6 a byte).
          if ((v & 0x000000ff) == 0) { store<u8>(codeAt, <u8>(w - codeAt)); codeAt = w; }
          if ((v & 0x0000ff00) == 0) { store<u8>(codeAt, <u8>(w + 1 - codeAt)); codeAt = w + 1; }
          if ((v & 0x00ff0000) == 0) { store<u8>(codeAt, <u8>(w + 2 - codeAt)); codeAt = w + 2; }
          if ((v & 0xff000000) == 0) { store<u8>(codeAt, <u8>(w + 3 - codeAt)); codeAt = w + 3; }
        }
        w += 4;
        s += 4;
      }
      continue;
    }
    const b = load<u8>(s++);
    if (b == 0) {
      store<u8>(codeAt, <u8>(w - codeAt));
      codeAt = w++;
    } else {
      store<u8>(w++, b);
      if (w - codeAt == 0xff) {
        store<u8>(codeAt, 0xff);
        codeAt = w++;
      }
    }
  }
  store<u8>(codeAt, <u8>(w - codeAt));
  store<u8>(w++, 0);
  return <i32>(w - dst);
}
