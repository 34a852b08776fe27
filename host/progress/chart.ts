// A loss chart drawn in the terminal with braille characters (2 x 4 dots per
// character cell), with the y range labelled on the left.

import { LIVE_NUMBERS, shortNumber } from "../text/number-format.js";

const DOT = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]]; // [row][col]

export function fmt(v: number): string {
  return shortNumber(v, LIVE_NUMBERS);
}

/** Averages `values` into at most `n` buckets, keeping their order. */
export function downsample(values: number[], n: number): number[] {
  if (values.length <= n) return values.slice();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = Math.floor((i * values.length) / n), b = Math.floor(((i + 1) * values.length) / n);
    let s = 0;
    for (let k = a; k < b; k++) s += values[k];
    out.push(s / (b - a));
  }
  return out;
}

/**
 * Lines of a braille plot of `values` (left to right), `cols` x `rows`
 * characters; log scale when the values span more than two decades.
 */
export function brailleChart(values: number[], cols: number, rows: number, label = "loss"): string[] {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return [`${label}: (waiting for the first batch)`];
  const w = cols * 2, h = rows * 4;
  const pts = downsample(finite, w);
  let lo = Math.min(...pts), hi = Math.max(...pts);
  const log = lo > 0 && hi / lo > 100;
  const tf = (v: number) => (log ? Math.log10(v) : v);
  let a = tf(lo), b = tf(hi);
  if (b - a < 1e-12) { a -= 0.5; b += 0.5; }
  const grid = Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
  let prevY = -1;
  pts.forEach((v, x) => {
    const y = Math.round(((b - tf(v)) / (b - a)) * (h - 1));
    // connect to the previous point so steep drops stay visible
    const from = prevY < 0 ? y : Math.min(prevY, y), to = prevY < 0 ? y : Math.max(prevY, y);
    const xx = pts.length === 1 ? 0 : Math.round((x * (w - 1)) / Math.max(1, pts.length - 1));
    for (let yy = from; yy <= to; yy++) grid[yy >> 2][xx >> 1] |= DOT[yy & 3][xx & 1];
    prevY = y;
  });
  const top = fmt(hi), bottom = fmt(lo);
  const pad = Math.max(top.length, bottom.length);
  return grid.map((row, i) => {
    const lab = i === 0 ? top : i === rows - 1 ? bottom : "";
    return `${lab.padStart(pad)} ┤${String.fromCharCode(...row.map((c) => 0x2800 + c))}`;
  }).concat(`${" ".repeat(pad)} └ ${label}${log ? " (log scale)" : ""}, ${finite.length} points`);
}

/** A one-line sparkline with block characters. */
export function sparkline(values: number[], width: number, log = true): string {
  const blocks = "▁▂▃▄▅▆▇█";
  const pts = downsample(values.filter((v) => Number.isFinite(v) && (!log || v > 0)), width);
  if (pts.length === 0) return "";
  const tf = (v: number) => (log ? Math.log10(v) : v);
  const lo = Math.min(...pts.map(tf)), hi = Math.max(...pts.map(tf));
  return pts.map((v) => blocks[hi - lo < 1e-12 ? 3 : Math.round(((tf(v) - lo) / (hi - lo)) * 7)]).join("");
}

export function bar(fraction: number, width: number): string {
  const f = Math.max(0, Math.min(1, fraction));
  const full = Math.floor(f * width);
  const parts = " ▏▎▍▌▋▊▉";
  const rem = Math.floor((f * width - full) * 8);
  return "█".repeat(full) + (full < width ? parts[rem] + " ".repeat(width - full - 1) : "");
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const m = Math.floor(seconds / 60), s = Math.round(seconds % 60);
  return m < 60 ? `${m}m${String(s).padStart(2, "0")}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}
