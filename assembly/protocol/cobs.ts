// Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999): frames contain
// no 0x00, so a 0x00 on the wire always ends a frame and a receiver that
// joins mid-stream resynchronises at the next one.

/** Decodes [src, src+n) in place (decoded data is never longer); returns its length or -1. */
export function cobsDecode(src: usize, n: i32): i32 {
  let read: i32 = 0;
  let write: i32 = 0;
  while (read < n) {
    const code = <i32>load<u8>(src + <usize>read);
    if (code == 0 || read + code > n) return -1;
    read++;
    // The run of code-1 data bytes moves down in place (write < read), four at
    // a time when both ends are aligned (every access naturally aligned):
    // each word is loaded before the store that may overlap it, and later
    // loads start beyond what was stored.
    let left = code - 1;
    if ((((src + <usize>write) | (src + <usize>read)) & 3) == 0) {
      for (; left >= 4; left -= 4, write += 4, read += 4) {
        store<u32>(src + <usize>write, load<u32>(src + <usize>read));
      }
    }
    for (; left > 0; left--, write++, read++) {
      store<u8>(src + <usize>write, load<u8>(src + <usize>read));
    }
    if (code < 0xff && read < n) {
      store<u8>(src + <usize>write, 0);
      write++;
    }
  }
  return write;
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
