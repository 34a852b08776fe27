// A run's settings in one line, for reports and tables.
import type { RunSettings } from "./run-spec.js";

export function describeRun(s: RunSettings): string {
  const r = s.run;
  return `${r.sizes.join("-")} ${r.activations.length > 1 ? r.activations[0] + " " : ""}${r.loss}, ${r.optimizer.name}` +
    `${r.optimizer.name === "sgd" && r.optimizer.momentum ? ` momentum ${r.optimizer.momentum}` : ""} lr ${r.optimizer.lr}, ` +
    `batch ${s.batchText === "full" ? `full (${s.batch})` : s.batch}`;
}
