// IEEE-754 binary32 add, subtract, multiply and divide computed on the bit
// patterns (u32) in integers, round to nearest even, with subnormals, signed
// zeros and infinities: the same bits as the f32 instructions (tests/int16/
// soft-f32.test.ts checks millions of operand pairs). Why: on a core without
// an FPU (the ESP32-C3, rv32imc) every f32 operation of the wasm module
// becomes a libgcc soft-float call, generic code of ~100+ instructions; here
// the common case (two normal operands, a normal result) is a short straight
// line that gcc compiles inline after wasm2c. Used only by int16 precision's
// optimizer step (assembly/int16/adam-soft.ts); f32 mode keeps the FPU
// instructions. A NaN operand or result (never reached by a step that is
// taken: a non-finite gradient is refused before it) gives the quiet NaN
// 0x7fc00000, whatever the operands' payloads.

const SIGN: u32 = 0x80000000;
const INF: u32 = 0x7f800000;
const QNAN: u32 = 0x7fc00000;
const HIDDEN: u32 = 0x00800000;
const FRAC: u32 = 0x007fffff;

/** sig >> dist with every bit shifted out OR-ed into bit 0 (the sticky bit). */
// @ts-ignore: decorator
@inline export function shiftRightJam(sig: u32, dist: u32): u32 {
  return dist < 31 ? (sig >> dist) | <u32>((sig & ((<u32>1 << dist) - 1)) != 0) : <u32>(sig != 0);
}

/**
 * Rounds and packs. `sig` holds the significand with its leading 1 at bit 30
 * (7 bits below the result's last bit: the round bit is bit 6, bits 5..0 are
 * sticky) and `exp` is the biased exponent minus one (the leading 1 lands on
 * the exponent field's lowest bit as the two are added). exp < 0: the result
 * is subnormal (or zero), shifted right first; past the range: infinity.
 */
// @ts-ignore: decorator
@inline export function roundPack(sign: u32, exp: i32, sig: u32): u32 {
  if (<u32>exp >= 0xfd) {
    if (exp < 0) {
      sig = shiftRightJam(sig, <u32>-exp);
      exp = 0;
    } else if (exp > 0xfd || sig + 0x40 >= SIGN) {
      return sign | INF;
    }
  }
  const roundBits = sig & 0x7f;
  sig = (sig + 0x40) >> 7;
  if (roundBits == 0x40) sig &= ~<u32>1; // a tie: to even
  return sign | ((<u32>exp << 23) + sig);
}

/** A non-zero subnormal's fraction normalized to its leading 1 at bit 23: the shift (its exponent is 1 - shift). */
// @ts-ignore: decorator
@inline function subnormalShift(frac: u32): i32 {
  return <i32>clz(frac) - 8;
}

// ---- multiply ----

// @ts-ignore: decorator
@inline function mulCore(sign: u32, ea: i32, sa: u32, eb: i32, sb: u32): u32 {
  const p = <u64>(sa << 7) * <u64>(sb << 8); // leading 1 at bit 61 or 62
  let sig = <u32>(p >> 32) | <u32>(<u32>p != 0);
  let exp = ea + eb - 0x7f;
  if (sig < 0x40000000) { exp--; sig <<= 1; }
  return roundPack(sign, exp, sig);
}

function mulSlow(a: u32, b: u32): u32 {
  const sign = (a ^ b) & SIGN;
  const ma = a & ~SIGN, mb = b & ~SIGN;
  if (ma > INF || mb > INF) return QNAN;
  if (ma == INF) return mb == 0 ? QNAN : sign | INF;
  if (mb == INF) return ma == 0 ? QNAN : sign | INF;
  if (ma == 0 || mb == 0) return sign;
  let ea = <i32>(ma >> 23), sa = ma & FRAC;
  let eb = <i32>(mb >> 23), sb = mb & FRAC;
  if (ea == 0) { const s = subnormalShift(sa); sa <<= <u32>s; ea = 1 - s; } else sa |= HIDDEN;
  if (eb == 0) { const s = subnormalShift(sb); sb <<= <u32>s; eb = 1 - s; } else sb |= HIDDEN;
  return mulCore(sign, ea, sa, eb, sb);
}

/** a * b on binary32 bit patterns, as f32.mul. */
// @ts-ignore: decorator
@inline export function mulF32(a: u32, b: u32): u32 {
  const ea = <i32>((a >> 23) & 0xff), eb = <i32>((b >> 23) & 0xff);
  if (<u32>(ea - 1) >= 0xfe || <u32>(eb - 1) >= 0xfe) return mulSlow(a, b);
  return mulCore((a ^ b) & SIGN, ea, (a & FRAC) | HIDDEN, eb, (b & FRAC) | HIDDEN);
}

// ---- add, subtract ----

/** |a| + |b| with a's sign (a and b have the same sign). */
// @ts-ignore: decorator
@inline function addMags(a: u32, b: u32): u32 {
  const sign = a & SIGN;
  let ma = a & ~SIGN, mb = b & ~SIGN;
  if (ma < mb) { const t = ma; ma = mb; mb = t; }
  const ea = ma >> 23;
  if (ea == 0xff) return ma > INF ? QNAN : sign | INF;
  if (ea == 0) return sign | (ma + mb); // two subnormals (or zeros): exact, a carry makes the smallest normal
  const eb = mb >> 23;
  const sa = ((ma & FRAC) | HIDDEN) << 6;
  let sb: u32;
  if (eb == 0) sb = shiftRightJam(mb << 6, ea - 1);
  else sb = shiftRightJam(((mb & FRAC) | HIDDEN) << 6, ea - eb);
  let sig = sa + sb; // leading 1 at bit 29 or 30
  let exp = <i32>ea;
  if (sig < 0x40000000) { exp--; sig <<= 1; }
  return roundPack(sign, exp, sig);
}

/** |a| - |b| (a and b have opposite signs): the sign of the larger; equal magnitudes give +0. */
// @ts-ignore: decorator
@inline function subMags(a: u32, b: u32): u32 {
  let sign = a & SIGN;
  let ma = a & ~SIGN, mb = b & ~SIGN;
  if (ma == mb) return ma >= INF ? QNAN : 0; // x - x = +0; inf - inf, NaN: NaN
  if (ma < mb) { const t = ma; ma = mb; mb = t; sign ^= SIGN; }
  const ea = ma >> 23;
  if (ea == 0xff) return ma > INF ? QNAN : sign | INF;
  if (ea <= 1) return sign | (ma - mb); // both at the subnormal scale: exact
  const eb = mb >> 23;
  if (ea == eb) {
    // The leading 1s cancel: the difference is exact, only normalized.
    const diff = ma - mb; // < 2^23, > 0
    const shift = <i32>clz(diff) - 8;
    const e = <i32>ea - shift;
    if (e >= 1) return sign | ((<u32>(e - 1) << 23) + (diff << <u32>shift));
    return sign | (diff << (ea - 1));
  }
  const sa = ((ma & FRAC) | HIDDEN) << 7;
  let sb: u32;
  if (eb == 0) sb = shiftRightJam(mb << 7, ea - 1);
  else sb = shiftRightJam(((mb & FRAC) | HIDDEN) << 7, ea - eb);
  // A shift of 1 is exact (7 zero bits below); at 2 or more the difference stays above 2^29.
  let sig = sa - sb;
  const shift = clz(sig) - 1;
  sig <<= shift;
  return roundPack(sign, <i32>ea - 1 - <i32>shift, sig);
}

/** a + b on binary32 bit patterns, as f32.add. */
// @ts-ignore: decorator
@inline export function addF32(a: u32, b: u32): u32 {
  return ((a ^ b) & SIGN) == 0 ? addMags(a, b) : subMags(a, b);
}

/** a - b on binary32 bit patterns, as f32.sub. */
// @ts-ignore: decorator
@inline export function subF32(a: u32, b: u32): u32 {
  return addF32(a, b ^ SIGN);
}

// ---- divide ----

// @ts-ignore: decorator
@inline function divCore(sign: u32, ea: i32, sa: u32, eb: i32, sb: u32): u32 {
  let exp = ea - eb + 0x7e;
  let r = sa;
  if (r < sb) { r <<= 1; exp--; }
  // The quotient in [1, 2): its leading 1, then 24 more bits 8 at a time
  // (the remainder stays below sb < 2^24, so r << 8 fits in 32 bits).
  r -= sb;
  let q: u32 = 1;
  let t = r << 8; q = (q << 8) | (t / sb); r = t % sb;
  t = r << 8; q = (q << 8) | (t / sb); r = t % sb;
  t = r << 8; q = (q << 8) | (t / sb); r = t % sb;
  return roundPack(sign, exp, (q << 6) | <u32>(r != 0));
}

function divSlow(a: u32, b: u32): u32 {
  const sign = (a ^ b) & SIGN;
  const ma = a & ~SIGN, mb = b & ~SIGN;
  if (ma > INF || mb > INF) return QNAN;
  if (ma == INF) return mb == INF ? QNAN : sign | INF;
  if (mb == INF) return sign;
  if (mb == 0) return ma == 0 ? QNAN : sign | INF;
  if (ma == 0) return sign;
  let ea = <i32>(ma >> 23), sa = ma & FRAC;
  let eb = <i32>(mb >> 23), sb = mb & FRAC;
  if (ea == 0) { const s = subnormalShift(sa); sa <<= <u32>s; ea = 1 - s; } else sa |= HIDDEN;
  if (eb == 0) { const s = subnormalShift(sb); sb <<= <u32>s; eb = 1 - s; } else sb |= HIDDEN;
  return divCore(sign, ea, sa, eb, sb);
}

/** a / b on binary32 bit patterns, as f32.div. */
// @ts-ignore: decorator
@inline export function divF32(a: u32, b: u32): u32 {
  const ea = <i32>((a >> 23) & 0xff), eb = <i32>((b >> 23) & 0xff);
  if (<u32>(ea - 1) >= 0xfe || <u32>(eb - 1) >= 0xfe) return divSlow(a, b);
  return divCore((a ^ b) & SIGN, ea, (a & FRAC) | HIDDEN, eb, (b & FRAC) | HIDDEN);
}

// ---- square root ----

/**
 * The square root of sa * 2^(ea - 150) (sa normalized: its leading 1 at bit
 * 23; ea may be below 1 for a subnormal). R = floor(sqrt(N)) with
 * N = m << 27 (26 bits: 24, the round bit, one more) from a 16-bit integer
 * square root of N's top 32 bits and one Newton step, then the remainder
 * N - R^2 gives the sticky bit. Exact for any estimate: every correction is a
 * comparison with the true square.
 */
// @ts-ignore: decorator
@inline function sqrtCore(ea: i32, m: u32): u32 {
  // value = m / 2^23 * 2^k, k = ea - 127; k odd: m doubles, k becomes even.
  let k = ea - 127;
  if ((k & 1) != 0) { m <<= 1; k--; }
  const x = m << 7; // [2^30, 2^32): N's top 32 bits (N = x << 20)
  // sqrt(x) from a line through [1, 4) (4% high at most), two Newton steps
  // from above: r >= floor(sqrt(x)), within 1 of it.
  let r: u32 = 23199 + (((x >> 16) * 21845) >> 15);
  r = (r + x / r) >> 1;
  r = (r + x / r) >> 1;
  if (r > 0xffff) r = 0xffff;
  while (r * r > x) r--;
  let rem = x - r * r;
  while (rem > (r << 1)) { rem -= (r << 1) + 1; r++; }
  // sqrt(N) = 2^10 sqrt(r^2 + rem) <= 2^10 (r + rem / 2r): R is floor(sqrt(N)) or one more.
  let R = (r << 10) + (rem << 9) / r;
  const n = <u64>m << 27;
  let sq = <u64>R * <u64>R;
  while (sq > n) { R--; sq = <u64>R * <u64>R; }
  return roundPack(0, (k >> 1) + 126, (R << 5) | <u32>(sq != n));
}

function sqrtSlow(a: u32): u32 {
  if (a == 0 || a == SIGN || a == INF) return a; // sqrt(+-0) = +-0, sqrt(+inf) = +inf
  if (a > INF) return QNAN; // a NaN or a negative number
  const s = subnormalShift(a);
  return sqrtCore(1 - s, a << <u32>s);
}

/** sqrt(a) on a binary32 bit pattern, as f32.sqrt. */
// @ts-ignore: decorator
@inline export function sqrtF32(a: u32): u32 {
  if (a - HIDDEN >= INF - HIDDEN) return sqrtSlow(a); // not a positive normal
  return sqrtCore(<i32>(a >> 23), (a & FRAC) | HIDDEN);
}
