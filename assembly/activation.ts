// Hidden activations, applied in place to a level's outputs, and their
// derivatives written as functions of the output a = f(z) (never z): that is
// what lets backprop overwrite each level with its delta and keep no
// pre-activations. leaky_relu's slope is 0.01 as in torch's default.
import { Act } from "./config";
import { expf32 } from "./mathf32";

export function activate(act: u8, p: usize, n: i32): void {
  const end = p + (<usize>n << 2);
  if (act == Act.RELU) {
    // z < 0 tested on the bits (0x80000001..0xFF800000: -denormal to -Inf; not -0 or NaN),
    // not by a f32 compare (a soft-float call per unit on a board without an FPU).
    for (; p < end; p += 4) if (load<u32>(p) - 0x80000001 < 0x7F800000) store<f32>(p, 0);
  } else if (act == Act.LEAKY_RELU) {
    for (; p < end; p += 4) { const z = load<f32>(p); if (z < 0) store<f32>(p, z * 0.01); }
  } else if (act == Act.SIGMOID) {
    for (; p < end; p += 4) store<f32>(p, sigmoid(load<f32>(p)));
  } else if (act == Act.TANH) {
    for (; p < end; p += 4) store<f32>(p, tanhf(load<f32>(p)));
  }
}

/**
 * Whether a ReLU output a passes gradient (a > 0; false for NaN), tested on
 * its bits: a f32 compare is a soft-float call on a board without an FPU.
 * a > 0 exactly when the bits are 0x00000001..0x7F800000 (+denormal to +Inf).
 */
@inline export function reluPasses(bits: u32): bool {
  return bits - 1 < 0x7F800000;
}

/** Whether derivativeAt is 1 everywhere (the identity output). */
@inline export function derivativeIsOne(act: u8): bool {
  return act != Act.RELU && act != Act.LEAKY_RELU && act != Act.SIGMOID && act != Act.TANH;
}

/** f'(z) written in terms of the output a = f(z). */
@inline export function derivativeAt(act: u8, a: f32): f32 {
  if (act == Act.RELU) return a > 0 ? 1 : 0;
  if (act == Act.LEAKY_RELU) return a > 0 ? 1 : 0.01;
  if (act == Act.SIGMOID) return a * (1 - a);
  if (act == Act.TANH) return 1 - a * a;
  return 1;
}

@inline export function sigmoid(z: f32): f32 {
  // Split by sign so exp never overflows; its argument is <= 0, where
  // expf32 is within 1 ulp (f32 only: no soft-double on a single-precision FPU).
  if (z >= 0) return 1 / (1 + expf32(-z));
  const e = expf32(z);
  return e / (1 + e);
}

@inline function tanhf(z: f32): f32 {
  // tanh(z) = sign(z) (1 - e) / (1 + e), e = exp(-2|z|): one exp, no overflow.
  const e = expf32(-2 * Mathf.abs(z));
  const t: f32 = (<f32>1 - e) / (<f32>1 + e);
  return z < 0 ? -t : t;
}
