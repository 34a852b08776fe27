// Checkpoints: after every epoch, `--checkpoint DIR` writes the model, the
// optimizer's state (its tensors, bit-exact, and its step count), the epoch
// and the run's settings, each file atomically. `--resume DIR` reads them back
// and continues the run where it stopped; with per-epoch seeded shuffling the
// resumed run ends with the same weights as an uninterrupted one.
//
//   DIR/checkpoint.json  {"format":"edgeprop-checkpoint","version":1,"epoch":k,
//                         "step":n,"settings":{flags},"model":{edgeprop-model v1},
//                         "optimizer_state":"<base64 little-endian f32>","history":[...],
//                         "early_stop":{"best_epoch":e,"best_val_loss":x,"wait":w,"best_weights":"<base64 f32>"}}
//                         ("early_stop" only with --early-stop: what EarlyStopping needs to continue exactly)
//   DIR/model.json       the same model alone (usable with --load, predict, export)
import { readJsonInput } from "../files/json-input.js";
import { join } from "node:path";
import type { OptimizerState } from "../boards/board.js";
import type { ModelConfig } from "../model/config.js";
import { InputError } from "../errors.js";
import { finiteJson, modelFromJson, modelToJson, type ModelExtras, type ModelFile } from "../model/model-file.js";
import { writeFileAtomic } from "../files/atomic-write.js";
import type { EpochEvent } from "./epoch-event.js";
import type { EarlyStopState } from "./early-stopping.js";

/** The files a checkpoint directory holds. */
export const CHECKPOINT_FILE = "checkpoint.json";
export const CHECKPOINT_MODEL_FILE = "model.json";
export const CHECKPOINT_FILES = [CHECKPOINT_FILE, CHECKPOINT_MODEL_FILE] as const;

/**
 * The most optimizer steps a board counts: the module's step counter is an
 * i32 (the wire's u32 is read into it), so one more step from 2^31 - 1 wraps
 * negative, and from 2^32 - 1 to 0 (Adam's bias correction divides by 0).
 */
export const MAX_STEP = 0x7fffffff;

export interface Checkpoint {
  epoch: number;
  step: number;
  settings: Record<string, string | number | boolean>;
  model: ModelFile;
  optimizer: OptimizerState;
  history: EpochEvent[];
  /** With --early-stop: the best epoch so far, its loss and weights, and the wait since. */
  earlyStop?: EarlyStopState;
}

function f32ToBase64(a: Float32Array): string {
  const b = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  return b.toString("base64");
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function base64ToF32(s: string, file: string, field = `"optimizer_state"`, what = "an optimizer state"): Float32Array {
  if (s.length % 4 !== 0 || !BASE64.test(s)) throw new InputError(file, null, null, `${field} is not base64`);
  const b = Buffer.from(s, "base64");
  if (b.length % 4 !== 0) throw new InputError(file, null, null, `${field} is not a whole number of float32 values (${b.length} bytes)`);
  const out = new Float32Array(b.length / 4);
  new Uint8Array(out.buffer).set(b);
  const bad = out.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new InputError(file, null, null, `${field} value ${bad} is ${out[bad]}: ${what} must be finite`);
  return out;
}

/** The epochs so far, as the report and the resumed history use them. */
function historyOf(h: unknown, epoch: number, file: string): EpochEvent[] {
  if (h === undefined) return [];
  if (!Array.isArray(h)) throw new InputError(file, null, null, `"history" must be an array of epochs`);
  h.forEach((e, i) => {
    const ok = typeof e === "object" && e !== null && Number.isInteger(e.epoch) && e.epoch >= 1 && e.epoch <= epoch &&
      typeof e.loss === "number" && Array.isArray(e.grad_norms) && e.grad_norms.every((g: unknown) => typeof g === "number");
    if (!ok) throw new InputError(file, null, null, `"history"[${i}]: expected {"epoch": 1..${epoch}, "loss": number, "grad_norms": [numbers], ...}`);
  });
  return h as EpochEvent[];
}

/**
 * The optimizer state a checkpoint holds is the one the run needs: as many
 * float32 values as the module lays out for this model and optimizer.
 */
export function checkOptimizerState(ck: Checkpoint, needed: number, what: string, dir: string): void {
  const have = ck.optimizer.state.length;
  if (have !== needed) {
    throw new InputError(join(dir, CHECKPOINT_FILE), null, null,
      `"optimizer_state" holds ${have} float32 values; ${what} needs ${needed}`);
  }
}

/** The early-stopping state as the checkpoint writes it. */
function earlyStopToJson(s: EarlyStopState): object {
  return {
    best_epoch: s.bestEpoch, best_val_loss: Number.isFinite(s.bestLoss) ? s.bestLoss : null, wait: s.wait,
    best_weights: s.bestWeights ? f32ToBase64(s.bestWeights) : null,
  };
}

// any (not yet unknown, as model-file.ts reads its JSON): parsed JSON whose every key is checked below before use.
function earlyStopOf(j: any, epoch: number, weightCount: number, file: string): EarlyStopState | undefined {
  if (j === undefined) return undefined;
  const bad = (what: string): never => { throw new InputError(file, null, null, `"early_stop": ${what}`); };
  if (typeof j !== "object" || j === null) bad("expected an object");
  if (!Number.isInteger(j.best_epoch) || j.best_epoch < 0 || j.best_epoch > epoch) bad(`"best_epoch" must be an epoch from 0 to ${epoch}`);
  if (!Number.isInteger(j.wait) || j.wait < 0 || j.wait > epoch) bad(`"wait" must be a whole number of epochs from 0 to ${epoch}`);
  if (j.best_val_loss !== null && typeof j.best_val_loss !== "number") bad(`"best_val_loss" must be a number or null`);
  if (j.best_weights !== null && typeof j.best_weights !== "string") bad(`"best_weights" must be a base64 string or null`);
  const bestWeights = j.best_weights === null ? null : base64ToF32(j.best_weights, file, `"early_stop"."best_weights"`, "a model's weights");
  if (bestWeights && bestWeights.length !== weightCount) bad(`"best_weights" holds ${bestWeights.length} float32 values; the model has ${weightCount}`);
  if ((j.best_epoch > 0) !== (bestWeights !== null)) bad(`"best_weights" is given exactly when "best_epoch" is 1 or more`);
  return { bestEpoch: j.best_epoch, bestLoss: j.best_val_loss ?? Infinity, wait: j.wait, bestWeights };
}

export function writeCheckpoint(dir: string, c: { epoch: number; settings: Record<string, string | number | boolean>; model: ModelConfig; weights: Float32Array; optimizer: OptimizerState; history: EpochEvent[]; earlyStop?: EarlyStopState;
  /** What the model file records besides the weights (classes, normalization): model.json is a usable model. */
  extras?: ModelExtras }): void {
  // Both files are made (and refused, if anything is not finite) before either is written:
  // a checkpoint is never replaced by one that cannot be loaded.
  const model = modelToJson(c.model, c.weights, c.extras);
  const modelFile = join(dir, CHECKPOINT_MODEL_FILE), checkpointFile = join(dir, CHECKPOINT_FILE);
  const modelText = finiteJson(model, modelFile, [["weight", c.weights]]);
  const checkpointText = finiteJson({
    format: "edgeprop-checkpoint", version: 1, epoch: c.epoch, step: c.optimizer.step,
    settings: c.settings, model, optimizer_state: f32ToBase64(c.optimizer.state), history: c.history,
    ...(c.earlyStop ? { early_stop: earlyStopToJson(c.earlyStop) } : {}),
  }, checkpointFile, [["weight", c.weights], ["optimizer_state", c.optimizer.state], ["early_stop.best_weights", c.earlyStop?.bestWeights]]);
  // checkpoint.json first: it is what --resume reads, so once it is written the checkpoint is at this epoch.
  writeFileAtomic(checkpointFile, checkpointText);
  writeFileAtomic(modelFile, modelText);
}

export function readCheckpoint(dir: string): Checkpoint {
  const file = join(dir, CHECKPOINT_FILE);
  // any (not yet unknown): parsed JSON; each key is checked before use, "settings" per flag by cli/resume-options.ts.
  const j: any = readJsonInput(file, "no checkpoint here (write one with --checkpoint DIR)");
  if (j?.format !== "edgeprop-checkpoint" || j.version !== 1) throw new InputError(file, null, null, `expected "format": "edgeprop-checkpoint", "version": 1`);
  if (!Number.isInteger(j.epoch) || j.epoch < 0) throw new InputError(file, null, null, `"epoch" must be a non-negative integer`);
  if (!Number.isInteger(j.step) || j.step < 0 || j.step > MAX_STEP) {
    throw new InputError(file, null, null, `"step" is ${JSON.stringify(j.step)}: expected an integer from 0 to ${MAX_STEP} (the optimizer steps a board counts)`);
  }
  if (typeof j.settings !== "object" || j.settings === null) throw new InputError(file, null, null, `"settings" must be an object`);
  if (Array.isArray(j.settings)) throw new InputError(file, null, null, `"settings" must be an object`);
  if (typeof j.optimizer_state !== "string") throw new InputError(file, null, null, `"optimizer_state" must be a base64 string`);
  const model = modelFromJson(j.model, file);
  return {
    epoch: j.epoch, step: j.step, settings: j.settings, model,
    optimizer: { step: j.step, state: base64ToF32(j.optimizer_state, file) }, history: historyOf(j.history, j.epoch, file),
    earlyStop: earlyStopOf(j.early_stop, j.epoch, model.weights.length, file),
  };
}

