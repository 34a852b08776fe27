// int16 precision's batch-mean scaling and squared norm of a layer's
// gradients (assembly/optim/optimizer.ts's scaleAndMeasure inner loop:
// g = g * scale, stored; sq += g * g) on assembly/int16/soft-f32.ts's
// operations: the same bits, without three libgcc calls per parameter on a
// core without an FPU. Per parameter the short routines of soft-f32-normal.ts
// come first (a normal gradient, square and sum: nearly always), and the
// general ones redo what they decline. The scale is 1 / batch: for a batch
// that is a power of two it is one too, and a normal g times it, the product
// normal, is g with its exponent moved (exact, no rounding).
import { addF32, mulF32 } from "./soft-f32";
import { addPositiveNormal, isNormalBits, mulNormal, squareNormal } from "./soft-f32-normal";

const SIGN: u32 = 0x80000000;
const EXP: u32 = 0x7f800000;
const FRAC: u32 = 0x007fffff;
const HIDDEN: u32 = 0x00800000;

/**
 * sq + g * g for a normal g, sq the sum so far (+0 first, then what these
 * give: never -0, and a NaN only as soft-f32.ts's quiet NaN): the short
 * routines, the general ones for what they decline.
 */
// @ts-ignore: decorator
@inline function addSquareNormal(sq: u32, g: u32): u32 {
  const g2 = squareNormal(g);
  if (g2 != 0) {
    if (sq == 0) return g2;
    if (sq - HIDDEN < EXP - HIDDEN) { // sq positive normal
      const s = addPositiveNormal(sq, g2);
      if (s != 0) return s;
    }
  }
  return addF32(sq, mulF32(g, g));
}

/** sq + g * g for any g: a zero adds +0 (sq itself), a normal takes addSquareNormal. */
// @ts-ignore: decorator
@inline function addSquare(sq: u32, g: u32): u32 {
  if ((g << 1) == 0) return sq;
  if (isNormalBits(g)) return addSquareNormal(sq, g);
  return addF32(sq, mulF32(g, g));
}

/** Scales the f32 gradients in [p, end) by `scale` (bits) in place; returns the f32 sum of their squares (bits), summed in order from +0. */
export function scaleAndSumSquaresSoft(p: usize, end: usize, scale: u32): u32 {
  let sq: u32 = 0;
  if (!isNormalBits(scale)) {
    for (; p < end; p += 4) {
      const g = mulF32(load<u32>(p), scale);
      store<u32>(p, g);
      sq = addF32(sq, mulF32(g, g));
    }
    return sq;
  }
  const sign = scale & SIGN;
  if ((scale & FRAC) == 0) {
    // A power of two, 2^d: a gradient whose exponent field e and e + d are
    // both in [1, 254] scales to its bits plus d << 23 (the sign flipped for
    // a negative scale); zeros keep their magnitude.
    const d = <i32>((scale >> 23) & 0xff) - 127;
    const lo = d < 0 ? 1 - d : 1, hi = d > 0 ? 254 - d : 254;
    const loBits = <u32>lo << 23, span = <u32>(hi - lo + 1) << 23;
    const move = <u32>d << 23;
    for (; p < end; p += 4) {
      const x = load<u32>(p);
      if ((x & EXP) - loBits < span) {
        const g = (x + move) ^ sign; // normal
        store<u32>(p, g);
        sq = addSquareNormal(sq, g);
      } else {
        const g = (x << 1) == 0 ? x ^ sign : mulF32(x, scale);
        store<u32>(p, g);
        sq = addSquare(sq, g);
      }
    }
    return sq;
  }
  for (; p < end; p += 4) {
    const x = load<u32>(p);
    let g: u32 = 0;
    if (isNormalBits(x)) g = mulNormal(x, scale);
    if (g == 0) g = mulF32(x, scale);
    store<u32>(p, g);
    sq = addSquare(sq, g);
  }
  return sq;
}
