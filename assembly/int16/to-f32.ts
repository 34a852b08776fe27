// toF32(v, S): the f32 nearest v 2^-S for an integer v (docs/int16.md §4).
// The integer is converted as IEEE does (round to nearest even), then the
// scale is applied to the exponent field: past the largest f32 it saturates
// to +-FLT_MAX; below the normal range it flushes to +-0 (the callers count
// the non-zero integers that came out 0: RANGE_COLLAPSED when all did).
import { leadingZeros } from "./leading-zeros";

@inline function scaled(f: f32, S: i32): f32 {
  const bits = reinterpret<u32>(f);
  if ((bits & 0x7fffffff) == 0) return 0;
  const e = <i32>((bits >>> 23) & 0xff) - S;
  if (e >= 255) return reinterpret<f32>((bits & 0x80000000) | 0x7f7fffff);
  if (e <= 0) return reinterpret<f32>(bits & 0x80000000);
  return reinterpret<f32>((bits & 0x807fffff) | (<u32>e << 23));
}

@inline export function toF32From32(v: i32, S: i32): f32 { return scaled(<f32>v, S); }
@inline export function toF32From64(v: i64, S: i32): f32 { return scaled(<f32>v, <i32>S); }

/**
 * toF32From32's bits computed on integers only: on a core without an FPU
 * (rv32imc) the f32 convert is a libgcc call (__floatsisf and __clzsi2). The
 * magnitude is normalized to its leading 1 at bit 31, rounded to 24 bits
 * (nearest, ties to even) and the scale is folded into the exponent, with
 * the same saturation and flush.
 */
// @ts-ignore: decorator
@inline export function toF32Bits32(v: i32, S: i32): u32 {
  if (v == 0) return 0;
  const sign = <u32>v & 0x80000000;
  let m = <u32>(v < 0 ? -v : v); // -2^31 gives 2^31
  const n = leadingZeros(m);
  m <<= n;
  // The 24 bits above bit 8; the round bit is bit 7, the sticky bits 6..0.
  // Up if the round bit is set and a sticky bit or the last kept bit (to even) is.
  const sig = (m >> 8) + ((m >> 7) & <u32>((m & 0x17f) != 0));
  // The exponent field of 2^(31 - n) is 158 - n; a carry to 2^24 adds one.
  const e = 158 - <i32>n - S + <i32>(sig >> 24);
  if (e >= 255) return sign | 0x7f7fffff;
  if (e <= 0) return sign;
  return sign | (<u32>e << 23) | (sig & 0x007fffff);
}
