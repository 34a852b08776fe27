// exp and log in f32 arithmetic only, for the per-sample path: AssemblyScript's
// Mathf.exp/log (and Math's) work in f64 inside, which on a single-precision
// FPU (rv32imfc, the ESP32 and S3's Xtensa) is all soft-double calls.
// Deterministic on every engine: only f32 +, -, *, /, floor and bit moves, no
// fused multiply-add (wasm has none; the boards compile with
// -ffp-contract=off), so V8, wasm2c and wasm3 give the same bits.
// Accuracy: within a couple of ulps of the correctly rounded result over the
// ranges used (the softmax's exponents <= 0, logs of sums >= 1).

const LOG2E: f32 = 1.44269504;
// ln 2 split: the high part has its low 12 bits zero, so k * LN2_HI is exact for |k| < 2^12.
const LN2_HI: f32 = 0.693145751953125;
const LN2_LO: f32 = 1.42860677e-6;
const EXP_OVER: f32 = 88.7228394; // above: +inf
const EXP_UNDER: f32 = -103.972084; // below: 0
const ONE: f32 = 1;
const TWO: f32 = 2;
const HALF: f32 = 0.5;
const INV3: f32 = <f32>1 / <f32>3;
const INV4: f32 = 0.25;
const INV5: f32 = <f32>1 / <f32>5;
const INV6: f32 = <f32>1 / <f32>6;
const INV7: f32 = <f32>1 / <f32>7;
const INV9: f32 = <f32>1 / <f32>9;
const SQRT2: f32 = 1.41421356;

/** e^x in f32: x = k ln2 + r (|r| <= ln2/2), e^r by its Taylor series to r^7, times 2^k. */
export function expf32(x: f32): f32 {
  if (x != x) return x;
  if (x > EXP_OVER) return Infinity;
  if (x < EXP_UNDER) return 0;
  const k = <i32>Mathf.floor(x * LOG2E + HALF);
  const kf = <f32>k;
  const r = (x - kf * LN2_HI) - kf * LN2_LO;
  // Horner, innermost first: 1 + r(1 + r/2(1 + r/3(1 + r/4(1 + r/5(1 + r/6(1 + r/7))))))
  let p: f32 = ONE + r * INV7;
  p = ONE + r * INV6 * p;
  p = ONE + r * INV5 * p;
  p = ONE + r * INV4 * p;
  p = ONE + r * INV3 * p;
  p = ONE + r * HALF * p;
  p = ONE + r * p;
  // 2^k as two normal factors (k is in -150..128): no subnormal or infinite scale on the way.
  const k1 = k >> 1, k2 = k - k1;
  return p * reinterpret<f32>((k1 + 127) << 23) * reinterpret<f32>((k2 + 127) << 23);
}

/** ln x in f32: x = 2^e m (m in [sqrt(1/2), sqrt(2))), ln m = 2 atanh(s), s = (m - 1) / (m + 1). */
export function logf32(x: f32): f32 {
  if (x != x || x == Infinity) return x;
  if (x < 0) return NaN;
  if (x == 0) return -Infinity;
  let e: i32 = 0;
  let bits = reinterpret<u32>(x);
  if (bits < 0x00800000) { // subnormal: scale by 2^25 first
    x *= <f32>33554432;
    e = -25;
    bits = reinterpret<u32>(x);
  }
  e += <i32>(bits >> 23) - 127;
  let m = reinterpret<f32>((bits & 0x007fffff) | 0x3f800000); // [1, 2)
  if (m > SQRT2) { m *= HALF; e++; }
  const s: f32 = (m - ONE) / (m + ONE);
  const s2 = s * s;
  // 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + s^7/7 + s^9/9), |s| <= 0.1716
  let q: f32 = INV9;
  q = INV7 + s2 * q;
  q = INV5 + s2 * q;
  q = INV3 + s2 * q;
  const lnm: f32 = TWO * s + TWO * s * s2 * q;
  const ef = <f32>e;
  return ef * LN2_HI + (ef * LN2_LO + lnm);
}
