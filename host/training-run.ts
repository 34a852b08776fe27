// One training run from flags to saved model, on whatever board the command
// opened: load data and model, configure, load weights, train, report, save.
// `sim` and `train` differ only in the board they hand in.
import type { Parsed } from "./args.js";
import type { Board } from "./board.js";
import { readCsv, type NumericTable } from "./csv.js";
import { checkAgainstModel, splitTable, type Dataset } from "./dataset.js";
import { readModel, writeModel, type ModelFile } from "./model-file.js";
import { resolveRun, type RunSettings } from "./run-options.js";
import { encodeConfig, paramCount } from "./config.js";
import { runSession, type EpochEvent, type SessionResult } from "./session.js";
import { BoardError, Status } from "./status.js";
import { DivergedError, UsageError } from "./errors.js";
import type { Plan } from "./plan.js";

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
}

/** Reads and checks everything before any board is touched. */
export function prepareRun(a: Parsed, data?: Dataset): PreparedRun {
  const loaded = a.load ? readModel(String(a.load)) : null;
  let table: NumericTable | null = null;
  if (!data) {
    if (!a.data) throw new UsageError("--data FILE.csv is required");
    table = readCsv(String(a.data));
    data = splitTable(table, a.target as string | undefined);
  }
  const settings = resolveRun(a, data.rows, loaded);
  checkAgainstModel(data, table, settings.run.sizes, settings.run.loss);
  if (a.save && String(a.save).trim() === "") throw new UsageError("--save needs a file name");
  return { settings, data, table, loaded };
}

export async function configureBoard(board: Board, p: PreparedRun): Promise<Plan> {
  try {
    const plan = await board.configure(encodeConfig(p.settings.run));
    if (p.loaded) await board.setWeights(p.loaded.weights);
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
}

/** Trains and saves; a divergence saves the last finite model and rethrows. */
export async function trainOnBoard(board: Board, a: Parsed, p: PreparedRun, out: Output,
  onEpoch?: (e: EpochEvent) => void): Promise<RunOutcome> {
  const { settings, data } = p;
  const plan = await configureBoard(board, p);
  const asJson = Boolean(a.json);
  if (!asJson && !a.quiet) {
    const r = settings.run;
    out.line(`edgeprop: ${r.sizes.join("-")} ${r.loss}, ${r.optimizer.name} lr ${r.optimizer.lr}, ` +
      `batch ${settings.batchText === "full" ? `full (${settings.batch})` : settings.batch}, chunk ${r.chunk}, ` +
      `${data.rows} rows, ${paramCount(r.sizes)} parameters, board memory ${plan.total_bytes} bytes on ${board.description}`);
  }
  let result: SessionResult;
  try {
    result = await runSession(board, data, {
      epochs: settings.epochs, batch: settings.batch, chunk: settings.run.chunk,
      shuffle: settings.shuffle, seed: settings.run.seed, lr: settings.run.optimizer.lr,
      schedule: settings.schedule,
      onEpoch: (e) => {
        if (asJson) out.json(e);
        else if (!a.quiet) out.line(`epoch ${String(e.epoch).padStart(String(settings.epochs).length)}/${settings.epochs}  loss ${e.loss.toPrecision(7)}  lr ${Number(e.lr.toPrecision(6))}`);
        onEpoch?.(e);
      },
    });
  } catch (err) {
    if (err instanceof DivergedError) {
      const lastGood = (err as DivergedError & { lastGood: Float32Array | null }).lastGood;
      let kept = "";
      if (a.save) {
        const current = await board.getWeights().catch(() => null);
        const finite = current && current.every(Number.isFinite) ? current : lastGood ?? (p.loaded?.weights ?? null);
        if (finite) {
          writeModel(String(a.save), settings.run, finite);
          kept = ` The last finite model was saved to ${a.save}.`;
        }
      }
      err.message += kept;
    }
    throw err;
  }
  const weights = await board.getWeights();
  if (a.save) writeModel(String(a.save), settings.run, weights);
  const last = result.history[result.history.length - 1];
  const done = {
    event: "done", epochs: result.epochs, samples: result.samples, steps: result.steps,
    seconds: Number(result.seconds.toFixed(6)),
    samples_per_s: Math.round(result.samples / result.seconds),
    final_loss: last?.loss ?? null, plan_bytes: plan.total_bytes, chunk: settings.run.chunk,
    saved: a.save ? String(a.save) : null,
  };
  if (asJson) out.json(done);
  else if (!a.quiet) {
    out.line(`done: ${result.epochs} epochs, ${result.steps} optimizer steps, ${result.samples} samples in ${result.seconds.toFixed(3)} s ` +
      `(${done.samples_per_s.toLocaleString("en-US")} samples/s), final loss ${last?.loss.toPrecision(7)}` +
      (a.save ? `; model saved to ${a.save}` : ""));
  }
  return { result, plan, weights };
}
