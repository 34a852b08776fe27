// The square of an f32 as an f64, exactly (24 x 24 = 48 significant bits fit
// f64's 53), from integer operations: on a single-precision FPU (and on
// soft-float) `<f64>e * <f64>e` is two soft-double conversions and a
// soft-double multiply, about 235 instructions on rv32imfc, for a result
// this gives in about 25. Same bits as `<f64>e * <f64>e` for every input
// (zero, subnormals, infinities and NaN take that general path).

// @ts-ignore: decorator
@inline
export function squareToF64(e: f32): f64 {
  const b = reinterpret<u32>(e);
  const exp = (b >>> 23) & 0xff;
  if (exp == 0 || exp == 0xff) return <f64>e * <f64>e;
  const m = <u64>((b & 0x7fffff) | 0x800000);
  // m^2 is in [2^46, 2^48): its leading bit (47 or 46) becomes the f64's
  // hidden bit, the bits below it its fraction; the value is m^2 x 2^(2 (exp - 150)).
  const p = m * m;
  const top = p >>> 47;
  const fraction = (p << (6 - top)) & 0xfffffffffffff;
  const biased = <u64>(2 * exp + 769) + top; // 1023 + 46 + top + 2 (exp - 150)
  return reinterpret<f64>((biased << 52) | fraction);
}
