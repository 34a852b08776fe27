// CRC-32 (IEEE 802.3 / zlib: reflected 0xEDB88320, init and final xor
// 0xFFFFFFFF), a nibble at a time from a 64-byte table: a 1 KiB byte table
// would cost the board more RAM than the speed is worth at serial rates.
// Measured (session 30, P2 streamed on rv32imc, bench/board.mjs): the CRC is
// ~13.5 instructions a byte here (6 per nibble), ~88 bytes per trained
// sample (the BATCH rows, each BATCH reply, the per-epoch weight pull); a
// 256-entry table took 533 (int16) and 548 (f32) instructions per sample
// off (0.4%) for 960 more bytes of static data in every plan (P2 int16 on
// the C3: 36,960 instead of 36,000 of 40,960 bytes). Kept small.
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
  for (; p < words; p += 4) {
    c ^= load<u32>(p);
    c = (c >>> 4) ^ load<u32>(TABLE + ((<usize>c & 15) << 2));
    c = (c >>> 4) ^ load<u32>(TABLE + ((<usize>c & 15) << 2));
    c = (c >>> 4) ^ load<u32>(TABLE + ((<usize>c & 15) << 2));
    c = (c >>> 4) ^ load<u32>(TABLE + ((<usize>c & 15) << 2));
    c = (c >>> 4) ^ load<u32>(TABLE + ((<usize>c & 15) << 2));
    c = (c >>> 4) ^ load<u32>(TABLE + ((<usize>c & 15) << 2));
    c = (c >>> 4) ^ load<u32>(TABLE + ((<usize>c & 15) << 2));
    c = (c >>> 4) ^ load<u32>(TABLE + ((<usize>c & 15) << 2));
  }
  for (; p < end; p++) {
    c ^= <u32>load<u8>(p);
    c = (c >>> 4) ^ load<u32>(TABLE + ((<usize>c & 15) << 2));
    c = (c >>> 4) ^ load<u32>(TABLE + ((<usize>c & 15) << 2));
  }
  return c;
}
