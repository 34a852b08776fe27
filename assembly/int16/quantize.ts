// Quantizing an f32 tensor to int16 with one power-of-two scale
// (docs/int16.md §3), and requantizing an integer tensor to int16 by a
// rounded shift (§5 step 4): the largest magnitude decides the scale, so the
// largest element maps to at least 2^(b-1) and nothing collapses to zeros.
import { exponentOf, magnitudeAt, roundHalfEvenPositive, roundHalfEvenPositiveLessOne, roundShift64 } from "./rounding";

/** The scale of the last quantization: the int16 values are q 2^-scale. */
export let quantScale: i32 = 0;

/**
 * q[k] = round(x[k] 2^s), |q| <= 2^b - 1, for n f32 values at src into int16 at
 * dst (dst may be src: written ascending, each after its source is read).
 * Returns false, writing nothing, if a value is infinite or NaN.
 */
export function quantizeF32(src: usize, dst: usize, n: i32, b: i32): bool {
  const M = largestMagnitude(src, n);
  if (M >= 0x7f800000) return false;
  const end = src + (<usize>n << 2);
  if (M == 0) {
    quantScale = 0;
    for (let p = src, q = dst; p < end; p += 4, q += 2) store<i16>(q, 0);
    return true;
  }
  const s = (b - 1) - exponentOf(M);
  const limit = (<u32>1 << <u32>b) - 1;
  const K = 150 - s;
  const eLo: u32 = K - 31 > 1 ? <u32>(K - 31) : 1;
  // 4 elements a round: one masked address for the 4 loads and one for the 4
  // stores on a board (boards/common/wasm-rt/ep-wasm-memory.h). In place
  // (dst = src), each int16 lands below every f32 not read yet.
  const end4 = src + (<usize>(n & ~3) << 2);
  let p = src, q = dst;
  for (; p < end4; p += 16, q += 8) {
    store<i16>(q, quantized(load<u32>(p), K, eLo, s, limit));
    store<i16>(q, quantized(load<u32>(p, 4), K, eLo, s, limit), 2);
    store<i16>(q, quantized(load<u32>(p, 8), K, eLo, s, limit), 4);
    store<i16>(q, quantized(load<u32>(p, 12), K, eLo, s, limit), 6);
  }
  for (; p < end; p += 4, q += 2) store<i16>(q, quantized(load<u32>(p), K, eLo, s, limit));
  quantScale = s;
  return true;
}

/**
 * One element's q (quantizeF32's scale s, K = 150 - s, eLo below). A normal
 * element's right shift is t = K - e (its biased exponent e), and t >= 24 - b
 * >= 9 because e <= the largest's (magnitudeAt's t <= 0 branch is for
 * subnormals only): its rounding is roundHalfEvenPositive, on its significand
 * less one (the same quotient: roundHalfEvenPositiveLessOne). One compare,
 * e >= eLo = max(K - 31, 1), takes the normal elements with t <= 31; below it,
 * zeros and subnormals (e = 0) take magnitudeAt, and normals with t >= 32 are
 * 0 (their significand is under 2^(t-1)). Both give magnitudeAt's bits.
 */
@inline function quantized(bits: u32, K: i32, eLo: u32, s: i32, limit: u32): i32 {
  const e = (bits << 1) >>> 24;
  let m: u32 = 0;
  if (e >= eLo) {
    m = roundHalfEvenPositiveLessOne((bits & 0x7fffff) + 0x7fffff, K - <i32>e);
  } else if (e == 0) {
    m = magnitudeAt(bits & 0x7fffffff, s);
  }
  if (m > limit) m = limit;
  return <i32>bits < 0 ? -<i32>m : <i32>m;
}

/** The largest of n f32 magnitudes' bits (the sign cleared), compared as u32: >= 0x7f800000 if any is not finite. */
function largestMagnitude(src: usize, n: i32): u32 {
  let M: u32 = 0;
  let p = src;
  const end4 = src + (<usize>(n & ~3) << 2);
  for (; p < end4; p += 16) {
    const a0 = load<u32>(p) & 0x7fffffff, a1 = load<u32>(p, 4) & 0x7fffffff;
    const a2 = load<u32>(p, 8) & 0x7fffffff, a3 = load<u32>(p, 12) & 0x7fffffff;
    if (a0 > M) M = a0;
    if (a1 > M) M = a1;
    if (a2 > M) M = a2;
    if (a3 > M) M = a3;
  }
  const end = src + (<usize>n << 2);
  for (; p < end; p += 4) {
    const a = load<u32>(p) & 0x7fffffff;
    if (a > M) M = a;
  }
  return M;
}

/** The right shift that brings magnitudes up to M (> 0) into b bits: E - (b - 1). */
@inline export function requantShift32(M: u32, b: i32): i32 { return (31 - <i32>clz(M)) - (b - 1); }
@inline export function requantShift64(M: u64, b: i32): i32 { return (63 - <i32>clz(M)) - (b - 1); }

/** round(v 2^-t) saturated to 2^b - 1 in magnitude (t may be <= 0: an exact left shift). */
@inline export function requant32(v: i32, t: i32, limit: u32): i16 {
  const a = <u32>(v < 0 ? -v : v);
  // a <= 2^31 and t <= 31 - (b - 1): a + 2^(t-1) < 2^32, roundHalfEvenPositive's condition
  let m: u32 = t > 0 ? roundHalfEvenPositive(a, t) : a << <u32>(-t);
  if (m > limit) m = limit;
  return <i16>(v < 0 ? -<i32>m : <i32>m);
}

@inline export function requant64(v: i64, t: i32, limit: u32): i16 {
  const a = <u64>(v < 0 ? -v : v);
  let m: u64 = t > 0 ? roundShift64(a, t) : a << <u64>(-t);
  if (m > <u64>limit) m = <u64>limit;
  return <i16>(v < 0 ? -<i32>m : <i32>m);
}
