import { derivativeAt, derivativeIsOne } from "../activation";
import { expf32, logf32 } from "../mathf32";

// Softmax cross-entropy on logits with an integer class label per row (torch's
// CrossEntropyLoss). Per sample: loss = logsumexp(y) - y[label], and
// dL/dy = softmax(y) - onehot(label). Labels arrive as f32 in the target
// column; a label outside 0..k-1 makes the chunk fail (returns -1). In f32
// as torch computes it (mathf32.ts: no soft-double on a single-precision
// FPU); the loss sum over the chunk's rows stays f64 (the wire's).
export function crossEntropy(act: u8, y: usize, t: usize, k: i32, rows: i32, keep: bool): f64 {
  let sum: f64 = 0;
  const row = <usize>k << 2;
  for (let r = 0; r < rows; r++, y += row, t += 4) {
    const labelF = load<f32>(t);
    const label = <i32>labelF;
    if (!(labelF >= 0) || <f32>label != labelF || label >= k) return -1;
    let m = load<f32>(y);
    for (let q: usize = 4; q < row; q += 4) m = max(m, load<f32>(y + q));
    const yLabel = load<f32>(y + (<usize>label << 2));
    // With an identity output (derivative 1, the usual case) each exp is
    // kept in place of its logit and reused for the gradient: computed once.
    const reuse = !keep && derivativeIsOne(act);
    let z: f32 = 0;
    for (let q: usize = 0; q < row; q += 4) {
      const e = expf32(load<f32>(y + q) - m);
      z += e;
      if (reuse) store<f32>(y + q, e);
    }
    sum += <f64>(logf32(z) + m - yLabel);
    if (keep) continue;
    const inv: f32 = 1 / z;
    const yl = <usize>label << 2;
    if (reuse) {
      for (let q: usize = 0; q < row; q += 4) {
        store<f32>(y + q, load<f32>(y + q) * inv - (q == yl ? <f32>1 : <f32>0));
      }
      continue;
    }
    for (let q: usize = 0; q < row; q += 4) {
      const a = load<f32>(y + q);
      const p: f32 = expf32(a - m) * inv - (q == yl ? <f32>1 : <f32>0);
      store<f32>(y + q, p * derivativeAt(act, a));
    }
  }
  return sum;
}
