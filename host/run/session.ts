// A training session: epochs of batches streamed to a board, the learning
// rate set from the schedule (per epoch; per batch for OneCycleLR, the
// board setting each batch's lr in the epoch's one stream), losses read back,
// divergence caught; after each epoch the caller's metrics (validation loss
// and accuracy, epoch-metrics.ts), ReduceLROnPlateau's step on the validation
// loss (the training loss without validation data) and early stopping. The
// same code drives every link, which is what makes them comparable.
import type { BatchResult, Board } from "../boards/board.js";
import type { Dataset } from "../data/dataset.js";
import { DivergedError, InterruptedError, LinkError } from "../errors.js";
import { Status, statusName } from "../protocol/status.js";
import { LrSchedule, type Schedule } from "./schedule.js";
import { epochOrder, permuteInPlace } from "../data/shuffle.js";
import { residentEpoch, uploadResident } from "./resident-epoch.js";
import type { EarlyStopping } from "./early-stopping.js";
import type { EpochMetrics } from "./epoch-metrics.js";
import type { EpochEvent } from "./epoch-event.js";

export type { EpochEvent };

export interface SessionOptions {
  epochs: number;
  batch: number;
  chunk: number;
  shuffle: boolean;
  /** The rows are uploaded once to the board's sample store (configured with storeRows = rows) and every epoch trains from it. */
  resident?: boolean;
  /** With `resident`: the rows are in the store already (a fleet client uploads once, then trains every round from it). */
  stored?: boolean;
  seed: number;
  lr: number;
  schedule: Schedule;
  /** Epochs already done (a resumed run continues from here). */
  startEpoch?: number;
  /** Those epochs' monitored losses (validation loss, else training loss), in order (ReduceLROnPlateau picks up where it was). */
  pastLosses?: number[];
  /** --normalize-target on one target: the factor (std^2) that turns the board's loss of the z-scored target into its own units (several: epochMetrics gives the loss). */
  lossScale?: number;
  /** After each epoch, from the weights the board holds then: validation loss, accuracies. */
  epochMetrics?: (weights: Float32Array) => Promise<EpochMetrics>;
  /** --early-stop on the validation loss (epochMetrics gives it); a resumed run's carries the checkpoint's state. */
  earlyStop?: EarlyStopping;
  onEpoch?: (e: EpochEvent) => void | Promise<void>;
  onBatch?: (epoch: number, r: BatchResult, rowsDone: number) => void;
  /** Polled after each batch and before each epoch: true stops the run there (InterruptedError). */
  stopRequested?: () => boolean;
}

export interface SessionResult {
  /** The last epoch completed (fewer than asked when early stopping ended the run). */
  epochs: number;
  /** Early stopping ended the run before its last epoch. */
  stoppedEarly: boolean;
  samples: number;
  seconds: number;
  steps: number;
  history: EpochEvent[];
  /** Weights pulled after the last completed epoch (the last known-good model). */
  lastGood: Float32Array | null;
}

export async function runSession(board: Board, data: Dataset, o: SessionOptions): Promise<SessionResult> {
  const history: EpochEvent[] = [];
  let seconds = 0, samples = 0, steps = 0;
  let lastGood: Float32Array | null = null;
  const permute = o.shuffle && !o.resident; // a resident epoch is shuffled on the board, in the same order
  if (o.resident && !o.stored) await withContext(uploadResident(board, data), lastGood, history);
  let currentLr = NaN;
  const setLr = async (lr: number) => { if (lr !== currentLr) { await board.setLr(lr); currentLr = lr; } };
  const batches = Math.ceil(data.rows / Math.max(1, Math.min(o.batch, data.rows)));
  const schedule = new LrSchedule(o.schedule, o.lr, batches, o.epochs);
  for (const loss of o.pastLosses ?? []) schedule.endEpoch(loss);
  const stop = o.stopRequested ?? (() => false);
  let completed = o.startEpoch ?? 0;
  let stoppedEarly = o.earlyStop?.exhausted ?? false; // a checkpoint of a run that had stopped
  for (let epoch = o.startEpoch ?? 0; epoch < o.epochs && !stoppedEarly; epoch++) {
    // A simulated board answers through microtasks and never waits for I/O: let a Ctrl-C in between epochs.
    if (o.stopRequested) await yieldToEventLoop();
    if (stop()) throw new InterruptedError(epoch + 1, 0, { lastGood, history });
    const lr = schedule.lrFor(epoch, 0);
    await setLr(lr);
    // Shuffled in place (a large data set is never held twice), and put back in file order as soon as the board has the epoch.
    const restore = permute ? permuteInPlace([{ data: data.x, width: data.nIn }, { data: data.t, width: data.nT }], epochOrder(data.rows, o.seed, epoch)) : null;
    let rowsDone = 0;
    let failed: BatchResult | null = null;
    let batchesDone = 0, interrupted = false;
    const t0 = performance.now();
    const onBatch = (r: BatchResult) => {
      rowsDone += r.rows;
      if (batchFailed(r)) { failed = r; return false; }
      o.onBatch?.(epoch + 1, r, rowsDone);
      batchesDone++;
      if (stop()) { interrupted = true; return false; }
    };
    const lrs = schedule.perBatch ? Array.from({ length: batches }, (_, b) => schedule.lrFor(epoch, b)) : undefined;
    let results: BatchResult[];
    try {
      results = await withContext(o.resident
        ? residentEpoch(board, { rows: data.rows, batch: o.batch, epoch, shuffle: o.shuffle, lrs, onBatch })
        : board.train({ x: data.x, t: data.t, rows: data.rows, nIn: data.nIn, nT: data.nT, batch: o.batch, chunk: o.chunk, onBatch, lrs }),
      lastGood, history);
    } finally {
      restore?.();
    }
    if (lrs) currentLr = lrs[results.length - 1] ?? currentLr; // the lr the board was left with
    seconds += (performance.now() - t0) / 1000;
    // A board may end the epoch at a failed batch without reporting it through onBatch.
    if (!failed) failed = results.find(batchFailed) ?? null;
    if (failed) {
      const f = failed as BatchResult;
      // NON_FINITE with a finite loss: the gradient, or the weights the update made, are not finite.
      const what = !Number.isFinite(f.lossSum) && (f.status === Status.OK || f.status === Status.NON_FINITE) ? `loss ${f.lossSum}`
        : f.status === Status.OK ? `the gradient's norm is not finite (${Array.from(f.gradNorms).join(", ")} per layer)`
        : f.status === Status.NON_FINITE ? `the gradient or the updated weights are not finite (NaN or infinity; the batch's loss was ${f.lossSum})`
        : statusName(f.status);
      throw new DivergedError(epoch + 1, f.index + 1, what, f.status, { lastGood, history });
    }
    // Stopped inside the epoch; a stop at its last batch lets the epoch finish (and be checkpointed).
    if (interrupted && rowsDone < data.rows) {
      throw new InterruptedError(epoch + 1, batchesDone, { lastGood, history });
    }
    let lossSum = 0;
    const layers = results[0]?.gradNorms.length ?? 0;
    const norms = new Array<number>(layers).fill(0);
    for (const r of results) {
      lossSum += r.lossSum;
      for (let l = 0; l < layers; l++) norms[l] += r.gradNorms[l] / results.length;
    }
    samples += data.rows;
    steps += results.length;
    const weights: Float32Array = await withContext(board.getWeights(), lastGood, history);
    // A NaN or infinite weight with every batch OK (a board that lies, or an engine without
    // the check) is divergence too: the last finite model stays the last good one.
    if (!allFinite(weights)) {
      throw new DivergedError(epoch + 1, results.length, "the board's weights are not finite (NaN or infinity) after the epoch",
        Status.NON_FINITE, { lastGood, history });
    }
    const previousGood = lastGood;
    lastGood = weights;
    const metrics = o.epochMetrics ? await withContext(o.epochMetrics(weights), lastGood, history) : {};
    // Finite weights whose validation outputs overflow (or a board whose EVAL
    // replies say so): the model has diverged all the same.
    const nonFinite = Object.entries(metrics).find(([, v]) => typeof v === "number" && !Number.isFinite(v));
    if (nonFinite) {
      throw new DivergedError(epoch + 1, results.length, `${nonFinite[0]} ${nonFinite[1]} (the model's outputs are not finite)`,
        Status.NON_FINITE, { lastGood: previousGood, history });
    }
    const { loss: hostLoss, ...others } = metrics; // several z-scored targets: the loss in their units (epoch-metrics.ts)
    const ev: EpochEvent = {
      event: "epoch", epoch: epoch + 1, loss: hostLoss ?? (o.lossScale !== undefined ? (lossSum / data.rows) * o.lossScale : lossSum / data.rows), ...others, lr, grad_norms: norms,
      steps: results.length, seconds: Number(seconds.toFixed(6)),
    };
    history.push(ev);
    completed = epoch + 1;
    schedule.endEpoch(ev.val_loss ?? ev.loss); // ReduceLROnPlateau: on the validation loss when there is validation data
    if (o.earlyStop && ev.val_loss !== undefined) stoppedEarly = o.earlyStop.endEpoch(ev.epoch, ev.val_loss, weights);
    await o.onEpoch?.(ev);
  }
  if (stoppedEarly && completed >= o.epochs) stoppedEarly = false; // the patience ran out at the last epoch anyway
  return { epochs: completed, stoppedEarly, samples, seconds, steps, history, lastGood };
}

/**
 * A batch the run cannot go on from: refused, a non-finite loss, or non-finite
 * gradient norms (the engine's per-layer float32 norms; a board that says OK
 * with them has a gradient no step should have used).
 */
function batchFailed(r: BatchResult): boolean {
  return r.status !== Status.OK || !Number.isFinite(r.lossSum) || !r.gradNorms.every(Number.isFinite);
}

/** Every value is a finite number. */
export function allFinite(a: Float32Array): boolean {
  return a.every(Number.isFinite);
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A board that stopped answering carries what was learnt so far. */
async function withContext<T>(p: Promise<T>, lastGood: Float32Array | null, history: EpochEvent[]): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof LinkError) err.soFar = { lastGood, history: [...history] };
    throw err;
  }
}
