// Sigmoid binary cross-entropy on logits (torch's BCEWithLogitsLoss), mean over
// outputs per sample. Per element: max(y,0) - y t + log(1 + exp(-|y|)), which
// never overflows; dL/dy = (sigmoid(y) - t) / k.
import { derivativeAt, sigmoid } from "../activation";

export function binaryCrossEntropy(act: u8, y: usize, t: usize, k: i32, rows: i32, keep: bool): f64 {
  const end = y + (<usize>(k * rows) << 2);
  const scale: f32 = 1 / <f32>k;
  let sum: f64 = 0;
  for (; y < end; y += 4, t += 4) {
    const z = load<f32>(y);
    const target = load<f32>(t);
    const zd = <f64>z;
    sum += (zd > 0 ? zd : 0) - zd * <f64>target + Math.log1p(Math.exp(-Math.abs(zd)));
    if (!keep) store<f32>(y, (sigmoid(z) - target) * scale * derivativeAt(act, z));
  }
  return sum / <f64>k;
}
