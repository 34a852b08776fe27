// The figures of a global model on held-out rows (the coordinator's --val,
// or `fleet sim`'s validation rows): the host's forward pass (model/forward.ts,
// what `predict` computes) scored as every run is (report/metrics.ts).
import type { Dataset } from "../data/dataset.js";
import type { RunConfig } from "../model/config.js";
import { forward } from "../model/forward.js";
import { accuracy, meanLoss } from "../report/metrics.js";
import type { RoundMetrics } from "./coordinator.js";

export function evaluatorOn(run: RunConfig, rows: Dataset): (weights: Float32Array) => Promise<RoundMetrics> {
  const nOut = run.sizes[run.sizes.length - 1] ?? 1;
  return async (weights) => {
    const outputs = forward({ sizes: run.sizes, activations: run.activations, weights }, rows.x, rows.rows);
    const m: RoundMetrics = { val_loss: meanLoss(run.loss, outputs, rows.t, rows.rows, nOut) };
    const acc = run.loss !== "mse" ? accuracy(run.loss, outputs, rows.t, rows.rows, nOut) : null;
    if (acc !== null) m.val_accuracy = acc;
    return m;
  };
}
