// Loss and accuracy of a model's raw outputs against targets, computed on the
// host in float64 exactly as the losses are defined (docs/model-format.md):
// mse mean over outputs, ce softmax cross-entropy on logits, bce sigmoid
// cross-entropy on logits; the per-sample losses are then averaged over rows.
import type { LossName } from "../model/config.js";

export function sampleLoss(loss: LossName, out: ArrayLike<number>, o: number, nOut: number, t: ArrayLike<number>, ti: number): number {
  if (loss === "mse") {
    let s = 0;
    for (let k = 0; k < nOut; k++) { const d = out[o + k] - t[ti + k]; s += d * d; }
    return s / nOut;
  }
  if (loss === "ce") {
    let m = -Infinity;
    for (let k = 0; k < nOut; k++) m = Math.max(m, out[o + k]);
    let z = 0;
    for (let k = 0; k < nOut; k++) z += Math.exp(out[o + k] - m);
    return Math.log(z) + m - out[o + t[ti]];
  }
  let s = 0;
  for (let k = 0; k < nOut; k++) {
    const x = out[o + k], y = t[ti + k];
    s += Math.max(x, 0) - x * y + Math.log1p(Math.exp(-Math.abs(x)));
  }
  return s / nOut;
}

export function argmax(out: ArrayLike<number>, o: number, n: number): number {
  let best = 0;
  for (let k = 1; k < n; k++) if (out[o + k] > out[o + best]) best = k;
  return best;
}

/** ce: argmax == label; bce: (logit > 0) == target, per output; mse: null. */
export function accuracy(loss: LossName, outputs: ArrayLike<number>, t: ArrayLike<number>, rows: number, nOut: number): number | null {
  if (loss === "mse") return null;
  let right = 0, total = 0;
  for (let r = 0; r < rows; r++) {
    if (loss === "ce") {
      if (argmax(outputs, r * nOut, nOut) === t[r]) right++;
      total++;
    } else {
      for (let k = 0; k < nOut; k++) {
        if ((outputs[r * nOut + k] > 0 ? 1 : 0) === (t[r * nOut + k] >= 0.5 ? 1 : 0)) right++;
        total++;
      }
    }
  }
  return total ? right / total : null;
}

export function meanLoss(loss: LossName, outputs: ArrayLike<number>, t: ArrayLike<number>, rows: number, nOut: number): number {
  const nT = loss === "ce" ? 1 : nOut;
  let s = 0;
  for (let r = 0; r < rows; r++) s += sampleLoss(loss, outputs, r * nOut, nOut, t, r * nT);
  return s / rows;
}
