// Count of leading zero bits without the clz instruction. rv32imc (the
// ESP32-C3) has none: wasm's i32.clz becomes a libgcc __clzsi2 call there.
// A branchy binary search is 5 compares and a few shifts, inlined.

/** The leading zero bits of x, for x != 0 (every caller knows it is not 0). */
// @ts-ignore: decorator
@inline export function leadingZeros(x: u32): u32 {
  let n: u32 = 0;
  if (x < 0x00010000) { x <<= 16; n = 16; }
  if (x < 0x01000000) { x <<= 8; n += 8; }
  if (x < 0x10000000) { x <<= 4; n += 4; }
  if (x < 0x40000000) { x <<= 2; n += 2; }
  return n + (~x >> 31);
}
