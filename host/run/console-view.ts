// What a training command prints: the run's first line, the progress (live
// view, plain epoch lines or JSON events, progress/index.ts), grad-norm
// warnings, and the result as a "done" line or event.
import type { BatchResult } from "../boards/board.js";
import type { EpochEvent } from "./session.js";
import { paramCount } from "../model/config.js";
import { Progress, type ProgressMode, type Sink } from "../progress/index.js";
import type { GradWarning } from "../progress/grad-watch.js";
import type { RunFinish, RunObserver, RunStart } from "./observer.js";

export interface ConsoleViewOptions {
  out: Sink;
  mode: ProgressMode;
  json: boolean;
  /** --quiet: only the result line. */
  quiet: boolean;
  /** The --resume DIR, named in the "resuming from" line. */
  resumedFrom: string | null;
  /** Where grad-norm warnings go in plain/live mode (default stderr). */
  warnLine?: (text: string) => void;
  label?: string;
}

export class ConsoleView implements RunObserver {
  private progress: Progress | null = null;

  constructor(private readonly o: ConsoleViewOptions) {}

  private readonly dataWarnings: string[] = [];

  get warnings(): GradWarning[] {
    return this.progress?.warnings ?? [];
  }

  /** Every warning of the run, the data's and the gradients', as text (what the done event counts). */
  get warningMessages(): string[] {
    return [...this.dataWarnings, ...this.warnings.map((w) => w.message)];
  }

  /** A warning about the data: a JSON event with --json, a stderr line otherwise, nothing with --quiet. */
  private dataWarning(message: string): void {
    const o = this.o;
    this.dataWarnings.push(message);
    if (o.json) o.out.json({ event: "warning", kind: "data", message });
    else if (!o.quiet) (o.warnLine ?? ((t: string) => process.stderr.write(t + "\n")))(`warning: ${message}`);
  }

  started({ run: p, plan, board, startEpoch }: RunStart): void {
    const { settings, data } = p;
    const o = this.o;
    if (o.json && p.resume) {
      o.out.json({ event: "resume", from: o.resumedFrom, epoch: startEpoch, step: p.resume.step, overrides: p.overrides ?? [] });
    }
    if (!o.json && !o.quiet && o.mode !== "quiet") {
      const r = settings.run;
      o.out.line(`edgeprop: ${r.sizes.join("-")} ${r.loss}, ${r.optimizer.name} lr ${r.optimizer.lr}, ` +
        `batch ${settings.batchText === "full" ? `full (${settings.batch})` : settings.batch}, chunk ${r.chunk}, ` +
        `${data.rows} rows, ${paramCount(r.sizes)} parameters, board memory ${plan.total_bytes} bytes on ${board.description}`);
      if (p.resume) {
        const changed = (p.overrides ?? []).map((c) => `--${c.flag} ${c.now} (was ${c.saved ?? "not set"})`);
        o.out.line(`resuming from ${o.resumedFrom} at epoch ${startEpoch} (optimizer step ${p.resume.step})` +
          (changed.length ? `; changed: ${changed.join(", ")}` : "; settings as checkpointed"));
      }
    }
    for (const w of p.dataWarnings ?? []) this.dataWarning(w);
    this.progress = new Progress({
      mode: o.mode, out: o.out, epochs: settings.epochs, rows: data.rows, sizes: settings.run.sizes, frozenLayers: settings.run.frozenLayers ?? 0, startEpoch,
      // --quiet: only the result line (the done event counts the warnings; --json has them as events).
      warnLine: o.quiet && !o.json ? () => {} : o.warnLine, label: o.label,
      epochLine: (e) => `epoch ${String(e.epoch).padStart(String(settings.epochs).length)}/${settings.epochs}  loss ${e.loss.toPrecision(7)}` +
        `${metricsText(e)}  lr ${Number(e.lr.toPrecision(6))}`,
    });
  }

  batch(epoch: number, r: BatchResult, rowsDone: number): void {
    this.progress?.batch(epoch, r, rowsDone);
  }

  epoch(e: EpochEvent): void {
    this.progress?.epochDone(e);
  }

  /** The run completed its epochs (not called after a failure or Ctrl-C). */
  completed(epoch: number): void {
    this.progress?.finish(epoch);
  }

  stopped(): void {
    this.progress?.end();
  }

  finished({ done, finalLoss }: RunFinish): void {
    const o = this.o;
    if (o.json) { o.out.json(done); return; }
    // --quiet keeps the result line; a caller's quiet mode (demo, compare) does not.
    if (!o.quiet && o.mode === "quiet") return;
    const d = done as {
      epochs: number; steps: number; samples: number; seconds: number; samples_per_s: number; saved: string | null; report?: string;
      best_epoch?: number | null; stopped_early?: boolean;
    };
    o.out.line(`done: ${d.epochs} epochs, ${d.steps} optimizer steps, ${d.samples} samples in ${d.seconds.toFixed(3)} s ` +
      `(${d.samples_per_s.toLocaleString("en-US")} samples/s), final loss ${finalLoss?.toPrecision(7)} (epoch ${d.epochs})` + keptText(done) +
      (d.saved ? `; model saved to ${d.saved}` : "") + (d.report ? `; report written to ${d.report}` : ""));
    const line = boardLine(done);
    if (line && !o.quiet) o.out.line(line);
  }
}

/** An epoch's accuracy and validation figures, as the epoch line shows them ("" when it has none). */
export function metricsText(e: { accuracy?: number; val_loss?: number; val_accuracy?: number }): string {
  return (e.accuracy !== undefined ? `  accuracy ${percent(e.accuracy)}` : "") +
    (e.val_loss !== undefined ? `  val_loss ${e.val_loss.toPrecision(7)}` : "") +
    (e.val_accuracy !== undefined ? `  val_accuracy ${percent(e.val_accuracy)}` : "");
}

const percent = (v: number) => `${(100 * v).toFixed(1)}%`;

/**
 * The kept model's figures for the result line, with the epoch they are
 * from: the best epoch's (--early-stop: the model saved) or the last's, so a
 * reader never takes the last epoch's loss and the best epoch's accuracy for
 * one epoch's figures.
 */
function keptText(done: Record<string, unknown>): string {
  const figures: string[] = [];
  if (typeof done.val_loss === "number") figures.push(`val_loss ${done.val_loss.toPrecision(7)}`);
  if (typeof done.accuracy === "number") figures.push(`accuracy ${percent(done.accuracy)}`);
  if (typeof done.val_accuracy === "number") figures.push(`val_accuracy ${percent(done.val_accuracy)}`);
  if (done.best_epoch === undefined) return figures.length ? `; epoch ${done.epochs}: ${figures.join(", ")}` : "";
  const at = (what: string) => `${what}${figures.length ? `: ${figures.join(", ")}` : ""}`;
  return done.best_epoch === null ? `; no epoch improved the validation loss; ${at(`epoch ${done.epochs}`)}`
    : `; ${at(`best epoch ${done.best_epoch}${done.stopped_early ? " (stopped early)" : ""}`)}`;
}

/** The board's own figures (the done event's board_* fields, when it reported them) as one summary line. */
function boardLine(done: Record<string, unknown>): string | null {
  const n = (k: string) => (typeof done[k] === "number" ? (done[k] as number).toLocaleString("en-US") : null);
  const instructions = n("board_instructions"), heap = n("board_heap_peak_bytes"), stack = n("board_stack_peak_bytes");
  if (instructions === null || heap === null || stack === null) return null;
  return `board: ${instructions} instructions in the module since boot, heap peak ${heap} bytes, stack peak ${stack} bytes`;
}
