// g += toF32(a, S) in one step, for the int16 weight gradients (docs/int16.md
// §4, §6): the same bits as converting the i32 sum a to f32 (rounded to 24
// bits when |a| >= 2^24), scaling it by 2^-S and adding it to g with f32.add,
// without packing the converted value into bits and unpacking it again. Why:
// on rv32imc (no FPU) this runs for every gradient cell of every group of
// rows; toF32Bits32 + addNormalF32 cost about 85 instructions per cell.
//
// The common case needs no leading-zero count of a: when |a| < 2^24 (a is
// exact in f32) and a 2^-S fits below g's leading bit at g's ulp / 2^7, both
// are integers in that unit and their sum is exact; one rounding of it is
// what f32.add gives. Otherwise v = toF32(a, S) is normalized (rounded like
// the convert) and added as soft-f32.ts's add does, the smaller operand
// shifted with a sticky bit. Anything off these paths (a == 0, g zero is
// the convert alone, g subnormal/infinite/NaN, a result that is subnormal or
// overflows, a scale under which some v would flush or saturate) is left to
// the caller's general path: the function returns false and stores nothing.
// The fast path keeps g's exponent field and every v's in 32..252, so no
// result it makes can be subnormal or overflow: it needs no range check.
import { leadingZeros } from "./leading-zeros";
import { shiftRightJam } from "./soft-f32";
import { toF32Bits32 } from "./to-f32";

const SIGN: u32 = 0x80000000;

/**
 * addScaled's `limit` for scale S: every non-zero i32 a gives a toF32(a, S)
 * with its exponent field in 32..252 (127 - S .. 159 - S) when S is in
 * -93..95; then any a != 0 may take the fast path (|a| - 1 < 2^31, -2^31
 * too), else none does.
 */
// @ts-ignore: decorator
@inline export function scaledLimit(S: i32): u32 {
  return <u32>(S + 93) <= 188 ? 0x80000000 : 0;
}

/** The 24 bits of N (leading 1 at bit 31) above bit 8, rounded to nearest even: [2^23, 2^24]. */
// @ts-ignore: decorator
@inline function round24(N: u32): u32 {
  return (N >> 8) + ((N >> 7) & <u32>((N & 0x17f) != 0));
}

/**
 * The f32 at g += toF32(a, S), with C = 157 - S and limit = scaledLimit(S):
 * true when done; false (nothing stored) for the caller's general path.
 */
// @ts-ignore: decorator
@inline export function addScaled(g: usize, a: i32, S: i32, C: i32, limit: u32): bool {
  // g first: gcc would otherwise compute every |a| of a block of cells up
  // front (code hoisting) and spill them.
  const G = load<u32>(g);
  const eg = (G >> 23) & 0xff;
  if (eg - 32 >= 221) {
    // g outside 32..252 (tiny, huge, subnormal, infinite or NaN); a == 0 (counted by the caller); a scale off the fast path
    if ((G << 1) != 0 || a == 0 || limit == 0) return false;
    store<u32>(g, toF32Bits32(a, S)); // +-0 + v = v (v != 0)
    return true;
  }
  const s = a >> 31;
  const m = <u32>((a ^ s) - s); // |a|; -2^31 gives 2^31
  if (m - 1 >= limit) return false; // a == 0, or a scale that may flush or saturate
  // g = Gi 2^(eg - 157): its 24 bits with the leading 1 at bit 30, 7 zero bits below.
  const Gi = ((G << 8) | SIGN) >> 1;
  const sh = C - <i32>eg; // a 2^-S = (m << sh) units of 2^(eg - 157)
  const same = <i32>(<u32>a ^ G) >= 0;
  let sign = G & SIGN;
  let I: u32;
  let base: i32; // the biased exponent of the result, minus one, for a leading 1 of I at bit 31
  const Ai = m << <u32>sh;
  if (<u32>sh <= 30 && m < 0x1000000 && (<i32>Ai >> sh) == <i32>m) {
    // a is exact in f32 and a 2^-S is an integer below 2^31 in g's unit: the sum is exact.
    base = <i32>eg;
    if (same) I = Gi + Ai; // < 2^32
    else {
      let d = <i32>(Gi - Ai);
      if (d <= 0) {
        if (d == 0) { store<u32>(g, 0); return true; } // x - x = +0
        d = -d;
        sign ^= SIGN;
      }
      I = <u32>d;
    }
  } else {
    // v as f32(a) holds it (24 bits, rounded past 2^24; a carry to 2^24 moves
    // the exponent), its leading 1 at bit 30: A 2^(1 - n + c - S).
    const n = leadingZeros(m);
    const sig = round24(m << n);
    const c = sig >> 24;
    const A = (sig >> c) << 7;
    const ea = <i32>c - <i32>n;
    const r = sh + 1 + ea; // v's unit over g's, as a power of two
    if (r >= 0) {
      base = C + 1 + ea;
      sign = <u32>a & SIGN;
      const Gj = shiftRightJam(Gi, <u32>r);
      if (same) I = A + Gj;
      else {
        let d = <i32>(A - Gj); // > 0 unless r == 0
        if (d <= 0) {
          if (d == 0) { store<u32>(g, 0); return true; }
          d = -d;
          sign ^= SIGN;
        }
        I = <u32>d;
      }
    } else {
      base = <i32>eg;
      const Aj = shiftRightJam(A, <u32>-r);
      I = same ? Gi + Aj : Gi - Aj; // Aj < 2^30 <= Gi
    }
  }
  // Normalize I (from a sum: bit 30 or 31; from a difference: mostly bit 29 or 30), round once.
  // The field (base + 1 - z, one more on a carry to 2^24) stays in 2..254: from a sum it is at
  // most one of the operands' fields + 2, from a difference at least the larger's - 30.
  const z: u32 = <i32>I < 0 ? 0 : I >= 0x40000000 ? 1 : I >= 0x20000000 ? 2 : leadingZeros(I);
  store<u32>(g, sign | ((<u32>(base - <i32>z) << 23) + round24(I << z)));
  return true;
}
