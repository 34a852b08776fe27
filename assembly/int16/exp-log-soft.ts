// assembly/mathf32.ts's expf32 and logf32 on binary32 bit patterns: the same
// operations in the same order, each f32 +, -, *, / by soft-f32-ops.ts, the
// compares, floor, <i32> and <f32> of small integers on the bits, the powers
// of two (HALF, INV4, TWO, 2^k) moved into the exponent field when the result
// is normal: the same bits as mathf32.ts on every engine (tests/int16/
// cross-entropy-soft.test.ts), without libgcc's soft-float calls on a core
// without an FPU (rv32imc). For int16's softmax cross-entropy
// (assembly/int16/cross-entropy-soft.ts); f32 mode keeps mathf32.ts.
import { smallIntBits } from "./small-int-f32";
import { addBits, mulBits, mulPow2Bits, subBits, divBits } from "./soft-f32-ops";

const SIGN: u32 = 0x80000000;
const INF: u32 = 0x7f800000;
const HIDDEN: u32 = 0x00800000;
const FRAC: u32 = 0x007fffff;

// mathf32.ts's constants, as bits.
const LOG2E: u32 = 0x3fb8aa3b; // 1.44269504
const LN2_HI: u32 = 0x3f317200;
const LN2_LO: u32 = 0x35bfbe8e;
const EXP_OVER: u32 = 0x42b17218; // 88.7228394
const EXP_UNDER_MAG: u32 = 0x42cff1b5; // 103.972084, EXP_UNDER = -that
const ONE: u32 = 0x3f800000;
const HALF: u32 = 0x3f000000;
const INV3: u32 = 0x3eaaaaab;
const INV5: u32 = 0x3e4ccccd;
const INV6: u32 = 0x3e2aaaab;
const INV7: u32 = 0x3e124925;
const INV9: u32 = 0x3de38e39;
const SQRT2: u32 = 0x3fb504f3;
const P2_25: u32 = 0x4c000000; // 33554432
const QNAN: u32 = 0x7fc00000; // f32's NaN constant
const NEG_INF: u32 = 0xff800000;

/** <i32>Mathf.floor(u) for a finite u with |u| < 2^31. */
// @ts-ignore: decorator
@inline function floorToI32(u: u32): i32 {
  const e = <i32>((u >> 23) & 0xff) - 127;
  if (e < 0) return u > SIGN ? -1 : 0; // |u| < 1: a negative non-zero floors to -1, +-0 and (0, 1) to 0
  const m = (u & FRAC) | HIDDEN;
  let i: u32;
  let fraction = false;
  if (e >= 23) i = m << <u32>(e - 23);
  else {
    i = m >> <u32>(23 - e);
    fraction = (i << <u32>(23 - e)) != m;
  }
  if (u < SIGN) return <i32>i;
  return -<i32>i - <i32>fraction;
}

/** expf32(x) on bits. */
export function expBits(x: u32): u32 {
  const mag = x & ~SIGN;
  if (mag > INF) return x; // x != x: x itself
  if (x < SIGN) { if (x > EXP_OVER) return INF; } // positive: ordered as integers
  else if (mag > EXP_UNDER_MAG) return 0;
  const k = floorToI32(addBits(mulBits(x, LOG2E), HALF));
  // r = (x - kf LN2_HI) - kf LN2_LO; with k = 0, kf = +0: x - (+0) = x for any x but -0 (whose r is -0 - +0 = -0 = x).
  let r = x;
  if (k != 0) {
    const kf = smallIntBits(k);
    r = subBits(subBits(x, mulBits(kf, LN2_HI)), mulBits(kf, LN2_LO));
  }
  let p = addBits(ONE, mulBits(r, INV7));
  p = addBits(ONE, mulBits(mulBits(r, INV6), p));
  p = addBits(ONE, mulBits(mulBits(r, INV5), p));
  p = addBits(ONE, mulBits(mulPow2Bits(r, -2), p)); // INV4
  p = addBits(ONE, mulBits(mulBits(r, INV3), p));
  p = addBits(ONE, mulBits(mulPow2Bits(r, -1), p)); // HALF
  p = addBits(ONE, mulBits(r, p));
  // p 2^k1 2^k2 (k1 = k >> 1, k2 = k - k1): both steps exact when p and p 2^k are
  // normal (p 2^k1 lies between them), else the general multiplies round as f32 does.
  const k1 = k >> 1, k2 = k - k1;
  return mulPow2Bits(mulPow2Bits(p, k1), k2);
}

/** logf32(x) on bits. */
export function logBits(x: u32): u32 {
  if ((x & ~SIGN) > INF || x == INF) return x; // NaN, +inf: x
  if (x > SIGN) return QNAN; // x < 0
  if (x == 0 || x == SIGN) return NEG_INF;
  if (x == ONE) return 0; // s = 0, e = 0: every term +0 (the softmax's sum when the other exps are negligible)
  let e: i32 = 0;
  let bits = x;
  if (bits < HIDDEN) { // subnormal: scale by 2^25 first
    bits = mulBits(bits, P2_25);
    e = -25;
  }
  e += <i32>(bits >> 23) - 127;
  let m = (bits & FRAC) | ONE; // [1, 2)
  if (m > SQRT2) { m -= HIDDEN; e++; } // m *= HALF: exact, m stays normal
  const s = divBits(subBits(m, ONE), addBits(m, ONE));
  const s2 = mulBits(s, s);
  let q = INV9;
  q = addBits(INV7, mulBits(s2, q));
  q = addBits(INV5, mulBits(s2, q));
  q = addBits(INV3, mulBits(s2, q));
  const twoS = mulPow2Bits(s, 1); // TWO * s
  const lnm = addBits(twoS, mulBits(mulBits(twoS, s2), q));
  // e = 0: ef = +0, both products +0, and +0 + (+0 + lnm) is lnm (+0 for lnm = -0).
  if (e == 0) return lnm == SIGN ? 0 : lnm;
  const ef = smallIntBits(e);
  return addBits(mulBits(ef, LN2_HI), addBits(mulBits(ef, LN2_LO), lnm));
}
