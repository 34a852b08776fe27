// int16 precision's mean squared error: assembly/loss/mse.ts's arithmetic in
// the same order with its f32 subtract, multiplies and 2 / k on binary32 bit
// patterns (soft-f32-ops.ts): the same loss and gradient bits without
// libgcc's soft-float calls per output on a core without an FPU (rv32imc;
// docs/int16.md §9). For an identity output (derivative 1: x * 1 is x for
// every non-NaN x) or `keep` (assembly/loss/loss.ts). An element with an
// infinite or NaN output or target is computed by the f32 expressions
// themselves: a NaN keeps its payload, and inf - inf gives the engine's own
// NaN (x86's is negative), as f32 does. From finite operands no NaN arises
// (the difference may overflow to an infinity; 2 / k is finite and not 0).
// The square and the f64 sum are mse.ts's.
import { squareToF64 } from "../exact-square";
import { derivativeAt } from "../activation";
import { divBits, mulBits, subBits } from "./soft-f32-ops";
import { smallIntBits } from "./small-int-f32";

const SIGN: u32 = 0x80000000;
const INF: u32 = 0x7f800000;
const TWO: u32 = 0x40000000;

/** mse(act, y, t, k, rows, keep) for an identity output (act 0) or `keep`: the same return value and outputs. */
export function mseSoft(y: usize, t: usize, k: i32, rows: i32, keep: bool): f64 {
  const end = y + (<usize>(k * rows) << 2);
  const scaleBits = divBits(TWO, smallIntBits(k)); // 2 / <f32>k
  let sum: f64 = 0;
  for (; y < end; y += 4, t += 4) {
    const a = load<u32>(y), b = load<u32>(t);
    if ((a & ~SIGN) >= INF || (b & ~SIGN) >= INF) {
      const e = load<f32>(y) - load<f32>(t);
      sum += squareToF64(e);
      if (!keep) store<f32>(y, reinterpret<f32>(scaleBits) * e * derivativeAt(0, load<f32>(y)));
      continue;
    }
    const e = subBits(a, b);
    sum += squareToF64(reinterpret<f32>(e));
    if (!keep) store<u32>(y, mulBits(scaleBits, e)); // (scale e) * 1
  }
  return sum / <f64>k;
}
