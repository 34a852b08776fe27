// What a run reports after each epoch besides its training loss, as Keras'
// fit(metrics=["accuracy"], validation_data=...) does:
// - val_loss, val_accuracy: the validation rows through the board's own
//   forward pass (EVAL frames, the module that trains), scored on the host in
//   float64 by the functions `predict` and `eval` use (report/metrics.ts): the
//   figures `edgeprop eval` prints for that model and file, and `predict`'s to
//   float32 rounding.
// - accuracy (ce, bce): the epoch's model on the training rows, computed on
//   the host from the weights the session pulls after every epoch anyway
//   (forward.ts, what `predict` computes), so it costs nothing on the line.
//   Keras reports the running accuracy of the batches as the weights change
//   within the epoch; this is the accuracy of the model the epoch ends with.
// - loss, with --normalize-target on several targets: the board's batch loss
//   is the mean over outputs of z-scored errors, which no single factor turns
//   into the targets' units when their standard deviations differ (one
//   target: std^2, session.ts's lossScale). So the epoch's training loss is
//   the epoch's model's mse on the training rows in the targets' own units,
//   computed here as the accuracy is (the mean over outputs of
//   ((y' - t') * std[k])^2, float64).
import type { Board } from "../boards/board.js";
import type { RunConfig } from "../model/config.js";
import type { Dataset } from "../data/dataset.js";
import { forward } from "../model/forward.js";
import { accuracy, meanLoss } from "../report/metrics.js";
import type { InputNormalization } from "./run-spec.js";
import { unscaleOutputs, type TargetScaling } from "../model/preprocessing.js";

export interface EpochMetrics {
  /** Several z-scored targets (--normalize-target): the epoch's model's training loss in the targets' units (replaces the batches' mean). */
  loss?: number;
  accuracy?: number;
  val_loss?: number;
  val_accuracy?: number;
}

/** The metrics of one epoch's model (`weights`, also on `board`), for a run of `run` on `train` with `validation`. */
export async function epochMetrics(board: Board, weights: Float32Array, run: RunConfig, train: Dataset,
  validation: Dataset | null, normalization: InputNormalization | null = null, targetScaling: TargetScaling | null = null): Promise<EpochMetrics> {
  const nOut = run.sizes[run.sizes.length - 1];
  const m: EpochMetrics = {};
  if (run.loss !== "mse") {
    // Raw rows in, as the board takes them: a normalising model's forward z-scores them first (forward.ts).
    const outputs = forward({ sizes: run.sizes, activations: run.activations, weights, ...(normalization ? { normalization } : {}) }, train.x, train.rows);
    m.accuracy = accuracy(run.loss, outputs, train.t, train.rows, nOut) ?? undefined;
  }
  if (run.loss === "mse" && targetScaling && nOut > 1) {
    const outputs = forward({ sizes: run.sizes, activations: run.activations, weights, ...(normalization ? { normalization } : {}) }, train.x, train.rows);
    m.loss = scaledMse(outputs, train.t, train.rows, targetScaling);
  }
  if (validation) {
    const v = validation;
    const ev = await board.evaluate(v.x, v.t, v.rows, v.nIn, v.nT, run.chunk);
    // --normalize-target: the validation targets stay in their own units; the outputs are scaled back to them.
    m.val_loss = meanLoss(run.loss, targetScaling ? unscaleOutputs(ev.outputs, targetScaling) : ev.outputs, v.t, v.rows, nOut);
    if (run.loss !== "mse") m.val_accuracy = accuracy(run.loss, ev.outputs, v.t, v.rows, nOut) ?? undefined;
  }
  return m;
}

/** The mse of z-scored outputs against z-scored targets, in the targets' own units: the mean over rows and outputs of ((y - t) * std[k])^2. */
export function scaledMse(outputs: ArrayLike<number>, t: ArrayLike<number>, rows: number, scaling: TargetScaling): number {
  const nOut = scaling.std.length;
  let s = 0;
  for (let i = 0; i < rows * nOut; i++) {
    const d = ((outputs[i] ?? 0) - (t[i] ?? 0)) * (scaling.std[i % nOut] ?? 1);
    s += d * d;
  }
  return s / (rows * nOut);
}
