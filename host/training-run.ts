// One training run from flags to saved model, on whatever board the command
// opened: load data and model, configure, load weights, train, report, save.
// `sim` and `train` differ only in the board they hand in.
import type { Parsed } from "./args.js";
import type { BatchResult, Board, LinkStats } from "./boards/board.js";
import { readCsv, type NumericTable } from "./csv.js";
import { checkAgainstModel, splitTable, type Dataset } from "./dataset.js";
import { readModel, writeModel, type ModelFile } from "./model-file.js";
import { RUN_SPECS, resolveRun, type RunSettings } from "./run-options.js";
import { paramCount } from "./config.js";
import { encodeConfig } from "./protocol/config-block.js";
import { runSession, type EpochEvent, type SessionResult } from "./session.js";
import { BoardError, Status } from "./protocol/status.js";
import { DivergedError, LinkError, UsageError } from "./errors.js";
import type { Plan } from "./plan.js";
import { findDataset } from "./datasets/index.js";
import { mergeResumeArgs, readCheckpoint, runSettingsOf, writeCheckpoint, type Checkpoint } from "./checkpoint.js";
import { Progress, progressMode, type ProgressMode } from "./progress/index.js";
import type { GradWarning } from "./progress/grad-watch.js";
import { writeReport, type RunRecord } from "./report/html.js";
import { accuracy } from "./report/metrics.js";

export interface Output {
  line(text: string): void; // human-readable
  json(obj: object): void; // one JSON object per line
}

export const stdoutOutput: Output = {
  line: (t) => process.stdout.write(t + "\n"),
  json: (o) => process.stdout.write(JSON.stringify(o) + "\n"),
};

export interface PreparedRun {
  settings: RunSettings;
  data: Dataset;
  table: NumericTable | null;
  loaded: ModelFile | null;
  /** The flags the run uses (with --resume: the checkpoint's, overridden by the given ones). */
  args?: Parsed;
  /** Set with --resume: where the run continues from. */
  resume?: Checkpoint;
}

/** Reads and checks everything before any board is touched. */
export function prepareRun(a: Parsed, data?: Dataset): PreparedRun {
  let resume: Checkpoint | undefined;
  if (a.resume) {
    resume = readCheckpoint(String(a.resume));
    a = mergeResumeArgs(a, resume, RUN_SPECS);
  }
  const loaded = resume ? resume.model : a.load ? readModel(String(a.load)) : null;
  let table: NumericTable | null = null;
  if (!data) {
    if (a.data && a.dataset) throw new UsageError("give either --data FILE.csv or --dataset NAME, not both");
    if (a.dataset) {
      const info = findDataset(String(a.dataset));
      if (a.target) throw new UsageError(`--target does not apply to --dataset ${info.name} (its target is fixed)`);
      data = info.make(Number(a["data-seed"] ?? 1));
      if (!loaded) a = { ...a, layers: a.layers ?? info.layers, loss: a.loss ?? info.loss };
    } else {
      if (!a.data) throw new UsageError("--data FILE.csv or --dataset NAME is required (see 'edgeprop datasets')");
      table = readCsv(String(a.data));
      data = splitTable(table, a.target as string | undefined);
    }
  }
  const settings = resolveRun(a, data.rows, loaded);
  checkAgainstModel(data, table, settings.run.sizes, settings.run.loss);
  if (a.save && String(a.save).trim() === "") throw new UsageError("--save needs a file name");
  return { settings, data, table, loaded, args: a, resume };
}

export async function configureBoard(board: Board, p: PreparedRun): Promise<Plan> {
  try {
    const plan = await board.configure(encodeConfig(p.settings.run));
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
}

function statsDelta(a: LinkStats, b: LinkStats): LinkStats {
  return {
    bytesSent: b.bytesSent - a.bytesSent, bytesReceived: b.bytesReceived - a.bytesReceived,
    boardMicros: b.boardMicros - a.boardMicros, lineSeconds: b.lineSeconds - a.lineSeconds,
    retransmits: b.retransmits - a.retransmits,
  };
}

export function describeRun(s: RunSettings): string {
  const r = s.run;
  return `${r.sizes.join("-")} ${r.activations.length > 1 ? r.activations[0] + " " : ""}${r.loss}, ${r.optimizer.name}` +
    `${r.optimizer.name === "sgd" && r.optimizer.momentum ? ` momentum ${r.optimizer.momentum}` : ""} lr ${r.optimizer.lr}, ` +
    `batch ${s.batchText === "full" ? `full (${s.batch})` : s.batch}`;
}

/** Trains and saves; a divergence saves the last finite model and rethrows. */
export async function trainOnBoard(board: Board, a: Parsed, p: PreparedRun, out: Output,
  onEpoch?: (e: EpochEvent) => void, hooks: TrainHooks = {}): Promise<RunOutcome> {
  if (p.args) a = { ...p.args, json: a.json, quiet: a.quiet, save: a.save, report: a.report, checkpoint: a.checkpoint, resume: a.resume };
  const { settings, data } = p;
  const wall0 = performance.now();
  const stats0 = board.stats();
  const plan = await configureBoard(board, p);
  if (hooks.initialWeights && !p.resume) await board.setWeights(hooks.initialWeights);
  // The starting weights: for other runs to start from, and the last finite model of a run that diverges at once.
  const initial = hooks.captureInitial || a.save ? await board.getWeights() : undefined;
  const asJson = Boolean(a.json);
  const mode = hooks.mode ?? progressMode(a, out === stdoutOutput);
  const startEpoch = p.resume?.epoch ?? 0;
  if (!asJson && !a.quiet && mode !== "quiet") {
    const r = settings.run;
    out.line(`edgeprop: ${r.sizes.join("-")} ${r.loss}, ${r.optimizer.name} lr ${r.optimizer.lr}, ` +
      `batch ${settings.batchText === "full" ? `full (${settings.batch})` : settings.batch}, chunk ${r.chunk}, ` +
      `${data.rows} rows, ${paramCount(r.sizes)} parameters, board memory ${plan.total_bytes} bytes on ${board.description}`);
    if (p.resume) out.line(`resuming from ${a.resume} at epoch ${startEpoch} (optimizer step ${p.resume.step})`);
  }
  const checkpointDir = a.checkpoint ? String(a.checkpoint) : a.resume ? String(a.resume) : null;
  const runSettings = runSettingsOf(a, RUN_SPECS);
  const history: EpochEvent[] = p.resume ? p.resume.history.filter((h) => h.epoch <= startEpoch) : [];
  const progress = new Progress({
    mode, out, epochs: settings.epochs, rows: data.rows, sizes: settings.run.sizes, startEpoch,
    warnLine: hooks.warnLine, label: hooks.label,
    epochLine: (e) => `epoch ${String(e.epoch).padStart(String(settings.epochs).length)}/${settings.epochs}  loss ${e.loss.toPrecision(7)}  lr ${Number(e.lr.toPrecision(6))}`,
  });
  let result: SessionResult;
  try {
    result = await runSession(board, data, {
      epochs: settings.epochs, batch: settings.batch, chunk: settings.run.chunk,
      shuffle: settings.shuffle, seed: settings.run.seed, lr: settings.run.optimizer.lr,
      schedule: settings.schedule, startEpoch,
      onBatch: (epoch, r, rowsDone) => {
        progress.batch(epoch, r, rowsDone);
        hooks.onBatch?.(epoch, r, rowsDone);
      },
      onEpoch: async (e) => {
        history.push(e);
        progress.epochDone(e);
        onEpoch?.(e);
        if (checkpointDir) {
          const [weights, optimizer] = [await board.getWeights(), await board.getOptimizerState()];
          writeCheckpoint(checkpointDir, { epoch: e.epoch, settings: runSettings, model: settings.run, weights, optimizer, history });
        }
      },
    });
  } catch (err) {
    progress.end();
    if (err instanceof DivergedError || err instanceof LinkError) {
      // Keep what was learnt: the board's weights if it still answers and
      // they are finite, else the last epoch's, the loaded or the initial ones.
      const lastGood = err.soFar?.lastGood ?? null;
      let kept = "";
      if (a.save) {
        const current = err instanceof LinkError ? null : await board.getWeights().catch(() => null);
        const finite = [current, lastGood, p.loaded?.weights ?? null, initial ?? null]
          .find((w): w is Float32Array => w !== null && w.every(Number.isFinite)) ?? null;
        if (finite) {
          writeModel(String(a.save), settings.run, finite);
          kept = err instanceof LinkError ? ` The last good model was saved to ${a.save}.` : ` The last finite model was saved to ${a.save}.`;
        }
      }
      err.message += kept;
    }
    throw err;
  }
  progress.end();
  const weights = await board.getWeights();
  if (a.save) writeModel(String(a.save), settings.run, weights);
  let acc: number | null | undefined;
  if (hooks.accuracy && settings.run.loss !== "mse") {
    const ev = await board.evaluate(data.x, data.t, data.rows, data.nIn, data.nT, settings.run.chunk);
    acc = accuracy(settings.run.loss, ev.outputs, data.t, data.rows, settings.run.sizes[settings.run.sizes.length - 1]);
  }
  const stats = statsDelta(stats0, board.stats());
  const last = result.history[result.history.length - 1] ?? history[history.length - 1];
  const record: RunRecord = {
    label: hooks.label ?? describeRun(settings), history: history.map((h) => ({ epoch: h.epoch, loss: h.loss, grad_norms: h.grad_norms })),
    sizes: settings.run.sizes, settings: describeRun(settings), finalLoss: last?.loss ?? null, steps: result.steps,
    samples: result.samples, bytesSent: stats.bytesSent, bytesReceived: stats.bytesReceived, planBytes: plan.total_bytes,
    boardSeconds: stats.boardMicros / 1e6, lineSeconds: stats.lineSeconds, wallSeconds: (performance.now() - wall0) / 1000,
    accuracy: acc, board: board.description, warnings: progress.warnings.map((w) => w.message),
  };
  if (a.report) {
    writeReport(String(a.report), {
      title: `edgeprop: ${describeRun(settings)}`,
      intro: `${data.rows} rows of ${data.name}, ${settings.epochs} epochs on ${board.description}.`,
      sections: [{ title: "Training loss", runs: [record] }],
    });
  }
  const done = {
    event: "done", epochs: result.epochs, samples: result.samples, steps: result.steps,
    seconds: Number(result.seconds.toFixed(6)),
    samples_per_s: result.seconds > 0 ? Math.round(result.samples / result.seconds) : 0,
    final_loss: last?.loss ?? null, plan_bytes: plan.total_bytes, chunk: settings.run.chunk,
    saved: a.save ? String(a.save) : null,
    bytes_sent: stats.bytesSent, bytes_received: stats.bytesReceived, board_seconds: stats.boardMicros / 1e6,
    line_seconds: stats.lineSeconds, warnings: progress.warnings.length,
    ...(a.report ? { report: String(a.report) } : {}), ...(checkpointDir ? { checkpoint: checkpointDir } : {}),
  };
  if (asJson) out.json(done);
  else if (a.quiet || mode !== "quiet") { // --quiet keeps the result line; a caller's quiet mode (demo, compare) does not
    out.line(`done: ${result.epochs} epochs, ${result.steps} optimizer steps, ${result.samples} samples in ${result.seconds.toFixed(3)} s ` +
      `(${done.samples_per_s.toLocaleString("en-US")} samples/s), final loss ${last?.loss.toPrecision(7)}` +
      (a.save ? `; model saved to ${a.save}` : "") + (a.report ? `; report written to ${a.report}` : ""));
  }
  return { result, plan, weights, stats, warnings: progress.warnings, record, initial: hooks.captureInitial ? initial : undefined };
}
