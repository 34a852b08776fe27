// Checkpoints: after every epoch, `--checkpoint DIR` writes the model, the
// optimizer's state (its tensors, bit-exact, and its step count), the epoch
// and the run's settings, each file atomically. `--resume DIR` reads them back
// and continues the run where it stopped; with per-epoch seeded shuffling the
// resumed run ends with the same weights as an uninterrupted one.
//
//   DIR/checkpoint.json  {"format":"edgeprop-checkpoint","version":1,"epoch":k,
//                         "step":n,"settings":{flags},"model":{edgeprop-model v1},
//                         "optimizer_state":"<base64 little-endian f32>","history":[...]}
//   DIR/model.json       the same model alone (usable with --load, predict, export)
import { readInputText } from "./input-file.js";
import { join } from "node:path";
import { wasGiven, type OptionSpec, type Parsed } from "./args.js";
import type { OptimizerState } from "./boards/board.js";
import type { ModelConfig } from "./config.js";
import { InputError, UsageError } from "./errors.js";
import { modelFromJson, modelToJson, type ModelFile } from "./model-file.js";
import { writeFileAtomic } from "./atomic-write.js";
import type { EpochEvent } from "./session.js";

export const CHECKPOINT_OPTIONS: OptionSpec[] = [
  { name: "checkpoint", kind: "string", value: "DIR", help: "after every epoch, write model + optimizer state + settings to DIR (atomically)" },
  { name: "resume", kind: "string", value: "DIR", help: "continue the run checkpointed in DIR (its settings; give --epochs for the new end)" },
];

/** The flags that describe the run (those declared `persist`), in declaration order. */
function persistedNames(specs: OptionSpec[]): string[] {
  return specs.filter((o) => o.persist).map((o) => o.name);
}

/** The files a checkpoint directory holds. */
export const CHECKPOINT_FILE = "checkpoint.json";
export const CHECKPOINT_MODEL_FILE = "model.json";
export const CHECKPOINT_FILES = [CHECKPOINT_FILE, CHECKPOINT_MODEL_FILE] as const;

export interface Checkpoint {
  epoch: number;
  step: number;
  settings: Record<string, string | number | boolean>;
  model: ModelFile;
  optimizer: OptimizerState;
  history: EpochEvent[];
}

function f32ToBase64(a: Float32Array): string {
  const b = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  return b.toString("base64");
}

function base64ToF32(s: string, file: string): Float32Array {
  const b = Buffer.from(s, "base64");
  if (b.length % 4 !== 0) throw new InputError(file, null, null, "optimizer_state is not a whole number of float32 values");
  const out = new Float32Array(b.length / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

/** The persisted flags of `a` (`specs` declare which), for a checkpoint's "settings". */
export function runSettingsOf(a: Parsed, specs: OptionSpec[]): Record<string, string | number | boolean> {
  const s: Record<string, string | number | boolean> = {};
  for (const k of persistedNames(specs)) {
    const v = a[k];
    if (v !== undefined) s[k] = v;
  }
  return s;
}

export function writeCheckpoint(dir: string, c: { epoch: number; settings: Record<string, string | number | boolean>; model: ModelConfig; weights: Float32Array; optimizer: OptimizerState; history: EpochEvent[] }): void {
  const model = modelToJson(c.model, c.weights);
  writeFileAtomic(join(dir, CHECKPOINT_MODEL_FILE), JSON.stringify(model) + "\n");
  writeFileAtomic(join(dir, CHECKPOINT_FILE), JSON.stringify({
    format: "edgeprop-checkpoint", version: 1, epoch: c.epoch, step: c.optimizer.step,
    settings: c.settings, model, optimizer_state: f32ToBase64(c.optimizer.state), history: c.history,
  }) + "\n");
}

export function readCheckpoint(dir: string): Checkpoint {
  const file = join(dir, CHECKPOINT_FILE);
  const text = readInputText(file, "no checkpoint here (write one with --checkpoint DIR)");
  let j: any;
  try { j = JSON.parse(text); } catch (err) { throw new InputError(file, null, null, `not valid JSON (${(err as Error).message})`); }
  if (j?.format !== "edgeprop-checkpoint" || j.version !== 1) throw new InputError(file, null, null, `expected "format": "edgeprop-checkpoint", "version": 1`);
  if (!Number.isInteger(j.epoch) || j.epoch < 0 || !Number.isInteger(j.step) || j.step < 0) throw new InputError(file, null, null, `"epoch" and "step" must be non-negative integers`);
  if (typeof j.settings !== "object" || j.settings === null) throw new InputError(file, null, null, `"settings" must be an object`);
  if (typeof j.optimizer_state !== "string") throw new InputError(file, null, null, `"optimizer_state" must be a base64 string`);
  return {
    epoch: j.epoch, step: j.step, settings: j.settings, model: modelFromJson(j.model, file),
    optimizer: { step: j.step, state: base64ToF32(j.optimizer_state, file) }, history: Array.isArray(j.history) ? j.history : [],
  };
}

/**
 * The flags of a resumed run: the checkpoint's settings, overridden by any
 * flag given now that differs from its default (so `--resume DIR --epochs 20`
 * changes only the end). `specs` say which flags persist and supply the defaults.
 */
export function mergeResumeArgs(a: Parsed, ck: Checkpoint, specs: OptionSpec[]): Parsed {
  const defaults = new Map(specs.map((s) => [s.name, s.default]));
  const merged: Parsed = { ...a };
  for (const k of persistedNames(specs)) {
    const now = a[k];
    const saved = ck.settings[k];
    // Typed again on this command line: it wins, even when it is the default.
    const given = wasGiven(a, k) ?? (now !== undefined && now !== defaults.get(k));
    if (!given) {
      if (saved === undefined) delete merged[k];
      else merged[k] = saved;
    }
  }
  // Data given now replaces the saved source entirely.
  if (a.data !== undefined && a.data !== ck.settings.data) delete merged.dataset;
  if (a.dataset !== undefined && a.dataset !== ck.settings.dataset) delete merged.data;
  // The model comes from the checkpoint, not from the original --load.
  delete merged.load;
  if (Number(merged.epochs) < ck.epoch) {
    throw new UsageError(`--epochs ${merged.epochs}: the checkpoint in ${a.resume} is already at epoch ${ck.epoch}`);
  }
  return merged;
}
