// g + v on binary32 bit patterns, as f32.add, for a v that is a non-zero
// normal number (what toF32 gives when it neither flushes nor sees 0): the
// int16 backward pass adds one such v into every gradient cell per group of
// rows. On rv32imc (no FPU) the f32 add is libgcc's __addsf3; this is a
// short inline integer path for the common case (g normal too, the result
// normal or subnormal) with the leading-zero counts done by compares
// (rv32imc has no clz instruction either). Any other g (zero, subnormal,
// infinite, NaN) takes soft-f32.ts's general add: the same bits.
import { addF32, roundPack, shiftRightJam } from "./soft-f32";
import { leadingZeros } from "./leading-zeros";

const SIGN: u32 = 0x80000000;
const HIDDEN: u32 = 0x00800000;
const FRAC: u32 = 0x007fffff;

/** g + v for a non-zero normal v (any g). */
// @ts-ignore: decorator
@inline export function addNormalF32(g: u32, v: u32): u32 {
  let ma = g & ~SIGN;
  const eg = ma >> 23;
  if (eg - 1 >= 0xfe) return ma == 0 ? v : addF32(g, v); // g is +-0 (the sum is v), subnormal, infinite or NaN
  let mb = v & ~SIGN;
  let sign = g & SIGN;
  if (((g ^ v) & SIGN) == 0) {
    if (ma < mb) { const t = ma; ma = mb; mb = t; }
    const ea = ma >> 23, eb = mb >> 23;
    const sa = ((ma & FRAC) | HIDDEN) << 6;
    const sb = shiftRightJam(((mb & FRAC) | HIDDEN) << 6, ea - eb);
    let sig = sa + sb; // leading 1 at bit 29 or 30
    let exp = <i32>ea;
    if (sig < 0x40000000) { exp--; sig <<= 1; }
    return roundPack(sign, exp, sig);
  }
  if (ma == mb) return 0; // x - x = +0
  if (ma < mb) { const t = ma; ma = mb; mb = t; sign ^= SIGN; }
  const ea = ma >> 23, eb = mb >> 23;
  if (ea == eb) {
    // The leading 1s cancel: the difference is exact, only normalized.
    const diff = ma - mb; // < 2^23, > 0
    const shift = <i32>leadingZeros(diff) - 8;
    const e = <i32>ea - shift;
    if (e >= 1) return sign | ((<u32>(e - 1) << 23) + (diff << <u32>shift));
    return sign | (diff << (ea - 1));
  }
  const sa = ((ma & FRAC) | HIDDEN) << 7;
  const sb = shiftRightJam(((mb & FRAC) | HIDDEN) << 7, ea - eb);
  // A distance of 1 is exact (7 zero bits below) and may cancel many bits;
  // at 2 or more the difference stays above 2^29 (a shift of 0 or 1).
  let sig = sa - sb;
  let shift: u32 = 0;
  if (sig < 0x40000000) shift = sig >= 0x20000000 ? 1 : leadingZeros(sig) - 1;
  return roundPack(sign, <i32>ea - 1 - <i32>shift, sig << shift);
}
