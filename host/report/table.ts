// The runs as a plain-text table for the terminal (no colours, no ANSI).
import { validationColumns, type RunRecord } from "./html.js";
import { REPORT_NUMBERS, shortNumber } from "../text/number-format.js";

function n(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "-";
  return shortNumber(v, REPORT_NUMBERS);
}

function secs(s: number): string {
  return s === 0 ? "-" : s < 0.01 ? `${(s * 1000).toFixed(2)}ms` : `${s.toFixed(2)}s`;
}

/** A run's accuracy for its summary line: on the validation rows when it had them, else on the training rows. */
export function accuracyText(r: RunRecord): string {
  if (r.valAccuracy != null) return `, val accuracy ${(100 * r.valAccuracy).toFixed(1)}%`;
  return r.accuracy != null ? `, accuracy ${(100 * r.accuracy).toFixed(1)}%` : "";
}

export function runsTable(runs: RunRecord[]): string {
  const hasAcc = runs.some((r) => r.accuracy !== undefined && r.accuracy !== null);
  const v = validationColumns(runs);
  const head = ["run", "final loss", ...(hasAcc ? ["accuracy"] : []), "steps", "bytes sent", "board memory", "board compute", "line time", "wall", ...v.head];
  const rows = runs.map((r) => [
    r.label, n(r.finalLoss), ...(hasAcc ? [r.accuracy === undefined || r.accuracy === null ? "-" : `${(100 * r.accuracy).toFixed(1)}%`] : []),
    r.steps.toLocaleString("en-US"), r.bytesSent.toLocaleString("en-US"), `${r.planBytes.toLocaleString("en-US")} B`,
    secs(r.boardSeconds), secs(r.lineSeconds), secs(r.wallSeconds), ...v.cells(r),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmtRow = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [fmtRow(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(fmtRow)].join("\n");
}
