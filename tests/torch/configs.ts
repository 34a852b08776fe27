// Random training configurations for the PyTorch cross-check, drawn from a
// seed. A configuration is a golden case's case.json (docs/model-format.md)
// plus its data and initial weights, so the same reader
// (tests/helpers/golden.ts caseArgs) turns it into `edgeprop sim` flags and
// scripts/torch_training.py trains it in torch.
//
// Every optimizer, schedule and clipping mode is one entry in a table below:
// a feature the engine gains (frozen layers, ...) is one more entry here, its
// torch constructor in scripts/torch_training.py and its flag in caseArgs.
import { ACTIVATIONS, LOSSES, MAX_LAYERS, type Activation, type LossName } from "../../host/model/config";
import { modelJson, type ModelJson } from "../helpers/model";

export type Rng = () => number;

export interface DrawnRun {
  spec: {
    layers: number[]; act: Activation; loss: LossName; optimizer: Record<string, unknown>;
    batch: number | "full"; epochs: number; schedule?: Record<string, unknown>; clip_norm?: number;
    clip_value?: number;
    /** The first K dense layers frozen (torch: requires_grad_(False), optimizer and clipping over the rest). */
    freeze?: number;
  };
  /** Input rows (float32 values). */
  x: number[][];
  /** Per row: an array of targets (mse, bce) or one class index (ce). */
  y: (number[] | number)[];
  init: ModelJson;
}

const uniform = (r: Rng, lo: number, hi: number) => lo + (hi - lo) * r();
const int = (r: Rng, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1)); // inclusive
const logUniform = (r: Rng, lo: number, hi: number) => Math.exp(uniform(r, Math.log(lo), Math.log(hi)));
const chance = (r: Rng, p: number) => r() < p;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
/** 4 significant digits: short flags, and the same number in JSON, on the CLI and in torch. */
const round = (v: number) => Number(v.toPrecision(4));

/** Optional hyper-parameters: present with probability p, else torch's default applies. */
function maybe(o: Record<string, unknown>, r: Rng, p: number, key: string, draw: () => unknown): void {
  if (chance(r, p)) o[key] = draw();
}

function adamFamily(name: string, r: Rng, weightDecay: () => number): Record<string, unknown> {
  const o: Record<string, unknown> = { name, lr: round(logUniform(r, 1e-3, 3e-2)) };
  maybe(o, r, 0.5, "beta1", () => round(uniform(r, 0.5, 0.95)));
  maybe(o, r, 0.5, "beta2", () => round(uniform(r, 0.9, 0.9999)));
  maybe(o, r, 0.2, "eps", () => round(logUniform(r, 1e-8, 1e-4)));
  maybe(o, r, 0.5, "weight_decay", weightDecay);
  return o;
}

/** One entry per optimizer: draws its torch.optim hyper-parameters (torch's names). */
export const OPTIMIZER_DRAWS: Record<string, (r: Rng) => Record<string, unknown>> = {
  sgd: (r) => {
    const o: Record<string, unknown> = { name: "sgd", lr: round(logUniform(r, 5e-3, 0.2)) };
    if (chance(r, 0.6)) {
      o.momentum = round(uniform(r, 0.1, 0.95));
      if (chance(r, 0.4)) o.nesterov = true;
      else maybe(o, r, 0.5, "dampening", () => round(uniform(r, 0.05, 0.9)));
    }
    maybe(o, r, 0.4, "weight_decay", () => round(logUniform(r, 1e-4, 3e-2)));
    return o;
  },
  adagrad: (r) => {
    const o: Record<string, unknown> = { name: "adagrad", lr: round(logUniform(r, 5e-3, 0.2)) };
    maybe(o, r, 0.4, "lr_decay", () => round(logUniform(r, 1e-3, 0.1)));
    maybe(o, r, 0.4, "initial_accumulator_value", () => round(logUniform(r, 1e-3, 1)));
    maybe(o, r, 0.4, "weight_decay", () => round(logUniform(r, 1e-4, 3e-2)));
    maybe(o, r, 0.2, "eps", () => round(logUniform(r, 1e-10, 1e-6)));
    return o;
  },
  rmsprop: (r) => {
    const o: Record<string, unknown> = { name: "rmsprop", lr: round(logUniform(r, 5e-4, 1e-2)) };
    maybe(o, r, 0.5, "alpha", () => round(uniform(r, 0.8, 0.999)));
    maybe(o, r, 0.5, "centered", () => true);
    maybe(o, r, 0.4, "momentum", () => round(uniform(r, 0.1, 0.9)));
    maybe(o, r, 0.4, "weight_decay", () => round(logUniform(r, 1e-4, 3e-2)));
    maybe(o, r, 0.2, "eps", () => round(logUniform(r, 1e-8, 1e-4)));
    return o;
  },
  adam: (r) => adamFamily("adam", r, () => round(logUniform(r, 1e-4, 3e-2))),
  adamw: (r) => adamFamily("adamw", r, () => round(logUniform(r, 1e-3, 0.2))),
  amsgrad: (r) => chance(r, 0.5)
    ? { ...adamFamily("adam", r, () => round(logUniform(r, 1e-4, 3e-2))), amsgrad: true }
    : { ...adamFamily("adamw", r, () => round(logUniform(r, 1e-3, 0.2))), amsgrad: true },
  nadam: (r) => {
    const o = adamFamily("nadam", r, () => round(logUniform(r, 1e-4, 3e-2)));
    maybe(o, r, 0.5, "momentum_decay", () => round(logUniform(r, 1e-3, 0.1)));
    return o;
  },
  radam: (r) => adamFamily("radam", r, () => round(logUniform(r, 1e-4, 3e-2))),
};

/** One entry per learning-rate schedule (stepped per epoch; onecycle per batch); null: constant. */
export const SCHEDULE_DRAWS: Record<string, (r: Rng, epochs: number, stepsPerEpoch: number) => Record<string, unknown> | null> = {
  constant: () => null,
  step: (r, epochs) => ({ name: "step", step_size: int(r, 1, Math.max(1, epochs - 1)), gamma: round(uniform(r, 0.1, 0.9)) }),
  exponential: (r) => ({ name: "exponential", gamma: round(uniform(r, 0.5, 0.99)) }),
  cosine: (r, epochs) => ({ name: "cosine", t_max: int(r, 1, epochs + 2), ...(chance(r, 0.5) ? { eta_min: 0 } : { eta_min: round(logUniform(r, 1e-5, 1e-3)) }) }),
  multistep: (r, epochs) => {
    const milestones = Array.from({ length: int(r, 1, 3) }, () => int(r, 1, Math.max(1, epochs))).sort((a, b) => a - b);
    return { name: "multistep", milestones, gamma: round(uniform(r, 0.1, 0.9)) };
  },
  warmup_cosine: (r, epochs) => ({
    name: "warmup_cosine", warmup: int(r, 1, Math.max(1, epochs - 1)), start_factor: round(uniform(r, 0.05, 1)),
    t_max: int(r, 1, epochs + 2), eta_min: chance(r, 0.5) ? 0 : round(logUniform(r, 1e-5, 1e-3)),
  }),
  onecycle: (r, epochs, stepsPerEpoch) => {
    // pct_start x total steps = 1 makes torch's first phase 0/0 (ZeroDivisionError): not a run torch can do.
    let pct = round(uniform(r, 0.05, 0.95));
    while (pct * epochs * stepsPerEpoch === 1) pct = round(uniform(r, 0.05, 0.95));
    return {
      name: "onecycle", max_lr: round(logUniform(r, 1e-3, 0.1)), pct_start: pct,
      div_factor: chance(r, 0.5) ? 25 : round(uniform(r, 2, 100)),
      final_div_factor: chance(r, 0.5) ? 10000 : round(logUniform(r, 10, 1e5)), cycle_momentum: false,
    };
  },
  plateau: (r) => ({ name: "plateau", factor: round(uniform(r, 0.1, 0.9)), patience: int(r, 0, 2) }),
};

/** One entry per gradient-clipping mode; null: none. */
export const CLIP_DRAWS: Record<string, (r: Rng) => { clip_norm?: number; clip_value?: number } | null> = {
  none: () => null,
  norm: (r) => ({ clip_norm: round(logUniform(r, 0.05, 2)) }),
  value: (r) => ({ clip_value: round(logUniform(r, 1e-3, 0.5)) }),
};

/** Frozen layers: none (most runs), or 1..L-1 of a model with at least two dense layers. */
export function drawFreeze(r: Rng, layers: number): number {
  return layers >= 2 && chance(r, 0.3) ? int(r, 1, layers - 1) : 0;
}

/** One entry per batching mode: rows per step for `rows` rows. */
export const BATCH_DRAWS: Record<string, (r: Rng, rows: number) => number | "full"> = {
  stochastic: () => 1,
  // consecutive batches whose last one is smaller (needs rows >= 3)
  partial: (r, rows) => {
    for (let tries = 0; tries < 20; tries++) {
      const b = int(r, 2, Math.max(2, rows - 1));
      if (rows % b !== 0) return b;
    }
    return rows > 2 ? rows - 1 : 1;
  },
  full: (r, rows) => (chance(r, 0.5) ? "full" : rows + int(r, 0, 8)),
  any: (r, rows) => int(r, 1, rows),
};

function layerSizes(r: Rng, loss: LossName): number[] {
  const depth = chance(r, 0.1) ? int(r, 5, MAX_LAYERS) : int(r, 1, 4); // dense layers
  const out = loss === "ce" ? int(r, 2, 6) : loss === "bce" ? int(r, 1, 2) : int(r, 1, 3);
  const sizes = [int(r, 1, 6)];
  for (let l = 1; l < depth; l++) sizes.push(int(r, 1, 12));
  sizes.push(out);
  return sizes;
}

/** nn.Linear's default init range, U(-1/sqrt(in), 1/sqrt(in)), in float32. */
function initWeights(r: Rng, sizes: number[], act: Activation, loss: LossName): ModelJson {
  const flat: number[] = [];
  for (let l = 1; l < sizes.length; l++) {
    const bound = 1 / Math.sqrt(sizes[l - 1]);
    for (let k = 0; k < sizes[l] * (sizes[l - 1] + 1); k++) flat.push(Math.fround(uniform(r, -bound, bound)));
  }
  const L = sizes.length - 1;
  return modelJson(sizes, Array.from({ length: L }, (_, l) => (l === L - 1 ? "identity" : act)), loss, flat);
}

function data(r: Rng, rows: number, sizes: number[], loss: LossName): Pick<DrawnRun, "x" | "y"> {
  const nIn = sizes[0], nOut = sizes[sizes.length - 1];
  const scale = uniform(r, 0.5, 2);
  const x = Array.from({ length: rows }, () => Array.from({ length: nIn }, () => Math.fround(uniform(r, -scale, scale))));
  const y = x.map(() => {
    if (loss === "ce") return Math.floor(r() * nOut);
    if (loss === "bce") return Array.from({ length: nOut }, () => (chance(r, 0.5) ? 1 : 0));
    return Array.from({ length: nOut }, () => Math.fround(uniform(r, -1, 1)));
  });
  return { x, y };
}

/** One random run. Every choice is drawn from `r`, so a seed replays it exactly. */
export function drawRun(r: Rng): DrawnRun {
  const loss = pick(r, LOSSES);
  const act = pick(r, ACTIVATIONS);
  const sizes = layerSizes(r, loss);
  const epochs = int(r, 1, 6);
  const batchMode = pick(r, Object.keys(BATCH_DRAWS));
  const rows = batchMode === "partial" ? int(r, 3, 40) : int(r, 1, 40);
  const batch = BATCH_DRAWS[batchMode](r, rows);
  const optimizer = OPTIMIZER_DRAWS[pick(r, Object.keys(OPTIMIZER_DRAWS))](r);
  const perBatch = batch === "full" ? rows : Math.min(batch, rows);
  const schedule = SCHEDULE_DRAWS[pick(r, Object.keys(SCHEDULE_DRAWS))](r, epochs, Math.ceil(rows / perBatch));
  const clip = CLIP_DRAWS[pick(r, Object.keys(CLIP_DRAWS))](r);
  const spec: DrawnRun["spec"] = { layers: sizes, act, loss, optimizer, batch, epochs };
  if (schedule) spec.schedule = schedule;
  if (clip !== null) Object.assign(spec, clip);
  const freeze = drawFreeze(r, sizes.length - 1);
  if (freeze > 0) spec.freeze = freeze;
  return { spec, ...data(r, rows, sizes, loss), init: initWeights(r, sizes, act, loss) };
}

/** data.csv for a run: x0.., then y / y0.. (mse, bce) or label (ce). */
export function dataCsv(run: DrawnRun): string {
  const nIn = run.spec.layers[0], nOut = run.spec.layers[run.spec.layers.length - 1];
  const targets = run.spec.loss === "ce" ? ["label"] : nOut === 1 ? ["y"] : Array.from({ length: nOut }, (_, k) => `y${k}`);
  const header = [...Array.from({ length: nIn }, (_, i) => `x${i}`), ...targets].join(",");
  const lines = run.x.map((row, i) => [...row, ...(Array.isArray(run.y[i]) ? run.y[i] as number[] : [run.y[i] as number])].join(","));
  return [header, ...lines].join("\n") + "\n";
}
