// The edgeprop-model v1 JSON format (docs/model-format.md): layers with
// PyTorch nn.Linear layout (weight [out][in], bias [out]) and activations.
// Weights travel as one flat Float32Array in the module's parameter order:
// layer by layer, weight rows then bias.
import { readJsonInput } from "../files/json-input.js";
import { InputError } from "../errors.js";
import { ACTIVATIONS, LOSSES, MAX_LAYERS, optimizerDefaults, type Activation, type LossName, type ModelConfig } from "./config.js";
import { writeFileAtomic } from "../files/atomic-write.js";
import { computePlan } from "./plan.js";
import { moduleMemoryBytes, moduleStaticBytes } from "../boards/engine.js";
import { cut } from "../text/quote.js";
import { encodedWidth, MISSING_POLICIES, type MissingRule, type OneHotColumn, type TargetScaling } from "./preprocessing.js";

/** Layer widths travel as u16 in the configuration block (docs/protocol.md). */
export const MAX_WIDTH = 65535;
/** The largest magnitude a float32 holds: a weight beyond it would load as Infinity. */
export const FLOAT32_MAX = 3.4028234663852886e38;

const isFloat32 = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && Math.abs(v) <= FLOAT32_MAX;
const shown = (v: unknown) => cut(typeof v === "number" ? String(v) : JSON.stringify(v) ?? String(v), 40);

/** Parsed JSON, read key by key: nothing is assumed of a value until it is checked. */
type JsonObject = { readonly [key: string]: unknown };
const isObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);
const isArray = (v: unknown): v is readonly unknown[] => Array.isArray(v);
const isOneOf = <T extends string>(names: readonly T[], v: unknown): v is T => (names as readonly unknown[]).includes(v);

/**
 * What a model file may carry beside its layers (docs/model-format.md), all
 * optional: a file without them is the plain v1 format and still loads.
 * JSON names: "inputs", "targets", "classes", "normalization" {"kind": "zscore", "mean", "std"}, "best_epoch",
 * "categorical" {column: [categories]}, "missing" {"policy", "mean"}, "target_normalization" {"kind": "zscore", "mean", "std"}.
 */
export interface ModelExtras {
  /** The input column names, in the order of the first layer's inputs (a model trained on a CSV): files are read by these names. */
  inputs?: string[];
  /** The target column names (one for ce): predict finds the targets without --target. */
  targets?: string[];
  /** ce: the class label of each output index (string labels, or --classes). */
  classes?: string[];
  /** --normalize: applied to raw inputs before the first layer, (x - mean) / std in float32. */
  normalization?: { mean: number[]; std: number[] };
  /** --early-stop: the epoch whose weights these are. */
  bestEpoch?: number;
  /** --categorical: the input columns one-hot encoded, in the order of `inputs`, each with its categories (the one-hot order). */
  categorical?: OneHotColumn[];
  /** --missing drop or mean: what the model does with a missing value (mean: one float32 per first-layer input). */
  missing?: MissingRule;
  /** --normalize-target (mse): trained on z-scored targets; its outputs are scaled back, y * std + mean in float32. */
  targetScaling?: TargetScaling;
}

export interface ModelFile extends ModelConfig, ModelExtras {
  weights: Float32Array;
  extra?: Record<string, unknown>;
}

export function readModel(file: string): ModelFile {
  return modelFromJson(readJsonInput(file), file);
}

export function modelFromJson(json: unknown, file = "<model>"): ModelFile {
  const bad = (what: string) => new InputError(file, null, null, what);
  if (!isObject(json) || json.format !== "edgeprop-model") throw bad(`expected "format": "edgeprop-model"`);
  if (json.version !== 1) throw bad(`expected "version": 1, got ${JSON.stringify(json.version)}`);
  const loss = json.loss;
  if (!isOneOf(LOSSES, loss)) throw bad(`"loss" must be one of ${LOSSES.join(", ")}`);
  const layers = json.layers;
  if (!isArray(layers) || layers.length === 0) throw bad(`"layers" must be a non-empty array`);
  if (layers.length > MAX_LAYERS) throw bad(`"layers" has ${layers.length} layers; the module takes at most ${MAX_LAYERS}`);
  const sizes: number[] = [];
  const activations: Activation[] = [];
  const flat: number[] = [];
  const isWidth = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n) && n >= 1 && n <= MAX_WIDTH;
  layers.forEach((layer: unknown, l: number) => {
    const at = `layers[${l}]`;
    if (!isObject(layer) || layer.type !== "dense") throw bad(`${at}.type must be "dense"`);
    const nIn = layer.in, nOut = layer.out;
    if (!isWidth(nIn)) throw bad(`${at}.in is ${shown(nIn)}: expected an integer from 1 to ${MAX_WIDTH}`);
    if (!isWidth(nOut)) throw bad(`${at}.out is ${shown(nOut)}: expected an integer from 1 to ${MAX_WIDTH}`);
    if (l === 0) sizes.push(nIn);
    else if (nIn !== sizes[l]) throw bad(`${at}.in is ${nIn}, but the layer before has ${sizes[l]} outputs`);
    sizes.push(nOut);
    const act = layer.activation ?? "identity";
    if (!isOneOf(ACTIVATIONS, act)) throw bad(`${at}.activation must be one of ${ACTIVATIONS.join(", ")}`);
    activations.push(act);
    const weight = layer.weight;
    if (!isArray(weight) || weight.length !== nOut) throw bad(`${at}.weight must have ${nOut} rows`);
    weight.forEach((row: unknown, j: number) => {
      if (!isArray(row) || row.length !== nIn) throw bad(`${at}.weight[${j}] must have ${nIn} numbers`);
      row.forEach((v: unknown, i: number) => {
        if (!isFloat32(v)) throw bad(`${at}.weight[${j}][${i}] is ${shown(v)}: expected a finite float32 number (|x| <= ${FLOAT32_MAX})`);
        flat.push(v);
      });
    });
    const bias = layer.bias;
    if (!isArray(bias) || bias.length !== nOut) throw bad(`${at}.bias must have ${nOut} numbers`);
    bias.forEach((v: unknown, j: number) => {
      if (!isFloat32(v)) throw bad(`${at}.bias[${j}] is ${shown(v)}: expected a finite float32 number (|x| <= ${FLOAT32_MAX})`);
      flat.push(v);
    });
  });
  checkPlannable(sizes, loss, activations, bad);
  return { sizes, activations, loss, weights: Float32Array.from(flat), ...extrasFromJson(json, sizes, bad) };
}

/** The optional keys of a model file (docs/model-format.md), checked against the layers. */
function extrasFromJson(json: JsonObject, sizes: number[], bad: (what: string) => Error): ModelExtras {
  const extras: ModelExtras = {};
  const nIn = sizes[0], nOut = sizes[sizes.length - 1];
  const names = (key: "inputs" | "targets", count: number, what: string): string[] => {
    const a = json[key];
    if (!isArray(a)) throw bad(`"${key}" must be an array of column names (strings), got ${shown(a)}`);
    if (a.length !== count) throw bad(`"${key}" has ${a.length} column names but the model has ${count} ${what}`);
    const seen = new Map<string, number>();
    return a.map((v: unknown, i: number) => {
      if (typeof v !== "string" || v === "") throw bad(`${key}[${i}] is ${shown(v)}: expected a non-empty string (a column name)`);
      const first = seen.get(v);
      if (first !== undefined) throw bad(`${key}[${i}] is ${shown(v)}, as ${key}[${first}] is: each column once`);
      seen.set(v, i);
      return v;
    });
  };
  if (json.categorical !== undefined) {
    const c = json.categorical;
    if (!isObject(c)) throw bad(`"categorical" must be an object {"column": ["category", ...], ...}, got ${shown(c)}`);
    if (!isArray(json.inputs)) throw bad(`"categorical" needs "inputs" (the input column names)`);
    const inputs = json.inputs;
    const columns: OneHotColumn[] = [];
    for (const column of Object.keys(c)) {
      if (!inputs.includes(column)) throw bad(`categorical: '${cut(column)}' is not one of "inputs"`);
      const cats = c[column];
      if (!isArray(cats) || cats.length === 0) throw bad(`categorical.${cut(column)} must be a non-empty array of category names`);
      const seen = new Set<string>();
      const categories = cats.map((v: unknown, i: number) => {
        if (typeof v !== "string") throw bad(`categorical.${cut(column)}[${i}] is ${shown(v)}: expected a string (a category's name)`);
        if (seen.has(v)) throw bad(`categorical.${cut(column)}[${i}] is ${shown(v)}: each category once`);
        seen.add(v);
        return v;
      });
      columns.push({ column, categories });
    }
    // In the inputs' order: the one-hot inputs stand where their column stands.
    columns.sort((a, b) => inputs.indexOf(a.column) - inputs.indexOf(b.column));
    extras.categorical = columns;
  }
  if (json.inputs !== undefined) {
    if (!isArray(json.inputs)) names("inputs", nIn, "inputs");
    const raw = isArray(json.inputs) ? json.inputs.length : 0;
    const width = extras.categorical ? encodedWidth(json.inputs as string[], extras.categorical) : raw;
    if (width !== nIn) {
      throw bad(`"inputs" has ${raw} column names${extras.categorical ? `, ${width} inputs with the one-hot ones of "categorical",` : ""} but the model has ${nIn} inputs`);
    }
    extras.inputs = names("inputs", raw, "input columns");
  }
  if (json.missing !== undefined) {
    const m = json.missing;
    if (!isObject(m) || !isOneOf(MISSING_POLICIES, m.policy)) throw bad(`"missing" must be {"policy": ${MISSING_POLICIES.map((p) => `"${p}"`).join(" | ")}, ...}`);
    if (m.policy === "mean") {
      const a = m.mean;
      if (!isArray(a) || a.length !== nIn) throw bad(`missing.mean must have ${nIn} numbers (one per input)`);
      extras.missing = { policy: "mean", mean: a.map((v: unknown, i: number) => {
        if (!isFloat32(v)) throw bad(`missing.mean[${i}] is ${shown(v)}: expected a finite float32 number (|x| <= ${FLOAT32_MAX})`);
        return Math.fround(v);
      }) };
    } else {
      extras.missing = { policy: m.policy };
    }
  }
  if (json.targets !== undefined) {
    const targets = names("targets", json.loss === "ce" ? 1 : nOut, json.loss === "ce" ? "target columns (ce: one class-label column)" : "outputs");
    const both = targets.find((t) => extras.inputs?.includes(t));
    if (both !== undefined) throw bad(`targets: '${cut(both)}' is also one of "inputs"`);
    extras.targets = targets;
  }
  if (json.classes !== undefined) {
    const c = json.classes;
    if (!isArray(c)) throw bad(`"classes" must be an array of class labels (strings), got ${shown(c)}`);
    if (json.loss !== "ce") throw bad(`"classes" applies to loss "ce" (this model's loss is "${json.loss}")`);
    if (c.length !== nOut) throw bad(`"classes" has ${c.length} labels but the last layer has ${nOut} outputs`);
    const seen = new Map<string, number>();
    const labels: string[] = [];
    c.forEach((v: unknown, i: number) => {
      if (typeof v !== "string" || v === "") throw bad(`classes[${i}] is ${shown(v)}: expected a non-empty string`);
      const first = seen.get(v);
      if (first !== undefined) throw bad(`classes[${i}] is ${shown(v)}, as classes[${first}] is: each class label once`);
      seen.set(v, i);
      labels.push(v);
    });
    extras.classes = labels;
  }
  if (json.normalization !== undefined) {
    const z = json.normalization;
    if (!isObject(z)) throw bad(`"normalization" must be an object {"kind": "zscore", "mean": [...], "std": [...]}`);
    if (z.kind !== "zscore") throw bad(`normalization.kind is ${shown(z.kind)}: expected "zscore"`);
    const floats = (key: "mean" | "std"): number[] => {
      const a = z[key];
      if (!isArray(a) || a.length !== nIn) throw bad(`normalization.${key} must have ${nIn} numbers (one per input)`);
      return a.map((v: unknown, i: number) => {
        if (!isFloat32(v)) throw bad(`normalization.${key}[${i}] is ${shown(v)}: expected a finite float32 number (|x| <= ${FLOAT32_MAX})`);
        const f = Math.fround(v);
        if (key === "std" && !(f > 0)) throw bad(`normalization.std[${i}] is ${shown(v)}: expected a float32 number > 0 (a constant input has std 1)`);
        return f;
      });
    };
    extras.normalization = { mean: floats("mean"), std: floats("std") };
  }
  if (json.target_normalization !== undefined) {
    const z = json.target_normalization;
    if (!isObject(z) || z.kind !== "zscore") throw bad(`"target_normalization" must be {"kind": "zscore", "mean": [...], "std": [...]}`);
    if (json.loss !== "mse") throw bad(`"target_normalization" applies to loss "mse" (this model's loss is "${json.loss}")`);
    const floats = (key: "mean" | "std"): number[] => {
      const a = z[key];
      if (!isArray(a) || a.length !== nOut) throw bad(`target_normalization.${key} must have ${nOut} numbers (one per output)`);
      return a.map((v: unknown, i: number) => {
        if (!isFloat32(v)) throw bad(`target_normalization.${key}[${i}] is ${shown(v)}: expected a finite float32 number (|x| <= ${FLOAT32_MAX})`);
        const f = Math.fround(v);
        if (key === "std" && !(f > 0)) throw bad(`target_normalization.std[${i}] is ${shown(v)}: expected a float32 number > 0`);
        return f;
      });
    };
    extras.targetScaling = { mean: floats("mean"), std: floats("std") };
  }
  if (json.best_epoch !== undefined) {
    const e = json.best_epoch;
    if (typeof e !== "number" || !Number.isInteger(e) || e < 1) throw bad(`"best_epoch" is ${shown(e)}: expected a positive integer (the epoch whose weights these are)`);
    extras.bestEpoch = e;
  }
  return extras;
}

/** The optional keys as JSON, under their file names (only those that are set). */
function extrasToJson(extras: ModelExtras): Record<string, unknown> {
  const j: Record<string, unknown> = {};
  if (extras.inputs) j.inputs = [...extras.inputs];
  if (extras.targets) j.targets = [...extras.targets];
  if (extras.classes) j.classes = [...extras.classes];
  if (extras.normalization) {
    j.normalization = { kind: "zscore", mean: extras.normalization.mean.map(Math.fround), std: extras.normalization.std.map(Math.fround) };
  }
  if (extras.categorical && extras.categorical.length > 0) {
    j.categorical = Object.fromEntries(extras.categorical.map((c) => [c.column, [...c.categories]]));
  }
  if (extras.missing && extras.missing.policy !== "error") {
    j.missing = extras.missing.policy === "mean" ? { policy: "mean", mean: extras.missing.mean.map(Math.fround) } : { policy: extras.missing.policy };
  }
  if (extras.targetScaling) {
    j.target_normalization = { kind: "zscore", mean: extras.targetScaling.mean.map(Math.fround), std: extras.targetScaling.std.map(Math.fround) };
  }
  if (extras.bestEpoch !== undefined) j.best_epoch = extras.bestEpoch;
  return j;
}

/**
 * The smallest run of this model (plain SGD, one row at a time) must fit the
 * module's memory: a model the module cannot plan cannot be trained,
 * evaluated or checked on a board.
 */
function checkPlannable(sizes: number[], loss: LossName, activations: Activation[], bad: (what: string) => Error): void {
  const plan = computePlan({
    sizes, activations, loss, optimizer: optimizerDefaults("sgd"), clipNorm: 0, init: "pytorch", seed: 1, chunk: 1,
  }, moduleStaticBytes());
  const memory = moduleMemoryBytes();
  if (plan.total_bytes > memory) {
    throw bad(`"layers" ${sizes.join(",")}: the model needs ${plan.total_bytes} bytes on the board even one row at a time with plain SGD; ` +
      `the module has ${memory}`);
  }
}

/** The model as edgeprop-model v1 JSON; `extras` (classes, normalization, best epoch) are written when set. */
export function modelToJson(m: ModelConfig, weights: Float32Array, extras: ModelExtras = {}): object {
  let p = 0;
  const layers = [];
  for (let l = 1; l < m.sizes.length; l++) {
    const nIn = m.sizes[l - 1], nOut = m.sizes[l];
    const weight: number[][] = [];
    for (let j = 0; j < nOut; j++) weight.push(Array.from(weights.subarray(p + j * nIn, p + (j + 1) * nIn)));
    p += nIn * nOut;
    const bias = Array.from(weights.subarray(p, p + nOut));
    p += nOut;
    layers.push({ type: "dense", in: nIn, out: nOut, activation: m.activations[l - 1], weight, bias });
  }
  return { format: "edgeprop-model", version: 1, loss: m.loss, ...extrasToJson(extras), layers };
}

/**
 * A model with a NaN or infinite number reached a writer: a diverged model
 * (exit 3). The run catches divergence before it writes; this is the last
 * guard, so that no file ever holds the `null` JSON.stringify makes of NaN.
 */
export class NonFiniteModelError extends Error {
  readonly exitCode = 3;
}

/**
 * `value` as JSON, refusing any number that is not finite (JSON has no NaN
 * or Infinity: JSON.stringify would write null, a file no reader loads back).
 * Every model file and checkpoint is written through this, and `arrays` (the
 * float32 tensors a file carries as base64) are checked as well.
 */
export function finiteJson(value: unknown, file: string, arrays: readonly [string, Float32Array | null | undefined][] = []): string {
  for (const [what, a] of arrays) {
    const bad = a ? a.findIndex((v) => !Number.isFinite(v)) : -1;
    if (a && bad >= 0) throw new NonFiniteModelError(`refusing to write ${file}: ${what} value ${bad} is ${a[bad]} (the model diverged)`);
  }
  return JSON.stringify(value, (key, v: unknown) => {
    if (typeof v === "number" && !Number.isFinite(v)) {
      throw new NonFiniteModelError(`refusing to write ${file}: ${key === "" ? "a value" : `"${key}"`} holds ${v} (the model diverged)`);
    }
    return v;
  }) + "\n";
}

export function writeModel(file: string, m: ModelConfig, weights: Float32Array, extras: ModelExtras = {}): void {
  writeFileAtomic(file, finiteJson(modelToJson(m, weights, extras), file, [["weight", weights]]));
}
