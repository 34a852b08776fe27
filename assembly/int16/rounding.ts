// Round-half-to-even right shifts and the f32-bits decomposition every int16
// quantization uses (docs/int16.md §3): integer operations only, so every
// engine, with or without an FPU, gives the same bits.

/** v / 2^t rounded to nearest, ties to even; t in 1..31. */
@inline export function roundShift32(v: u32, t: i32): u32 {
  const q = v >>> <u32>t;
  const rem = v & ((<u32>1 << <u32>t) - 1);
  const half = <u32>1 << <u32>(t - 1);
  return rem > half || (rem == half && (q & 1) != 0) ? q + 1 : q;
}

/**
 * roundShift32 without its branches, for v + 2^(t-1) < 2^32: v + 2^(t-1) - 1
 * carries into bit t exactly when the remainder passes half, and the quotient's
 * low bit added makes a tie carry exactly when the quotient is odd.
 */
@inline export function roundHalfEvenPositive(v: u32, t: i32): u32 {
  return (v + ((<u32>1 << <u32>(t - 1)) - 1) + ((v >>> <u32>t) & 1)) >>> <u32>t;
}

/**
 * roundHalfEvenPositive(v, t) from w = v - 1, for 1 <= v, v + 2^(t-1) < 2^32:
 * (w + 2^(t-1) + ((w >>> t) & 1)) >>> t. w's quotient bit differs from v's
 * only when v = q 2^t, and then both sums lie in [q 2^t, (q + 1) 2^t): the
 * quotient is q either way. A caller that builds v by an
 * OR of a hidden bit (a significand) builds w with one add instead, and the
 * rounding saves the - 1.
 */
@inline export function roundHalfEvenPositiveLessOne(w: u32, t: i32): u32 {
  return (w + (<u32>1 << <u32>(t - 1)) + ((w >>> <u32>t) & 1)) >>> <u32>t;
}

/** v / 2^t rounded to nearest, ties to even; t in 1..63. */
@inline export function roundShift64(v: u64, t: i32): u64 {
  const q = v >>> <u64>t;
  const rem = v & ((<u64>1 << <u64>t) - 1);
  const half = <u64>1 << <u64>(t - 1);
  return rem > half || (rem == half && (q & 1) != 0) ? q + 1 : q;
}

/** The right shift t that maps |x| (its bits less the sign, a) to the scale 2^s: q = m 2^-t. */
@inline export function shiftFor(a: u32, s: i32): i32 {
  const e = <i32>(a >>> 23);
  return 150 - (e > 0 ? e : 1) - s;
}

/** The 24-bit significand of |x| (a: its bits less the sign). */
@inline export function significand(a: u32): u32 {
  return (a >>> 23) > 0 ? (a & 0x7fffff) | 0x800000 : a & 0x7fffff;
}

/** floor(log2 |x|) for a finite, non-zero magnitude's bits a. */
@inline export function exponentOf(a: u32): i32 {
  return a >= 0x00800000 ? <i32>(a >>> 23) - 127 : (31 - <i32>clz(a)) - 149;
}

/** |x| 2^s rounded half to even (a: |x|'s bits), before saturation; may exceed 2^15 only for the largest elements. */
@inline export function magnitudeAt(a: u32, s: i32): u32 {
  const m = significand(a);
  if (m == 0) return 0; // zero at any scale (a large scale must not shift it into saturation)
  const t = shiftFor(a, s);
  if (t <= 0) return t < -8 ? 0xffffffff : m << <u32>(-t); // past 2^32: saturated by the caller
  if (t >= 32) return 0;
  return roundShift32(m, t);
}
