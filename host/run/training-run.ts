// One training run from its typed spec (run-spec.ts, resolved from the flags
// by the command) to saved model, on whatever board the command opened:
// configure, load weights, train, report, save. `sim` and `train` differ only
// in the board they hand in.
import type { BatchResult, Board, LinkStats } from "../boards/board.js";
import { writeModel, type ModelExtras } from "../model/model-file.js";
import type { PreparedRun, RunOutputs, RunSpec } from "./run-spec.js";
import { encodeConfig } from "../protocol/config-block.js";
import { allFinite, runSession, type EpochEvent, type SessionResult } from "./session.js";
import { BoardError, Status } from "../protocol/status.js";
import { DivergedError, InterruptedError, LinkError, UsageError } from "../errors.js";
import type { Plan } from "../model/plan.js";
import { progressMode, type ProgressMode } from "../progress/index.js";
import type { GradWarning } from "../progress/grad-watch.js";
import type { RunRecord } from "../report/html.js";
import { describeRun } from "./describe.js";
import { ConsoleView } from "./console-view.js";
import { CheckpointWriteError, CheckpointWriter } from "./checkpoint-writer.js";
import { ReportWriter } from "./report-writer.js";
import type { RunObserver } from "./observer.js";
import { WriteError } from "../files/atomic-write.js";
import { accuracy } from "../report/metrics.js";
import { EarlyStopping } from "./early-stopping.js";
import { epochMetrics } from "./epoch-metrics.js";
import { doneFields as boardDoneFields } from "../boards/board-stats.js";

export interface Output {
  line(text: string): void; // human-readable
  json(obj: object): void; // one JSON object per line
}

export const stdoutOutput: Output = {
  line: (t) => process.stdout.write(t + "\n"),
  json: (o) => process.stdout.write(JSON.stringify(o) + "\n"),
};

export type { PreparedRun, RunOutputs, RunSpec } from "./run-spec.js";

/** Configures the board for the run and loads its starting weights (and, resuming, the optimizer state). */
export async function configureBoard(board: Board, p: PreparedRun): Promise<Plan> {
  try {
    const plan = await board.configure(encodeConfig(p.settings.run));
    if (p.normalization) await board.setInputStats(Float32Array.from(p.normalization.mean), Float32Array.from(p.normalization.std));
    if (p.loaded) await board.setWeights(p.loaded.weights);
    if (p.resume) await board.setOptimizerState(p.resume.optimizer);
    return plan;
  } catch (err) {
    if (err instanceof BoardError && (err.status === Status.TOO_BIG || err.status === Status.BAD_CONFIG)) {
      throw new UsageError(`the board refused the model: ${err.message}`);
    }
    throw err;
  }
}

export interface RunOutcome {
  result: SessionResult;
  plan: Plan;
  weights: Float32Array;
  /** What crossed the link during this run. */
  stats: LinkStats;
  warnings: GradWarning[];
  /** The run as a report row (loss curve, table columns). */
  record: RunRecord;
  /** The starting weights, when TrainHooks.captureInitial asked for them. */
  initial?: Float32Array;
}

export interface TrainHooks {
  /** Called after each batch reply (epoch is 1-based). */
  onBatch?: (epoch: number, r: BatchResult, rowsDone: number) => void;
  /** Start from these weights instead of the board's own initialization (compare: same start for every run). */
  initialWeights?: Float32Array;
  /** Overrides the progress display chosen from the flags and the terminal. */
  mode?: ProgressMode;
  /** Where grad-norm warnings go in plain/live mode (default stderr). */
  warnLine?: (text: string) => void;
  /** Names the run in reports. */
  label?: string;
  /** Pull the weights right after configuration into RunOutcome.initial (to start other runs from them). */
  captureInitial?: boolean;
  /** Evaluate the trained model on the training data for the report's accuracy column. */
  accuracy?: boolean;
  /** Polled between batches: true stops the run (Ctrl-C, run/interrupt.ts); what it has is saved. */
  stopRequested?: () => boolean;
}

function statsDelta(a: LinkStats, b: LinkStats): LinkStats {
  return {
    bytesSent: b.bytesSent - a.bytesSent, bytesReceived: b.bytesReceived - a.bytesReceived,
    boardMicros: b.boardMicros - a.boardMicros, lineSeconds: b.lineSeconds - a.lineSeconds,
    retransmits: b.retransmits - a.retransmits,
  };
}

export { describeRun };

/** Calls every observer's `f` in order, awaiting each. */
async function notify(observers: RunObserver[], f: (o: RunObserver) => void | Promise<void>): Promise<void> {
  for (const o of observers) await f(o);
}

/**
 * The observers of a run with outputs `o`: report, console, the caller's
 * callbacks, checkpoints, in the order they must see each event (the report
 * is written before the result line names it; the console shows an epoch
 * before its checkpoint is written).
 */
function observersOf(p: RunSpec, o: RunOutputs, view: ConsoleView, onEpoch: ((e: EpochEvent) => void) | undefined,
  hooks: TrainHooks, earlyStop: EarlyStopping | undefined): RunObserver[] {
  const callbacks: RunObserver = {
    batch: hooks.onBatch,
    epoch: onEpoch ? (e) => onEpoch(e) : undefined,
  };
  return [
    ...(o.report ? [new ReportWriter(o.report)] : []),
    view, callbacks,
    ...(o.checkpointDir ? [new CheckpointWriter(o.checkpointDir, p.settings.run, p.persisted, earlyStop && (() => earlyStop.state), modelExtras(p),
      p.resume && o.resumedFrom === o.checkpointDir ? p.resume.epoch : null)] : []),
  ];
}

/** Trains and writes the run's outputs; a divergence saves the last finite model and rethrows. */
export async function trainOnBoard(board: Board, p: RunSpec, out: Output,
  onEpoch?: (e: EpochEvent) => void, hooks: TrainHooks = {}): Promise<RunOutcome> {
  const { settings, data, outputs: o } = p;
  const wall0 = performance.now();
  const stats0 = board.stats();
  const plan = await configureBoard(board, p);
  if (hooks.initialWeights && !p.resume) await board.setWeights(hooks.initialWeights);
  // The starting weights: for other runs to start from, and the last finite model of a run that diverges at once.
  const initial = hooks.captureInitial || o.save ? await board.getWeights() : undefined;
  const view = new ConsoleView({
    out, mode: hooks.mode ?? progressMode(o, out === stdoutOutput), json: o.json, quiet: o.quiet,
    resumedFrom: o.resumedFrom, warnLine: hooks.warnLine, label: hooks.label,
  });
  const earlyStop = settings.earlyStop ? new EarlyStopping(settings.earlyStop, p.resume?.earlyStop) : undefined;
  const observers = observersOf(p, o, view, onEpoch, hooks, earlyStop);
  const startEpoch = p.resume?.epoch ?? 0;
  await notify(observers, (ob) => ob.started?.({ run: p, plan, board, startEpoch }));
  const history: EpochEvent[] = p.resume ? p.resume.history.filter((h) => h.epoch <= startEpoch) : [];
  let result: SessionResult;
  try {
    result = await runSession(board, data, {
      epochs: settings.epochs, batch: settings.batch, chunk: settings.run.chunk,
      shuffle: settings.shuffle, resident: (settings.run.storeRows ?? 0) > 0, seed: settings.run.seed, lr: settings.run.optimizer.lr,
      schedule: settings.schedule, startEpoch, pastLosses: history.map((h) => h.val_loss ?? h.loss), stopRequested: hooks.stopRequested,
      epochMetrics: settings.run.loss !== "mse" || p.validation || (data.targetScaling?.std.length ?? 0) > 1
        ? (weights) => epochMetrics(board, weights, settings.run, data, p.validation, p.normalization ?? null, data.targetScaling ?? null) : undefined,
      // --normalize-target: the board's loss is the z-scored targets'; one output's in its own units is std^2 times it
      // (several outputs: epochMetrics computes the loss in their units).
      ...(data.targetScaling?.std.length === 1 ? { lossScale: (data.targetScaling.std[0] ?? 1) ** 2 } : {}),
      earlyStop,
      onBatch: (epoch, r, rowsDone) => { for (const ob of observers) ob.batch?.(epoch, r, rowsDone); },
      onEpoch: async (e) => {
        history.push(e);
        await notify(observers, (ob) => ob.epoch?.(e, history, board));
      },
    });
  } catch (err) {
    await notify(observers, (ob) => ob.stopped?.());
    if (err instanceof DivergedError || err instanceof LinkError || err instanceof InterruptedError || err instanceof CheckpointWriteError) {
      err.message += await salvage(board, p, o, err, initial, earlyStop?.state.bestWeights ?? null);
    }
    if (err instanceof InterruptedError) err.message += whereTheCheckpointIs(o, p, err);
    throw err;
  }
  view.completed(result.epochs);
  await notify(observers, (ob) => ob.stopped?.());
  // With --early-stop the run's model is the best epoch's: back onto the board (what is evaluated next is what is saved).
  const best = earlyStop?.state;
  const bestEpoch = best && best.bestWeights ? best.bestEpoch : undefined;
  if (best?.bestWeights) await board.setWeights(best.bestWeights);
  const weights = best?.bestWeights ?? await board.getWeights();
  if (!allFinite(weights)) {
    // A board that answers GET_WEIGHTS with NaN after finite epochs: divergence, the last finite model kept.
    const err = new DivergedError(result.epochs, result.steps, "the board's weights are not finite (NaN or infinity) at the end of the run",
      Status.NON_FINITE, { lastGood: result.lastGood, history });
    err.message += await salvage(board, p, o, err, initial, null);
    throw err;
  }
  if (o.save) writeModel(o.save, settings.run, weights, modelExtras(p, bestEpoch));
  let acc: number | null | undefined;
  if (hooks.accuracy && settings.run.loss !== "mse") {
    const ev = await board.evaluate(data.x, data.t, data.rows, data.nIn, data.nT, settings.run.chunk);
    acc = accuracy(settings.run.loss, ev.outputs, data.t, data.rows, settings.run.sizes[settings.run.sizes.length - 1]);
  }
  const stats = statsDelta(stats0, board.stats());
  const reported = (await board.reportedStats?.()) ?? null;
  const last = result.history[result.history.length - 1] ?? history[history.length - 1];
  // The saved model's epoch: its figures are the run's result.
  const kept = bestEpoch !== undefined ? history.find((h) => h.epoch === bestEpoch) : last;
  const record: RunRecord = {
    label: hooks.label ?? describeRun(settings), history: history.map((h) => ({ epoch: h.epoch, loss: h.loss, val_loss: h.val_loss, grad_norms: h.grad_norms })),
    sizes: settings.run.sizes, settings: describeRun(settings), finalLoss: last?.loss ?? null, steps: result.steps,
    samples: result.samples, bytesSent: stats.bytesSent, bytesReceived: stats.bytesReceived, planBytes: plan.total_bytes,
    boardSeconds: stats.boardMicros / 1e6, lineSeconds: stats.lineSeconds, wallSeconds: (performance.now() - wall0) / 1000,
    accuracy: acc, valLoss: kept?.val_loss ?? null, valAccuracy: kept?.val_accuracy ?? null, bestEpoch,
    board: board.description, warnings: view.warningMessages,
  };
  const done = {
    event: "done", epochs: result.epochs, samples: result.samples, steps: result.steps,
    seconds: Number(result.seconds.toFixed(6)),
    samples_per_s: result.seconds > 0 ? Math.round(result.samples / result.seconds) : 0,
    final_loss: last?.loss ?? null,
    ...(kept?.accuracy !== undefined ? { accuracy: kept.accuracy } : {}),
    ...(kept?.val_loss !== undefined ? { val_loss: kept.val_loss } : {}),
    ...(kept?.val_accuracy !== undefined ? { val_accuracy: kept.val_accuracy } : {}),
    ...(settings.earlyStop ? { best_epoch: bestEpoch ?? null, stopped_early: result.stoppedEarly } : {}),
    plan_bytes: plan.total_bytes, chunk: settings.run.chunk,
    saved: o.save,
    bytes_sent: stats.bytesSent, bytes_received: stats.bytesReceived, board_seconds: stats.boardMicros / 1e6,
    line_seconds: stats.lineSeconds, warnings: view.warningMessages.length,
    ...(reported ? boardDoneFields(reported) : {}),
    ...(o.report ? { report: o.report } : {}), ...(o.checkpointDir ? { checkpoint: o.checkpointDir } : {}),
  };
  await notify(observers, (ob) => ob.finished?.({ run: p, record, done, finalLoss: last?.loss ?? null }));
  return { result, plan, weights, stats, warnings: view.warnings, record, initial: hooks.captureInitial ? initial : undefined };
}

/** What the model file records besides the weights: the class labels, the input statistics and, with --early-stop, the epoch. */
function modelExtras(p: PreparedRun, bestEpoch?: number): ModelExtras {
  // The columns by name when the rows came from a file (a built-in data set's names are not a file's); a loaded model keeps its own.
  const inputs = p.table ? p.data.encoding?.inputs ?? p.data.inputNames : p.loaded?.inputs;
  const categorical = p.table ? p.data.encoding?.categorical : p.loaded?.categorical;
  const missing = p.table ? p.data.missing : p.loaded?.missing;
  const targetScaling = p.data.targetScaling ?? p.loaded?.targetScaling;
  const targets = p.table ? p.data.targetNames : p.loaded?.targets;
  return {
    ...(inputs ? { inputs } : {}),
    ...(targets ? { targets } : {}),
    ...(p.data.classes ? { classes: p.data.classes } : {}),
    ...(p.normalization ? { normalization: p.normalization } : {}),
    ...(categorical && categorical.length > 0 ? { categorical } : {}),
    ...(missing ? { missing } : {}),
    ...(targetScaling ? { targetScaling } : {}),
    ...(bestEpoch !== undefined ? { bestEpoch } : {}),
  };
}

/**
 * Keeps what a failed run learnt, with --save: the board's weights if it
 * still answers and they are finite, else the last epoch's, the loaded or the
 * initial ones. Returns the sentence to add to the error.
 */
async function salvage(board: Board, p: PreparedRun, o: RunOutputs, err: DivergedError | LinkError | InterruptedError | CheckpointWriteError,
  initial: Float32Array | undefined, best: Float32Array | null): Promise<string> {
  if (!o.save) return "";
  // With --early-stop the best epoch's model so far; else the board's, the last epoch's, the loaded or the initial one.
  const current = best ?? (err instanceof LinkError ? null : await board.getWeights().catch(() => null));
  const finite = [current, err.soFar?.lastGood ?? null, p.loaded?.weights ?? null, initial ?? null]
    .find((w): w is Float32Array => w !== null && w.every(Number.isFinite)) ?? null;
  if (!finite) return "";
  try {
    writeModel(o.save, p.settings.run, finite, modelExtras(p));
  } catch (saveErr) {
    if (!(saveErr instanceof WriteError)) throw saveErr;
    return ` --save ${o.save} could not be written either: ${saveErr.message}.`;
  }
  if (err instanceof InterruptedError || err instanceof CheckpointWriteError) return ` The model so far was saved to ${o.save}.`;
  return err instanceof LinkError ? ` The last good model was saved to ${o.save}.` : ` The last finite model was saved to ${o.save}.`;
}

/** After Ctrl-C: where the run can continue from (its last completed epoch), or that nothing was kept. */
function whereTheCheckpointIs(o: RunOutputs, p: PreparedRun, err: InterruptedError): string {
  const completed = err.soFar.history.length > 0 ? err.soFar.history[err.soFar.history.length - 1].epoch : p.resume?.epoch ?? 0;
  if (o.checkpointDir && completed > 0) {
    return ` The checkpoint in ${o.checkpointDir} is at epoch ${completed}: continue with --resume ${o.checkpointDir}.`;
  }
  if (o.checkpointDir) return ` No epoch was completed: ${o.checkpointDir} holds no checkpoint of this run.`;
  return o.save ? "" : " Nothing was saved (give --save FILE or --checkpoint DIR to keep a run's progress).";
}
