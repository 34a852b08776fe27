// The common case of assembly/int16/soft-f32.ts's operations, for a chain of
// them (int16's Adam step, assembly/int16/adam-soft.ts): operands that are
// normal finite numbers (not checked here: the caller's job) and a result
// that is normal too. Each returns the correctly rounded binary32 bits, the
// same as soft-f32.ts and the f32 instruction, or 0 (never a normal number)
// to decline: a result that would be zero, subnormal or past FLT_MAX; the
// caller then redoes its work with soft-f32.ts's general routines. Without
// the special cases a routine is a short straight line; the division and the
// square root use the core's integer divider (divu) and a multiply for the
// remainder instead of bit loops, and no routine needs clz (a libgcc call on
// rv32imc, which has no Zbb). tests/int16/soft-f32.test.ts checks every
// routine against V8 bit for bit.

const SIGN: u32 = 0x80000000;
const HIDDEN: u32 = 0x00800000;
const FRAC: u32 = 0x007fffff;

/** Whether bits are a normal number (not zero, subnormal, infinite or NaN): what the routines below take. */
// @ts-ignore: decorator
@inline export function isNormalBits(x: u32): bool {
  return ((x >> 23) & 0xff) - 1 < 0xfe;
}
const EXP: u32 = 0x7f800000;

/**
 * Rounds to nearest even and packs, as soft-f32.ts's roundPack for a normal
 * result: `sig` has its leading 1 at bit 30 (the round bit is bit 6, bits
 * 5..0 sticky), `e` is the biased exponent minus one, already shifted to the
 * exponent field (e << 23 of roundPack's exp, kept there so that no operation
 * shifts exponents out and back). The rounding adds 0x3f plus the last kept
 * bit: a carry out of bit 6 exactly when the discarded part is above half,
 * or half with an odd last bit. A carry out of the significand lands in the
 * exponent. 0 unless the result is normal (0 <= exp <= 0xfc keeps even a
 * carried result below the infinities; a negative exp wraps to 2^31 or more).
 */
// @ts-ignore: decorator
@inline export function roundNormalAt(sign: u32, e: u32, sig: u32): u32 {
  if (e > <u32>0xfc << 23) return 0;
  return sign | (e + ((sig + 0x3f + ((sig >> 7) & 1)) >> 7));
}

/** a * b for normal a and b; 0 unless the product is normal. */
// @ts-ignore: decorator
@inline export function mulNormal(a: u32, b: u32): u32 {
  // The significands at bits 31..8 and 30..7: the product in [2^61, 2^63).
  const p = <u64>((a << 8) | SIGN) * <u64>(((b << 9) >> 2) | 0x40000000);
  let sig = <u32>(p >> 32) | <u32>(<u32>p != 0);
  // The exponent fields added where they are: ea + eb - 0x7f, at bit 23.
  let e = (a & EXP) + (b & EXP) - (<u32>0x7f << 23);
  if (sig < 0x40000000) { e -= HIDDEN; sig <<= 1; }
  return roundNormalAt((a ^ b) & SIGN, e, sig);
}

/** a + b for normal a and b; 0 unless the sum is normal (x - x = +0 declines too). */
// @ts-ignore: decorator
@inline export function addNormal(a: u32, b: u32): u32 {
  let ma = a & ~SIGN, mb = b & ~SIGN;
  let sign = a & SIGN;
  if (ma < mb) { const t = ma; ma = mb; mb = t; sign = b & SIGN; }
  const ea = ma >> 23;
  const dist = ea - (mb >> 23);
  // The smaller below a quarter of the larger's last place: the larger, rounded.
  if (dist > 25) return sign | ma;
  if (((a ^ b) & SIGN) == 0) return addMagsNormal(sign, ea, ma, mb, dist);
  if (ma == mb) return 0;
  return subMagsNormal(sign, ea, ma, mb, dist);
}

/** a + b for positive normal a and b; 0 unless the sum is normal. */
// @ts-ignore: decorator
@inline export function addPositiveNormal(a: u32, b: u32): u32 {
  if (a < b) { const t = a; a = b; b = t; }
  const ea = a >> 23;
  const dist = ea - (b >> 23);
  if (dist > 25) return a;
  return addMagsNormal(0, ea, a, b, dist);
}

/** sig >> dist, the bits shifted out OR-ed into bit 0 (dist < 32). */
// @ts-ignore: decorator
@inline function shiftJam(sig: u32, dist: u32): u32 {
  const kept = sig >> dist;
  return kept | <u32>((kept << dist) != sig);
}

/** |a| + |b| (magnitudes ma >= mb, biased exponents ea and ea - dist, dist <= 25). */
// @ts-ignore: decorator
@inline function addMagsNormal(sign: u32, ea: u32, ma: u32, mb: u32, dist: u32): u32 {
  // Significands at bits 29..6: the sum below 2^31, its leading 1 at bit 30 or 29.
  let sig = (((ma << 9) >> 3) | (HIDDEN << 6)) + shiftJam(((mb << 9) >> 3) | (HIDDEN << 6), dist);
  let e = ea << 23;
  if (sig < 0x40000000) { e -= HIDDEN; sig <<= 1; }
  return roundNormalAt(sign, e, sig);
}

/** |a| - |b| (magnitudes ma > mb, biased exponents ea and ea - dist, dist <= 25). */
// @ts-ignore: decorator
@inline function subMagsNormal(sign: u32, ea: u32, ma: u32, mb: u32, dist: u32): u32 {
  // Significands at bits 30..7. dist >= 2: the difference stays above 2^29
  // (one shift at most, the sticky bit stays below the round bit); dist <= 1:
  // exact (no bit shifted out), normalized a bit at a time.
  let sig = (((ma << 9) >> 2) | (HIDDEN << 7)) - shiftJam(((mb << 9) >> 2) | (HIDDEN << 7), dist);
  let e = (ea - 1) << 23;
  while (sig < 0x40000000) { e -= HIDDEN; sig <<= 1; }
  return roundNormalAt(sign, e, sig);
}

/** a / b for normal a and b; 0 unless the quotient is normal. */
// @ts-ignore: decorator
@inline export function divNormal(a: u32, b: u32): u32 {
  let r = (a & FRAC) | HIDDEN;
  const sb = (b & FRAC) | HIDDEN;
  let e = (a & EXP) - (b & EXP) + (<u32>0x7e << 23);
  if (r < sb) { r <<= 1; e -= HIDDEN; }
  // The quotient in [1, 2): its leading 1, then 24 more bits 8 at a time
  // (the remainder stays below sb < 2^24, so r << 8 fits in 32 bits).
  r -= sb;
  let t = r << 8; let q = (<u32>1 << 8) | (t / sb); r = t % sb;
  t = r << 8; q = (q << 8) | (t / sb); r = t % sb;
  t = r << 8; q = (q << 8) | (t / sb); r = t % sb;
  return roundNormalAt((a ^ b) & SIGN, e, (q << 6) | <u32>(r != 0));
}

/**
 * sqrt(a) for a positive normal a (always normal). With m the significand
 * (doubled for an odd unbiased exponent) the result's significand is
 * floor(sqrt(N)), N = m << 27 (26 bits: 24, the round bit, one more), plus a
 * sticky bit for the remainder. x = m << 7 (N's top 32 bits, [2^30, 2^32)):
 * a line through sqrt on [1, 2) or [2, 4) (0.9% off at most) and one Newton
 * step give r1, floor(sqrt(x)) <= r1 <= sqrt(x) + 2.7; r = r1 - 3 is below
 * sqrt(x) by less than 4. A Newton step from r << 10 overshoots sqrt(N) by
 * less than 4^2 2^20 / 2^26 < 1 and the integer division cuts less than 1:
 * R is floor(sqrt(N)) or one more, and the remainder N - R^2, small, is
 * exact in its low 32 bits: negative means one more.
 */
// @ts-ignore: decorator
@inline export function sqrtPositiveNormal(a: u32): u32 {
  const ea = a >> 23;
  let m = (a & FRAC) | HIDDEN;
  let lineA: u32 = 19487, lineB: u32 = 54292; // 2^15 (0.5947 + 0.4142 t), t = x / 2^30 in [1, 2)
  const odd = (ea & 1) ^ 1; // the unbiased exponent is odd: m doubles
  if (odd != 0) { m <<= 1; lineA = 27559; lineB = 38390; } // sqrt(2) times the line at t / 2
  const x = m << 7;
  const r0 = lineA + ((lineB * (x >> 16)) >> 16);
  const r = ((r0 + x / r0) >> 1) - 3;
  let R = (r << 10) + ((x - r * r) << 9) / r;
  let rem = <i32>((m << 27) - R * R);
  if (rem < 0) { R--; rem += <i32>(R << 1) + 1; }
  const sig = (R << 5) | <u32>(rem != 0);
  return ((ea + 125 - odd) >> 1 << 23) + ((sig + 0x3f + ((sig >> 7) & 1)) >> 7);
}

/** a * a for a normal a; 0 unless the square is normal. One significand read for both factors, no sign. */
// @ts-ignore: decorator
@inline export function squareNormal(a: u32): u32 {
  const s = (a << 8) | SIGN; // bits 31..8; s >> 1 at bits 30..7, as mulNormal's second factor
  const p = <u64>s * <u64>(s >> 1);
  let sig = <u32>(p >> 32) | <u32>(<u32>p != 0);
  let e = ((a & EXP) << 1) - (<u32>0x7f << 23); // 2 ea - 0x7f at bit 23 (2 ea <= 508 fits)
  if (sig < 0x40000000) { e -= HIDDEN; sig <<= 1; }
  return roundNormalAt(0, e, sig);
}
