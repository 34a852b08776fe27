import { derivativeAt } from "../activation";

// Softmax cross-entropy on logits with an integer class label per row (torch's
// CrossEntropyLoss). Per sample: loss = logsumexp(y) - y[label], and
// dL/dy = softmax(y) - onehot(label). Labels arrive as f32 in the target
// column; a label outside 0..k-1 makes the chunk fail (returns -1).
export function crossEntropy(act: u8, y: usize, t: usize, k: i32, rows: i32, keep: bool): f64 {
  let sum: f64 = 0;
  const row = <usize>k << 2;
  for (let r = 0; r < rows; r++, y += row, t += 4) {
    const labelF = load<f32>(t);
    const label = <i32>labelF;
    if (!(labelF >= 0) || <f32>label != labelF || label >= k) return -1;
    let m = load<f32>(y);
    for (let q: usize = 4; q < row; q += 4) m = max(m, load<f32>(y + q));
    let z: f64 = 0;
    for (let q: usize = 0; q < row; q += 4) z += Math.exp(<f64>(load<f32>(y + q) - m));
    sum += Math.log(z) + <f64>m - <f64>load<f32>(y + (<usize>label << 2));
    if (keep) continue;
    const inv = 1 / z;
    const yl = <usize>label << 2;
    for (let q: usize = 0; q < row; q += 4) {
      const a = load<f32>(y + q);
      const p = Math.exp(<f64>(a - m)) * inv - (q == yl ? 1.0 : 0.0);
      store<f32>(y + q, <f32>p * derivativeAt(act, a));
    }
  }
  return sum;
}
