// int16 precision's softmax cross-entropy: assembly/loss/cross_entropy.ts's
// arithmetic, operation for operation in the same order, on binary32 bit
// patterns (exp-log-soft.ts, soft-f32-ops.ts): the same loss and gradient
// bits, without the ~14k instructions per P2 sample of libgcc soft-float
// calls that the f32 loss costs a core without an FPU (rv32imc, the C3;
// docs/int16.md §9). The max of the logits, the label's check and <i32> are
// done on the bits too. Only the output activations cross_entropy.ts handles
// without a derivative (identity: its gradient reuses the exps in place) and
// evaluation (`keep`) come here (assembly/loss/loss.ts). A row with a
// non-finite logit (int16's forward saturates, so none is expected) is
// computed by the f32 code itself, which keeps a NaN's payload as f32 does.
// The f64 loss sum is the f32 code's: the same promote and add.
import { expf32, logf32 } from "../mathf32";
import { expBits, logBits } from "./exp-log-soft";
import { addBits, divBits, mulBits, subBits } from "./soft-f32-ops";

const SIGN: u32 = 0x80000000;
const INF: u32 = 0x7f800000;
const HIDDEN: u32 = 0x00800000;
const FRAC: u32 = 0x007fffff;
const ONE: u32 = 0x3f800000;

/**
 * The class named by a label's bits, or -1 where cross_entropy.ts refuses it
 * (!(labelF >= 0) || <f32><i32>labelF != labelF || label >= k): +-0 is class
 * 0; a positive finite integer below k is itself (k < 2^24: at 2^24 and above
 * every f32 is an integer >= k).
 */
// @ts-ignore: decorator
@inline function labelOf(b: u32, k: i32): i32 {
  if ((b << 1) == 0) return 0;
  if (b >= INF) return -1; // +inf, NaN, and every negative
  const e = <i32>(b >> 23) - 127;
  if (e < 0 || e > 23) return -1; // in (0, 1): not an integer; >= 2^24: >= k
  const m = (b & FRAC) | HIDDEN;
  const sh = <u32>(23 - e);
  const v = m >> sh;
  if ((v << sh) != m) return -1; // a fraction
  return <i32>v < k ? <i32>v : -1;
}

/**
 * A finite f32's bits mapped to an i32 in the same order (-0 just below +0),
 * and back (the map is its own inverse): f32.max of two finite values is the
 * larger key, +0 over -0 as f32.max gives.
 */
// @ts-ignore: decorator
@inline function orderKey(b: u32): i32 {
  return <i32>(b < SIGN ? b : b ^ 0x7fffffff);
}

/** cross_entropy.ts's row in f32 (identity output): for a row with a non-finite logit. */
function rowF32(y: usize, row: usize, label: i32, keep: bool): f32 {
  let m = load<f32>(y);
  for (let q: usize = 4; q < row; q += 4) m = max(m, load<f32>(y + q));
  const yLabel = load<f32>(y + (<usize>label << 2));
  let z: f32 = 0;
  for (let q: usize = 0; q < row; q += 4) {
    const e = expf32(load<f32>(y + q) - m);
    z += e;
    if (!keep) store<f32>(y + q, e);
  }
  const loss: f32 = logf32(z) + m - yLabel;
  if (keep) return loss;
  const inv: f32 = 1 / z;
  const yl = <usize>label << 2;
  for (let q: usize = 0; q < row; q += 4) {
    store<f32>(y + q, load<f32>(y + q) * inv - (q == yl ? <f32>1 : <f32>0));
  }
  return loss;
}

/**
 * crossEntropy(act, y, t, k, rows, keep) for an identity output (or `keep`):
 * the same return value, and unless `keep` the same dL/dy bits in y.
 */
export function crossEntropySoft(y: usize, t: usize, k: i32, rows: i32, keep: bool): f64 {
  let sum: f64 = 0;
  const row = <usize>k << 2;
  for (let r = 0; r < rows; r++, y += row, t += 4) {
    const label = labelOf(load<u32>(t), k);
    if (label < 0) return -1;
    const first = load<u32>(y);
    let mk = orderKey(first);
    let nonFinite = (first & ~SIGN) >= INF;
    for (let q: usize = 4; q < row; q += 4) {
      const b = load<u32>(y + q);
      const bk = orderKey(b);
      if (bk > mk) mk = bk;
      nonFinite |= (b & ~SIGN) >= INF;
    }
    if (nonFinite) {
      sum += <f64>rowF32(y, row, label, keep);
      continue;
    }
    const m = <u32>orderKey(<u32>mk);
    const yLabel = load<u32>(y + (<usize>label << 2));
    // z = ((0 + e0) + e1) + ...: 0 + e0 is e0 (e0 >= +0); y - m for the max is +0, whose exp is 1.
    let z: u32 = 0;
    for (let q: usize = 0; q < row; q += 4) {
      const b = load<u32>(y + q);
      const e = b == m ? ONE : expBits(subBits(b, m));
      z = q == 0 ? e : addBits(z, e);
      if (!keep) store<u32>(y + q, e);
    }
    sum += <f64>reinterpret<f32>(subBits(addBits(logBits(z), m), yLabel));
    if (keep) continue;
    const inv = divBits(ONE, z);
    const yl = <usize>label << 2;
    for (let q: usize = 0; q < row; q += 4) {
      const e = load<u32>(y + q);
      // e inv - 0 is e inv (never -0 or NaN here); +0 inv is +0 (inv > 0).
      let p = e == 0 ? 0 : mulBits(e, inv);
      if (q == yl) p = subBits(p, ONE);
      store<u32>(y + q, p);
    }
  }
  return sum;
}
