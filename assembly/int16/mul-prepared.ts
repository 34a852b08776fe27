// a * c for a normal a and a loop constant c (a positive normal number), as
// soft-f32-normal.ts's mulNormal(a, c), with c's significand and exponent
// taken apart once before the loop instead of once per product: int16's Adam
// step (assembly/int16/adam-soft.ts) multiplies five such constants per
// parameter. The same bits as mulNormal, 0 where it declines (a product that
// is not normal); tests/int16/soft-f32.test.ts checks it against V8.
import { roundNormalAt } from "./soft-f32-normal";

const SIGN: u32 = 0x80000000;
const EXP: u32 = 0x7f800000;
const HIDDEN: u32 = 0x00800000;

/** c's significand at bits 30..7 (c normal). */
// @ts-ignore: decorator
@inline export function preparedSig(c: u32): u32 {
  return ((c << 9) >> 2) | 0x40000000;
}

/** c's exponent field less 0x7f, at bit 23 (c normal, positive), wrapping below 0. */
// @ts-ignore: decorator
@inline export function preparedExp(c: u32): u32 {
  return (c & EXP) - (<u32>0x7f << 23);
}

/** a * c for a normal a and a positive normal c given as preparedSig(c), preparedExp(c); 0 unless the product is normal. */
// @ts-ignore: decorator
@inline export function mulPrepared(a: u32, cSig: u32, cExp: u32): u32 {
  const p = <u64>((a << 8) | SIGN) * <u64>cSig;
  let sig = <u32>(p >> 32) | <u32>(<u32>p != 0);
  let e = (a & EXP) + cExp;
  if (sig < 0x40000000) { e -= HIDDEN; sig <<= 1; }
  return roundNormalAt(a & SIGN, e, sig);
}

/** mulPrepared for a positive normal a (a second moment, a square root): no sign to carry. */
// @ts-ignore: decorator
@inline export function mulPreparedPositive(a: u32, cSig: u32, cExp: u32): u32 {
  const p = <u64>((a << 8) | SIGN) * <u64>cSig;
  let sig = <u32>(p >> 32) | <u32>(<u32>p != 0);
  let e = (a & EXP) + cExp;
  if (sig < 0x40000000) { e -= HIDDEN; sig <<= 1; }
  return roundNormalAt(0, e, sig);
}
