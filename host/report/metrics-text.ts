// The prediction metrics as the terminal shows them under predict's summary
// line: a confusion matrix and a per-class table (as sklearn's
// classification_report lays it out), or one line of errors per output.
import type { ClassificationMetrics, OutputErrors, PredictionMetrics } from "./prediction-metrics.js";

const f3 = (v: number) => v.toFixed(3);

function table(rows: string[][], rightFrom = 1): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, cell.length); });
  return rows.map((row) => row.map((cell, i) => (i < rightFrom ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join("  ").trimEnd());
}

function classificationText(m: ClassificationMetrics, title: string): string[] {
  const out = [`${title}confusion matrix (rows: true class, columns: predicted class)`];
  out.push(...table([["", ...m.classes], ...m.confusion.map((row, t) => [m.classes[t] ?? String(t), ...row.map(String)])]).map((l) => `  ${l}`));
  const never = m.classes.filter((_, c) => m.confusion.every((row) => (row[c] ?? 0) === 0));
  if (never.length > 0) out.push(`  never predicted: ${never.join(", ")}`);
  const rows = [["class", "precision", "recall", "f1", "support"],
    ...m.per_class.map((s) => [s.class, f3(s.precision), f3(s.recall), f3(s.f1), String(s.support)]),
    ["macro avg", f3(m.macro.precision), f3(m.macro.recall), f3(m.macro.f1), String(m.per_class.reduce((s, c) => s + c.support, 0))],
    ["weighted avg", f3(m.weighted.precision), f3(m.weighted.recall), f3(m.weighted.f1), String(m.per_class.reduce((s, c) => s + c.support, 0))]];
  out.push(...table(rows).map((l) => `  ${l}`));
  return out;
}

function regressionText(errors: OutputErrors[]): string[] {
  return table([["output", "MAE", "RMSE", "R2"], ...errors.map((e) => [e.output, e.mae.toPrecision(6), e.rmse.toPrecision(6), e.r2.toFixed(4)])]).map((l) => `  ${l}`);
}

/** The lines printed after the summary line. */
export function metricsText(m: PredictionMetrics): string[] {
  if (m.kind === "regression") return regressionText(m.regression);
  if (m.kind === "classification") return classificationText(m.classification, "");
  return m.labels.flatMap((l) => classificationText(l, `${l.output} (positive: logit > 0): accuracy ${(100 * l.accuracy).toFixed(2)}%, `));
}
