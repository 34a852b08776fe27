// A training report as one self-contained HTML file: inline CSS and SVG, no
// scripts, fonts or anything else fetched from anywhere. Loss curves of all
// runs on shared axes (a linear and a log-scale SVG, switched by a checkbox
// with CSS alone), a table of the runs, and per-run gradient-norm charts.
import { writeFileAtomic } from "../files/atomic-write.js";
import { REPORT_NUMBERS, shortNumber } from "../text/number-format.js";

export interface RunRecord {
  label: string;
  /** Per epoch: mean training loss, per-layer mean gradient norm. */
  history: { epoch: number; loss: number; val_loss?: number; grad_norms: number[] }[];
  sizes: number[];
  settings: string;
  finalLoss: number | null;
  steps: number;
  samples: number;
  bytesSent: number;
  bytesReceived: number;
  planBytes: number;
  /** Board compute time (s), as the board measured it (0 where it can't). */
  boardSeconds: number;
  /** Time the line needed at the simulated baud (0 when unthrottled). */
  lineSeconds: number;
  wallSeconds: number;
  accuracy?: number | null;
  /** With validation data: the kept model's validation loss and accuracy. */
  valLoss?: number | null;
  valAccuracy?: number | null;
  /** With --early-stop: the epoch whose weights the run kept. */
  bestEpoch?: number;
  board: string;
  warnings?: string[];
}

export interface ReportSection {
  title: string;
  text?: string;
  runs: RunRecord[];
  yLabel?: string;
}

export interface Report {
  title: string;
  intro?: string;
  /** HTML of a report that is not a list of runs (a fleet's rounds), before the sections; its SVGs may be lin/log pairs for the toggle. */
  body?: string;
  sections: ReportSection[];
  footer?: string;
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const num = (v: number): string => shortNumber(v, REPORT_NUMBERS);

function niceTicks(lo: number, hi: number, n = 5): number[] {
  const span = hi - lo || 1;
  const step0 = span / n;
  const mag = Math.pow(10, Math.floor(Math.log10(step0)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= step0) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

export interface Series {
  label: string;
  color: string;
  points: [number, number][];
  cls: string;
  dash?: string;
  run?: string;
}

/** An SVG line chart; `log` uses a log10 y axis (non-positive values dropped). */
export function lineChart(series: Series[], o: { log: boolean; width?: number; height?: number; xLabel: string; yLabel: string; cls: string; title?: string }): string {
  const W = o.width ?? 760, H = o.height ?? 340, L = 70, R = 16, T = 14, B = 44;
  const pts = series.flatMap((s) => s.points).filter(([, y]) => Number.isFinite(y) && (!o.log || y > 0));
  let x0 = Math.min(...pts.map((p) => p[0])), x1 = Math.max(...pts.map((p) => p[0]));
  if (!Number.isFinite(x0)) { x0 = 0; x1 = 1; }
  if (x1 === x0) x1 = x0 + 1;
  const ty = (v: number) => (o.log ? Math.log10(v) : v);
  let y0 = Math.min(...pts.map((p) => ty(p[1]))), y1 = Math.max(...pts.map((p) => ty(p[1])));
  if (!Number.isFinite(y0)) { y0 = 0; y1 = 1; }
  if (!o.log) y0 = Math.min(0, y0);
  if (o.log) { y0 = Math.floor(y0 * 4) / 4; y1 = Math.ceil(y1 * 4) / 4; }
  if (y1 - y0 < 1e-12) { y1 = y0 + 1; }
  const sx = (x: number) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const sy = (y: number) => T + (1 - (ty(y) - y0) / (y1 - y0)) * (H - T - B);
  const parts: string[] = [];
  parts.push(`<svg class="${o.cls}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img">`);
  if (o.title) parts.push(`<title>${esc(o.title)}</title>`);
  parts.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="#fff" stroke="#ccc"/>`);
  // y ticks
  const yt = o.log
    ? Array.from({ length: Math.floor(y1) - Math.ceil(y0) + 1 }, (_, i) => Math.pow(10, Math.ceil(y0) + i))
    : niceTicks(y0, y1);
  for (const v of yt) {
    const y = sy(v).toFixed(1);
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${y}" y2="${y}" stroke="#eee"/><text x="${L - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" class="tick">${num(v)}</text>`);
  }
  for (const v of niceTicks(x0, x1, 8).filter((v) => Number.isInteger(v))) {
    const x = sx(v).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${T}" y2="${H - B}" stroke="#f3f3f3"/><text x="${x}" y="${H - B + 16}" text-anchor="middle" class="tick">${v}</text>`);
  }
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 6}" text-anchor="middle" class="axis">${esc(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle" class="axis">${esc(o.yLabel)}${o.log ? " (log scale)" : ""}</text>`);
  for (const s of series) {
    const p = s.points.filter(([, y]) => Number.isFinite(y) && (!o.log || y > 0));
    if (p.length === 0) continue;
    const d = p.length === 1
      ? `M${sx(p[0][0]).toFixed(2)},${sy(p[0][1]).toFixed(2)}h0.01`
      : p.map(([x, y], i) => `${i ? "L" : "M"}${sx(x).toFixed(2)},${sy(y).toFixed(2)}`).join("");
    parts.push(`<path class="${s.cls}"${s.run !== undefined ? ` data-run="${esc(s.run)}"` : ""} d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}><title>${esc(s.label)}</title></path>`);
  }
  parts.push(`</svg>`);
  return parts.join("");
}

export function legend(series: { label: string; color: string; dash?: string }[]): string {
  return `<div class="legend">${series.map((s) =>
    `<span><svg width="26" height="10"><line x1="0" y1="5" x2="26" y2="5" stroke="${s.color}" stroke-width="3"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""}/></svg>${esc(s.label)}</span>`).join("")}</div>`;
}

function bytes(n: number): string {
  return n.toLocaleString("en-US");
}

function seconds(s: number): string {
  return s === 0 ? "-" : s < 0.01 ? `${(s * 1000).toFixed(2)} ms` : `${s.toFixed(2)} s`;
}

function runTable(runs: RunRecord[]): string {
  const hasAcc = runs.some((r) => r.accuracy !== undefined && r.accuracy !== null);
  const v = validationColumns(runs);
  const head = ["run", "settings", "final loss", ...(hasAcc ? ["accuracy"] : []), "optimizer steps", "samples",
    "bytes sent", "bytes received", "board memory (plan)", "board compute", "line time", "wall time", ...v.head];
  const rows = runs.map((r, i) => [
    `<span class="sw" style="background:${COLORS[i % COLORS.length]}"></span>${esc(r.label)}`,
    esc(r.settings), r.finalLoss === null ? "-" : num(r.finalLoss),
    ...(hasAcc ? [r.accuracy === undefined || r.accuracy === null ? "-" : `${(100 * r.accuracy).toFixed(1)}%`] : []),
    bytes(r.steps), bytes(r.samples), bytes(r.bytesSent), bytes(r.bytesReceived), `${bytes(r.planBytes)} B`,
    seconds(r.boardSeconds), seconds(r.lineSeconds), seconds(r.wallSeconds), ...v.cells(r).map(esc),
  ]);
  return `<table class="runs"><thead><tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr></thead><tbody>` +
    rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("") + `</tbody></table>`;
}

const DASHES = ["", "6 3", "2 3", "8 3 2 3", "1 2"];

/** The validation columns of a runs table, after the others (none when no run had validation data): the kept model's figures. */
export function validationColumns(runs: RunRecord[]): { head: string[]; cells: (r: RunRecord) => string[] } {
  const has = (f: (r: RunRecord) => unknown) => runs.some((r) => f(r) !== undefined && f(r) !== null);
  const loss = has((r) => r.valLoss), acc = has((r) => r.valAccuracy), best = has((r) => r.bestEpoch);
  const show = (v: number | null | undefined, f: (v: number) => string) => (v === undefined || v === null ? "-" : f(v));
  return {
    head: [...(loss ? ["val loss"] : []), ...(acc ? ["val accuracy"] : []), ...(best ? ["best epoch"] : [])],
    cells: (r) => [
      ...(loss ? [show(r.valLoss, num)] : []), ...(acc ? [show(r.valAccuracy, (x) => `${(100 * x).toFixed(1)}%`)] : []),
      ...(best ? [show(r.bestEpoch, String)] : []),
    ],
  };
}

function gradCharts(runs: RunRecord[]): string {
  const cards = runs.map((r) => {
    const L = Math.max(0, ...r.history.map((h) => h.grad_norms.length));
    const series: Series[] = Array.from({ length: L }, (_, l) => ({
      label: `layer ${l + 1} (${r.sizes[l]}->${r.sizes[l + 1]})`, color: COLORS[l % COLORS.length], cls: "gn",
      dash: DASHES[l % DASHES.length], points: r.history.map((h) => [h.epoch, h.grad_norms[l]] as [number, number]),
    }));
    if (L === 0 || r.history.length === 0) return "";
    return `<div class="card"><h4>${esc(r.label)}</h4>` +
      lineChart(series, { log: true, width: 360, height: 200, xLabel: "epoch", yLabel: "grad L2 norm", cls: "gnchart", title: `${r.label}: gradient norms` }) +
      legend(series) + (r.warnings?.length ? `<ul class="warn">${r.warnings.map((w) => `<li>${esc(w)}</li>`).join("")}</ul>` : "") + `</div>`;
  }).join("");
  return cards ? `<details><summary>Gradient norms per layer (epoch mean of each batch's norm; the warning thresholds are 1e-7 and 1e3)</summary><div class="cards">${cards}</div></details>` : "";
}

/** Each run's training-loss curve and, with validation data, its validation-loss curve dashed in the same colour. */
function lossSeries(runs: RunRecord[]): Series[] {
  return runs.flatMap((r, i) => {
    const color = COLORS[i % COLORS.length];
    const training: Series = {
      label: r.label, color, cls: "curve", run: r.label, points: r.history.map((h) => [h.epoch, h.loss] as [number, number]),
    };
    const val = r.history.filter((h) => h.val_loss !== undefined).map((h) => [h.epoch, h.val_loss!] as [number, number]);
    return val.length ? [training, { label: `${r.label} (validation)`, color, cls: "valcurve", run: r.label, dash: "6 3", points: val }] : [training];
  });
}

function section(s: ReportSection, idx: number): string {
  const series = lossSeries(s.runs);
  const hasVal = series.length > s.runs.length;
  const y = s.yLabel ?? (hasVal ? "loss (epoch mean; dashed: validation)" : "training loss (epoch mean)");
  return `<section id="s${idx}"><h2>${esc(s.title)}</h2>${s.text ? `<p>${s.text}</p>` : ""}` +
    `<figure>${lineChart(series, { log: false, xLabel: "epoch", yLabel: y, cls: "lin", title: `${s.title}: loss` })}` +
    `${lineChart(series, { log: true, xLabel: "epoch", yLabel: y, cls: "log", title: `${s.title}: loss, log scale` })}` +
    `${legend(series)}</figure>${runTable(s.runs)}${gradCharts(s.runs)}</section>`;
}

const CSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#222}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 6px;border-bottom:1px solid #ddd;padding-bottom:4px}h4{margin:4px 0}
.tick{font-size:11px;fill:#555}.axis{font-size:12px;fill:#333}
svg.log{display:none}#logscale:checked~main svg.log{display:inline}#logscale:checked~main svg.lin{display:none}
.toggle{position:sticky;top:0;background:#fafafa;border:1px solid #ddd;padding:6px 10px;display:inline-block;border-radius:4px}
.legend span{margin-right:16px;white-space:nowrap}.legend svg{vertical-align:middle;margin-right:4px}
table.runs{border-collapse:collapse;margin:10px 0;font-size:13px}table.runs td,table.runs th{border:1px solid #ddd;padding:3px 7px;text-align:right}
table.runs td:first-child,table.runs td:nth-child(2),table.runs th{text-align:left}.sw{display:inline-block;width:10px;height:10px;margin-right:6px}
.cards{display:flex;flex-wrap:wrap;gap:12px}.card{border:1px solid #eee;padding:6px}.warn{color:#a40;font-size:12px;max-width:360px}
figure{margin:0}footer{margin-top:30px;color:#666;font-size:12px}`;

export function renderReport(r: Report): string {
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title>` +
    `<meta name="viewport" content="width=device-width,initial-scale=1"><style>${CSS}</style></head><body>` +
    `<h1>${esc(r.title)}</h1>${r.intro ? `<p>${r.intro}</p>` : ""}` +
    `<input type="checkbox" id="logscale"> <label class="toggle" for="logscale">log-scale loss axis</label>` +
    `<main>${r.body ?? ""}${r.sections.map(section).join("")}</main>` +
    `<footer>${r.footer ?? ""} Generated by edgeprop on ${esc(new Date().toISOString())}.</footer></body></html>\n`;
}

export function writeReport(path: string, r: Report): void {
  writeFileAtomic(path, renderReport(r));
}
