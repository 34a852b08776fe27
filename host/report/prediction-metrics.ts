// What `predict` and `eval` report about a model's outputs against targets:
// probabilities from logits, and the figures scikit-learn users read
// (classification: accuracy, confusion matrix, per-class precision, recall,
// F1 and support; regression: MAE, RMSE and R2 per output). Each figure is
// defined as scikit-learn defines it (tests: prediction-metrics.test.ts
// compares them with sklearn.metrics on the same predictions): the confusion
// matrix has the true class in rows and the predicted class in columns;
// a precision or recall whose denominator is 0 is 0 (zero_division's
// default), and so is the F1 of a class whose precision and recall are both
// 0; R2 of a constant target is 1 when predicted exactly, else 0
// (force_finite). All in float64.
import type { LossName } from "../model/config.js";
import { argmax } from "./metrics.js";

/** Softmax (ce) per row or sigmoid (bce) per output of raw logits, in float64; rows x nOut. */
export function probabilities(loss: "ce" | "bce", outputs: ArrayLike<number>, rows: number, nOut: number): Float64Array {
  const p = new Float64Array(rows * nOut);
  for (let r = 0; r < rows; r++) {
    const o = r * nOut;
    if (loss === "bce") {
      for (let k = 0; k < nOut; k++) {
        const x = outputs[o + k];
        // The branch keeps exp's argument <= 0: no overflow to Infinity/Infinity.
        p[o + k] = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
      }
      continue;
    }
    let m = -Infinity;
    for (let k = 0; k < nOut; k++) m = Math.max(m, outputs[o + k]);
    let z = 0;
    for (let k = 0; k < nOut; k++) { const e = Math.exp(outputs[o + k] - m); p[o + k] = e; z += e; }
    for (let k = 0; k < nOut; k++) p[o + k] /= z;
  }
  return p;
}

export interface ClassScores {
  class: string;
  precision: number;
  recall: number;
  f1: number;
  /** Rows whose true class this is. */
  support: number;
}

export interface Averages { precision: number; recall: number; f1: number }

export interface ClassificationMetrics {
  accuracy: number;
  classes: string[];
  /** confusion[true][predicted]: rows counted. */
  confusion: number[][];
  per_class: ClassScores[];
  /** Unweighted mean over the classes (sklearn's average="macro"). */
  macro: Averages;
  /** Mean weighted by support (sklearn's average="weighted"). */
  weighted: Averages;
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);

/** The metrics of predicted class indices against true ones (each in [0, classes.length)). */
export function classificationMetrics(truth: ArrayLike<number>, predicted: ArrayLike<number>, classes: string[]): ClassificationMetrics {
  const n = classes.length;
  const confusion = classes.map(() => new Array<number>(n).fill(0));
  let right = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i], p = predicted[i];
    const row = confusion[t];
    if (row === undefined || p < 0 || p >= n) throw new RangeError(`class index out of range: true ${t}, predicted ${p} (${n} classes)`);
    row[p] = (row[p] ?? 0) + 1;
    if (t === p) right++;
  }
  const per_class = classes.map((name, c): ClassScores => {
    let tp = 0, predictedC = 0, support = 0;
    for (let t = 0; t < n; t++) {
      const row = confusion[t] ?? [];
      const v = row[c] ?? 0;
      predictedC += v;
      if (t === c) { tp = v; support = row.reduce((s, x) => s + x, 0); }
    }
    const precision = ratio(tp, predictedC), recall = ratio(tp, support);
    return { class: name, precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });
  const total = truth.length;
  const mean = (f: (s: ClassScores) => number, w: (s: ClassScores) => number, over: number) =>
    ratio(per_class.reduce((s, x) => s + f(x) * w(x), 0), over);
  const average = (w: (s: ClassScores) => number, over: number): Averages => ({
    precision: mean((s) => s.precision, w, over), recall: mean((s) => s.recall, w, over), f1: mean((s) => s.f1, w, over),
  });
  return {
    accuracy: ratio(right, total), classes: [...classes], confusion, per_class,
    macro: average(() => 1, n), weighted: average((s) => s.support, total),
  };
}

export interface OutputErrors {
  output: string;
  mae: number;
  rmse: number;
  r2: number;
}

/** MAE, RMSE and R2 of each output column (rows x nOut, targets the same shape). */
export function regressionMetrics(outputs: ArrayLike<number>, targets: ArrayLike<number>, rows: number, nOut: number, names: string[]): OutputErrors[] {
  const out: OutputErrors[] = [];
  for (let k = 0; k < nOut; k++) {
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += targets[r * nOut + k];
    mean /= rows;
    let abs = 0, sq = 0, tot = 0;
    for (let r = 0; r < rows; r++) {
      const y = targets[r * nOut + k], d = outputs[r * nOut + k] - y;
      abs += Math.abs(d);
      sq += d * d;
      tot += (y - mean) * (y - mean);
    }
    const r2 = tot === 0 ? (sq === 0 ? 1 : 0) : 1 - sq / tot;
    out.push({ output: names[k] ?? `output ${k + 1}`, mae: abs / rows, rmse: Math.sqrt(sq / rows), r2 });
  }
  return out;
}

/** What the summary says beyond loss and accuracy, by the model's loss. */
export type PredictionMetrics =
  | { kind: "classification"; classification: ClassificationMetrics }
  | { kind: "labels"; labels: (ClassificationMetrics & { output: string })[] }
  | { kind: "regression"; regression: OutputErrors[] };

/**
 * The metrics of raw outputs (rows x nOut) against the targets a data set
 * holds: ce a class index per row (the class is the argmax), bce 0/1 per
 * output (positive when the logit is > 0; each output a binary problem),
 * mse a value per output. `names`: the class names (ce) or output names.
 */
export function predictionMetrics(loss: LossName, outputs: ArrayLike<number>, targets: ArrayLike<number>, rows: number, nOut: number, names?: string[]): PredictionMetrics {
  if (loss === "mse") return { kind: "regression", regression: regressionMetrics(outputs, targets, rows, nOut, names ?? []) };
  if (loss === "ce") {
    const truth = new Int32Array(rows), predicted = new Int32Array(rows);
    for (let r = 0; r < rows; r++) { truth[r] = targets[r]; predicted[r] = argmax(outputs, r * nOut, nOut); }
    const classes = names ?? Array.from({ length: nOut }, (_, k) => String(k));
    return { kind: "classification", classification: classificationMetrics(truth, predicted, classes) };
  }
  const labels = [];
  for (let k = 0; k < nOut; k++) {
    const truth = new Int32Array(rows), predicted = new Int32Array(rows);
    for (let r = 0; r < rows; r++) {
      truth[r] = targets[r * nOut + k] >= 0.5 ? 1 : 0;
      predicted[r] = outputs[r * nOut + k] > 0 ? 1 : 0;
    }
    labels.push({ output: names?.[k] ?? `output ${k + 1}`, ...classificationMetrics(truth, predicted, ["0", "1"]) });
  }
  return { kind: "labels", labels };
}
