// What a training command shows while it runs. On a terminal: a live footer
// with a progress bar per epoch (rows, loss, samples/s, ETA), a braille loss
// chart and the per-layer gradient norms, redrawn in place under the epoch
// lines. Without a terminal (a pipe, a file, CI=true): the plain epoch lines.
// --json: JSON events only. --quiet: nothing but the summary.
import type { BatchResult } from "../boards/board.js";
import type { EpochEvent } from "../run/epoch-event.js";
import { GradWatch, type GradWarning } from "./grad-watch.js";
import { bar, brailleChart, duration, fmt, sparkline } from "./chart.js";

export type ProgressMode = "live" | "plain" | "json" | "quiet";

export interface Sink {
  line(text: string): void;
  json(obj: object): void;
}

/** True when stdout is an interactive terminal and not CI: animation allowed. */
export function interactive(stream: NodeJS.WriteStream = process.stdout): boolean {
  const ci = process.env.CI;
  return Boolean(stream.isTTY) && (!ci || ci === "false" || ci === "0");
}

export function progressMode(a: { json?: unknown; quiet?: unknown }, toStdout = true): ProgressMode {
  if (a.json) return "json";
  if (a.quiet) return "quiet";
  return toStdout && interactive() ? "live" : "plain";
}

export interface ProgressOptions {
  mode: ProgressMode;
  out: Sink;
  epochs: number;
  rows: number;
  sizes: number[];
  /** Dense layers kept fixed (--freeze): they have no gradients to watch. */
  frozenLayers?: number;
  startEpoch?: number;
  /** The text of an epoch's permanent line (plain and live modes). */
  epochLine: (e: EpochEvent) => string;
  /** Warnings in plain/live mode (default: stderr). */
  warnLine?: (text: string) => void;
  label?: string;
}

const ESC = "\x1b[";

export class Progress {
  private readonly watch: GradWatch;
  private batchLosses: number[] = [];
  private norms: number[][] = [];
  private epoch = 0;
  private rowsDone = 0;
  private epochLoss = 0;
  private samples = 0;
  private readonly t0 = performance.now();
  private lastDraw = 0;
  private footerLines = 0;
  readonly warnings: GradWarning[] = [];

  constructor(private o: ProgressOptions) {
    this.watch = new GradWatch(o.sizes, (w) => this.warn(w), undefined, o.frozenLayers ?? 0);
    this.epoch = (o.startEpoch ?? 0) + 1;
  }

  batch(epoch: number, r: BatchResult, rowsDone: number): void {
    this.watch.batch(epoch, r);
    if (this.o.mode !== "live") return;
    if (epoch !== this.epoch) { this.epoch = epoch; this.epochLoss = 0; }
    this.rowsDone = rowsDone;
    this.epochLoss += r.lossSum;
    this.samples += r.rows;
    this.batchLosses.push(r.lossSum / Math.max(1, r.rows));
    if (this.batchLosses.length > 4096) {
      const half: number[] = [];
      for (let i = 0; i + 1 < this.batchLosses.length; i += 2) half.push((this.batchLosses[i] + this.batchLosses[i + 1]) / 2);
      this.batchLosses = half;
    }
    const now = performance.now();
    if (now - this.lastDraw > 80) { this.lastDraw = now; this.draw(); }
  }

  epochDone(e: EpochEvent): void {
    this.watch.epoch(e.loss);
    e.grad_norms.forEach((g, l) => (this.norms[l] ??= []).push(g));
    switch (this.o.mode) {
      case "json": this.o.out.json(e); return;
      case "quiet": return;
      case "plain": this.o.out.line(this.o.epochLine(e)); return;
      case "live":
        this.permanent(() => process.stdout.write(this.o.epochLine(e) + "\n"));
        this.epoch = e.epoch + 1; this.rowsDone = 0; this.epochLoss = 0;
        if (e.epoch < this.o.epochs) this.draw();
    }
  }

  warn(w: GradWarning): void {
    this.warnings.push(w);
    if (this.o.mode === "json") { this.o.out.json(w); return; }
    const text = `warning: ${w.message}`;
    const write = this.o.warnLine ?? ((t: string) => process.stderr.write(t + "\n"));
    if (this.o.mode === "live") this.permanent(() => write(text));
    else write(text);
  }

  /** A run that completed all its epochs: the end-of-run warnings (a loss that did not improve). */
  finish(epoch: number): void {
    this.watch.finish(epoch);
  }

  /** Clears the footer for good (call before the summary). */
  end(): void {
    if (this.o.mode === "live") this.clear();
  }

  private permanent(write: () => void): void {
    this.clear();
    write();
  }

  private clear(): void {
    if (this.footerLines > 0) {
      process.stdout.write(`${ESC}${this.footerLines}F${ESC}J`);
      this.footerLines = 0;
    }
  }

  private draw(): void {
    const cols = Math.max(40, process.stdout.columns ?? 80);
    const o = this.o;
    const elapsed = (performance.now() - this.t0) / 1000;
    const rate = elapsed > 0 ? this.samples / elapsed : 0;
    const left = (o.epochs - this.epoch) * o.rows + (o.rows - this.rowsDone);
    const eta = rate > 0 ? left / rate : NaN;
    const loss = this.rowsDone > 0 ? fmt(this.epochLoss / this.rowsDone) : "-";
    const w = String(o.epochs).length;
    const head = `${o.label ? o.label + " " : ""}epoch ${String(this.epoch).padStart(w)}/${o.epochs} `;
    const tail = ` ${String(this.rowsDone).padStart(String(o.rows).length)}/${o.rows} rows  loss ${loss}  ` +
      `${Math.round(rate).toLocaleString("en-US")} samples/s  ETA ${duration(eta)}`;
    const barWidth = Math.max(10, Math.min(30, cols - head.length - tail.length - 3));
    const lines = [`${head}│${bar(this.rowsDone / o.rows, barWidth)}│${tail}`.slice(0, cols - 1)];
    const chartCols = Math.max(20, Math.min(64, cols - 14));
    lines.push(...brailleChart(this.batchLosses, chartCols, 6, "batch loss"));
    if (this.norms.length > 0) {
      const parts = this.norms.map((series, l) =>
        `L${l + 1} ${o.sizes[l]}->${o.sizes[l + 1]} ${fmt(series[series.length - 1])} ${sparkline(series, 12)}`);
      lines.push(`grad norms  ${parts.join("  ")}`.slice(0, cols - 1));
    }
    this.clear();
    process.stdout.write(lines.join("\n") + "\n");
    this.footerLines = lines.length;
  }
}
