// Quantizing an f32 tensor to int16 with one power-of-two scale
// (docs/int16.md §3), and requantizing an integer tensor to int16 by a
// rounded shift (§5 step 4): the largest magnitude decides the scale, so the
// largest element maps to at least 2^(b-1) and nothing collapses to zeros.
import { exponentOf, magnitudeAt, roundShift32, roundShift64 } from "./rounding";

/** The scale of the last quantization: the int16 values are q 2^-scale. */
export let quantScale: i32 = 0;

/**
 * q[k] = round(x[k] 2^s), |q| <= 2^b - 1, for n f32 values at src into int16 at
 * dst (dst may be src: written ascending, each after its source is read).
 * Returns false, writing nothing, if a value is infinite or NaN.
 */
export function quantizeF32(src: usize, dst: usize, n: i32, b: i32): bool {
  const end = src + (<usize>n << 2);
  let M: u32 = 0;
  for (let p = src; p < end; p += 4) {
    const a = load<u32>(p) & 0x7fffffff;
    if (a > M) M = a;
  }
  if (M >= 0x7f800000) return false;
  if (M == 0) {
    quantScale = 0;
    for (let p = src, q = dst; p < end; p += 4, q += 2) store<i16>(q, 0);
    return true;
  }
  const s = (b - 1) - exponentOf(M);
  const limit = (<u32>1 << <u32>b) - 1;
  for (let p = src, q = dst; p < end; p += 4, q += 2) {
    const bits = load<u32>(p);
    let m = magnitudeAt(bits & 0x7fffffff, s);
    if (m > limit) m = limit;
    store<i16>(q, <i16>((bits >>> 31) != 0 ? -<i32>m : <i32>m));
  }
  quantScale = s;
  return true;
}

/** The right shift that brings magnitudes up to M (> 0) into b bits: E - (b - 1). */
@inline export function requantShift32(M: u32, b: i32): i32 { return (31 - <i32>clz(M)) - (b - 1); }
@inline export function requantShift64(M: u64, b: i32): i32 { return (63 - <i32>clz(M)) - (b - 1); }

/** round(v 2^-t) saturated to 2^b - 1 in magnitude (t may be <= 0: an exact left shift). */
@inline export function requant32(v: i32, t: i32, limit: u32): i16 {
  const a = <u32>(v < 0 ? -v : v);
  let m: u32 = t > 0 ? roundShift32(a, t) : a << <u32>(-t);
  if (m > limit) m = limit;
  return <i16>(v < 0 ? -<i32>m : <i32>m);
}

@inline export function requant64(v: i64, t: i32, limit: u32): i16 {
  const a = <u64>(v < 0 ? -v : v);
  let m: u64 = t > 0 ? roundShift64(a, t) : a << <u64>(-t);
  if (m > <u64>limit) m = <u64>limit;
  return <i16>(v < 0 ? -<i32>m : <i32>m);
}
