// One f32 add, subtract, multiply or divide on binary32 bit patterns for any
// operands, the same bits as the f32 instruction: soft-f32-normal.ts's short
// inline routine when both operands are normal and it accepts the result,
// else soft-f32.ts's general routine, kept out of line (zeros, subnormals,
// overflow: rare in int16's loss, so one copy of the long code serves every
// call site). For a chain of operations where any operand may be zero
// (int16's loss, assembly/int16/cross-entropy-soft.ts), unlike Adam's step
// (assembly/int16/adam-soft.ts), which checks its operands once per parameter.
// NaN operands give the quiet NaN 0x7fc00000 (soft-f32.ts): callers that must
// keep a NaN's payload do not get here with one.
import { addF32, divF32, mulF32 } from "./soft-f32";
import { addNormal, divNormal, isNormalBits, mulNormal } from "./soft-f32-normal";

const SIGN: u32 = 0x80000000;

function addGeneral(a: u32, b: u32): u32 { return addF32(a, b); }
function mulGeneral(a: u32, b: u32): u32 { return mulF32(a, b); }
function divGeneral(a: u32, b: u32): u32 { return divF32(a, b); }

/** a + b, as f32.add. */
// @ts-ignore: decorator
@inline export function addBits(a: u32, b: u32): u32 {
  if (isNormalBits(a) && isNormalBits(b)) {
    const r = addNormal(a, b);
    if (r != 0) return r;
  }
  return addGeneral(a, b);
}

/** a - b, as f32.sub (IEEE's a - b is a + (-b), signed zeros included). */
// @ts-ignore: decorator
@inline export function subBits(a: u32, b: u32): u32 {
  return addBits(a, b ^ SIGN);
}

/** a * b, as f32.mul. */
// @ts-ignore: decorator
@inline export function mulBits(a: u32, b: u32): u32 {
  if (isNormalBits(a) && isNormalBits(b)) {
    const r = mulNormal(a, b);
    if (r != 0) return r;
  }
  return mulGeneral(a, b);
}

/** a / b, as f32.div. */
// @ts-ignore: decorator
@inline export function divBits(a: u32, b: u32): u32 {
  if (isNormalBits(a) && isNormalBits(b)) {
    const r = divNormal(a, b);
    if (r != 0) return r;
  }
  return divGeneral(a, b);
}

/**
 * a * 2^n for a power of two 2^n (n in -126..127), as f32.mul: the exponent
 * field moved when a and the product are normal (exact), else the general multiply.
 */
// @ts-ignore: decorator
@inline export function mulPow2Bits(a: u32, n: i32): u32 {
  const e = <i32>((a >> 23) & 0xff);
  if (<u32>(e - 1) < 0xfe && <u32>(e + n - 1) < 0xfe) return <u32>(<i32>a + (n << 23));
  return mulGeneral(a, <u32>(n + 127) << 23);
}
