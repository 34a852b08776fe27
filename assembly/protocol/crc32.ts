// CRC-32 (IEEE 802.3 / zlib: reflected 0xEDB88320, init and final xor
// 0xFFFFFFFF), a nibble at a time from a 64-byte table: a 1 KiB byte table
// would cost the board more RAM than the speed is worth at serial rates.
// Measured (session 30, P2 streamed on rv32imc, bench/board.mjs): the CRC is
// ~13.5 instructions a byte here (6 per nibble), ~88 bytes per trained
// sample (the BATCH rows, each BATCH reply, the per-epoch weight pull); a
// 256-entry table took 533 (int16) and 548 (f32) instructions per sample
// off (0.4%) for 960 more bytes of static data in every plan (P2 int16 on
// the C3: 36,960 instead of 36,000 of 40,960 bytes). Kept small. Session 31
// measured the middle way too: one 64-entry table of 6-bit steps (256 bytes,
// 192 more; its entries at strides of 4 and 16 are the 4- and 2-bit steps',
// so a word is 6,6,6,6,4,4 bits: 36 instructions instead of 48) took 256
// (int16) and 223 (f32) off rv32imc and 231 off f32 on rv32imfc (0.8%), for
// 192 more static bytes in every plan and in CONFIGURE's static_bytes.
const TABLE: usize = memory.data<u32>([
  0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
  0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
]);

export function crc32(p: usize, n: i32): u32 {
  return crc32Update(0xffffffff, p, n) ^ 0xffffffff;
}

/** Feeds the low `bytes` bytes of `v` (lowest first) to a running CRC `c` (no final xor). */
export function crc32Bytes(c: u32, v: u64, bytes: i32): u32 {
  for (let i = 0; i < bytes; i++, v >>>= 8) {
    c ^= <u32>v & 0xff;
    c = (c >>> 4) ^ load<u32>(TABLE + ((<usize>c & 15) << 2));
    c = (c >>> 4) ^ load<u32>(TABLE + ((<usize>c & 15) << 2));
  }
  return c;
}

// The eight nibbles of a word already xored into the CRC, lowest first.
@inline function nibbles8(c: u32): u32 {
  c = (c >>> 4) ^ load<u32>(TABLE + ((<usize>c & 15) << 2));
  c = (c >>> 4) ^ load<u32>(TABLE + ((<usize>c & 15) << 2));
  c = (c >>> 4) ^ load<u32>(TABLE + ((<usize>c & 15) << 2));
  c = (c >>> 4) ^ load<u32>(TABLE + ((<usize>c & 15) << 2));
  c = (c >>> 4) ^ load<u32>(TABLE + ((<usize>c & 15) << 2));
  c = (c >>> 4) ^ load<u32>(TABLE + ((<usize>c & 15) << 2));
  c = (c >>> 4) ^ load<u32>(TABLE + ((<usize>c & 15) << 2));
  return (c >>> 4) ^ load<u32>(TABLE + ((<usize>c & 15) << 2));
}

/** Feeds [p, p+n) to a running CRC `c` (start from 0xffffffff; xor the result with it at the end). */
export function crc32Update(c: u32, p: usize, n: i32): u32 {
  const end = p + <usize>n;
  // A word at a time: the CRC is reflected and the word little-endian, so its
  // 32 bits go in lowest first, eight nibbles per load (fewer instructions
  // per byte for an interpreter than byte by byte).
  // Bytes up to the first aligned word (every access naturally aligned).
  for (; p < end && (p & 3) != 0; p++) {
    c ^= <u32>load<u8>(p);
    c = (c >>> 4) ^ load<u32>(TABLE + ((<usize>c & 15) << 2));
    c = (c >>> 4) ^ load<u32>(TABLE + ((<usize>c & 15) << 2));
  }
  const words = p + ((end - p) & ~(<usize>3));
  // Two words a pass: the board's wasm2c build masks and rebases an address
  // once for both loads (the second at offset 4), and the loop's step and
  // test come once per 8 bytes (2 of 54 instructions a word on rv32imc).
  const pairs = p + ((words - p) & ~(<usize>7));
  for (; p < pairs; p += 8) {
    c = nibbles8(c ^ load<u32>(p));
    c = nibbles8(c ^ load<u32>(p, 4));
  }
  if (p < words) {
    c = nibbles8(c ^ load<u32>(p));
    p += 4;
  }
  for (; p < end; p++) {
    c ^= <u32>load<u8>(p);
    c = (c >>> 4) ^ load<u32>(TABLE + ((<usize>c & 15) << 2));
    c = (c >>> 4) ^ load<u32>(TABLE + ((<usize>c & 15) << 2));
  }
  return c;
}
