// <f32>k's bits for a small integer k computed on integers: on a core
// without an FPU (rv32imc) the convert is libgcc's __floatsisf (and
// __clzsi2); leading-zeros.ts counts with compares instead.
import { leadingZeros } from "./leading-zeros";

const SIGN: u32 = 0x80000000;

/** <f32>k's bits for |k| < 2^24 (exact: no rounding). */
// @ts-ignore: decorator
@inline export function smallIntBits(k: i32): u32 {
  if (k == 0) return 0;
  const sign = <u32>k & SIGN;
  const n = <u32>(k < 0 ? -k : k);
  const lz = leadingZeros(n);
  // The leading 1 at bit 31, dropped; the 23 fraction bits below it.
  return sign | ((158 - lz) << 23) | (((n << lz) << 1) >> 9);
}
