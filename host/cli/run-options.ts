// The options every training command shares (sim, train, compare, plan), and
// how they become a typed run (RunSpec: settings, data, outputs), once, at the
// command layer.
import { HELP_OPTION, wasGiven, type OptionSpec, type Parsed } from "./args.js";
import { UsageError } from "../errors.js";
import {
  ACTIVATIONS, INITS, INT16_HIDDEN_ACTIVATIONS, LOSSES, MAX_LAYERS, PRECISIONS, OPTIMIZER_CHOICES, optimizerDefaults,
  type Activation, type InitName, type LossName, type OptimizerConfig, type RunConfig,
} from "../model/config.js";
import { OPTIMIZER_FIELDS, type OptimizerField } from "../model/optimizer-fields.js";
import { oneCycleProblem, parseSchedule, SCHEDULE_SYNTAX } from "../run/schedule.js";
import { DEFAULT_CHUNK, largestChunk } from "../model/plan.js";
import { loadProfile } from "../firmware/profiles.js";
import { moduleStaticBytes } from "../boards/engine.js";
import { MAX_WIDTH, readModel, type ModelFile } from "../model/model-file.js";
import { cut, cutList } from "../text/quote.js";
import { findDataset } from "../data/datasets.js";
import { CHECKPOINT_OPTIONS, mergeResumeArgs, runSettingsOf } from "./resume-options.js";
import { CHECKPOINT_FILES, MAX_STEP, checkOptimizerState, readCheckpoint, type Checkpoint } from "../run/checkpoint.js";
import { LINK_OPTIONS } from "./link-flags.js";
import { checkAgainstModel, type DataFileOptions, type Dataset } from "../data/dataset.js";
import { loadLine } from "../progress/load-line.js";
import { refuseResidentEarly } from "./resident-check.js";
import { readRunData, readValidationFile, type RunData } from "../data/run-data.js";
import { splitValidation } from "../data/validation-split.js";
import { MISSING_POLICIES, type MissingPolicy } from "../model/preprocessing.js";
import { fillMissing, inputMeans } from "../data/missing.js";
import { normalizeRows, scaleWarning, zscoreStats } from "../data/normalization.js";
import { optimizerStateFloats } from "../model/plan.js";
import { checkOutputDirectory, checkOutputFile } from "../files/output-path.js";
import type { DataSource, ResumeOverride, RunOutputs, RunSettings, RunSpec, ValidationSource } from "../run/run-spec.js";

export type { RunSettings } from "../run/run-spec.js";

/** The most epochs a run takes (--epochs; a checkpoint's "epochs" setting is held to it too). */
export const MAX_EPOCHS = 1_000_000;

/** Where a run's rows come from (--data or --dataset) and its validation rows. */
export const DATA_OPTIONS: OptionSpec[] = [
  { name: "data", kind: "string", persist: true, onResume: "fixed", value: "FILE.csv", help: "training data: CSV with a header row" },
  { name: "dataset", kind: "string", persist: true, onResume: "fixed", value: "NAME", help: "a built-in data set instead of --data: randn, xor, spiral, sine, iris (see 'edgeprop datasets')" },
  { name: "data-seed", kind: "int", persist: true, onResume: "fixed", min: 0, default: 1, help: "seed of the --dataset generator (independent of --seed)" },
  { name: "target", kind: "string", persist: true, onResume: "fixed", value: "COLS", help: "target column name(s), comma-separated (default: the last column)" },
  { name: "inputs", kind: "string", persist: true, onResume: "fixed", value: "COLS", help: "the input columns, comma-separated (default: every column but the targets and --drop)" },
  { name: "drop", kind: "string", persist: true, onResume: "fixed", value: "COLS", help: "columns that are not inputs (an id, a date, a note), comma-separated" },
  { name: "categorical", kind: "string", persist: true, onResume: "fixed", value: "COLS", help: "input columns of categories (text or codes), one-hot encoded: one 0/1 input per category of the training file, sorted; stored in the model" },
  { name: "missing", kind: "string", persist: true, onResume: "fixed", choices: [...MISSING_POLICIES], help: "a missing value (NA, NaN, null, None, an empty field, as pandas reads them): error (the default), drop the row, or mean: the training rows' mean of the input (stored in the model)" },
  { name: "delimiter", kind: "string", persist: true, onResume: "fixed", value: "C", help: "field separator of --data/--val: ',', ';' or tab (default: detected from the header)" },
  { name: "classes", kind: "string", persist: true, onResume: "fixed", value: "A,B,...", help: "ce: the class labels in index order (default: the labels found, sorted)" },
  { name: "val", kind: "string", persist: true, onResume: "fixed", value: "FILE.csv", help: "held-out data, evaluated after every epoch (same columns as --data)" },
  { name: "val-split", kind: "number", persist: true, onResume: "fixed", min: 0, max: 0.9, help: "hold out this fraction of the training rows (seeded by --seed; stratified for ce)" },
  { name: "normalize", kind: "flag", persist: true, onResume: "fixed", help: "z-score the inputs with the training rows' mean and std; stored in the model and applied on the board" },
  { name: "normalize-target", kind: "flag", persist: true, onResume: "fixed", help: "mse: z-score each target column with the training rows' mean and std (stored in the model); predict, eval and the C header scale outputs back, and losses are in the targets' units" },
];

export const MODEL_OPTIONS: OptionSpec[] = [
  { name: "layers", kind: "string", persist: true, onResume: "fixed", value: "N,N,...", help: "layer sizes, input first (e.g. 10,32,1); from --load if given" },
  { name: "hidden", kind: "string", persist: true, onResume: "fixed", value: "N,N,...", help: "hidden layer sizes only (e.g. 16,16): the input and output widths come from the data" },
  { name: "act", kind: "string", persist: true, onResume: "fixed", choices: [...ACTIVATIONS], default: "relu", help: "hidden activation (the last layer is identity)" },
  { name: "loss", kind: "string", persist: true, onResume: "fixed", choices: [...LOSSES], help: "mse, ce (softmax cross-entropy, class labels) or bce (sigmoid, 0/1 targets); from --load if given" },
  { name: "freeze", kind: "int", persist: true, onResume: "fixed", min: 0, default: 0, help: "fine-tuning: keep the first K dense layers fixed (no gradients or optimizer memory for them)" },
  { name: "precision", kind: "string", persist: true, onResume: "fixed", choices: [...PRECISIONS], default: "f32", help: "f32, or int16: integer forward and backward passes with a float32 optimizer, for boards without an FPU (docs/int16.md)" },
];

/** An optimizer flag: `sets` names the OptimizerConfig field its value goes to (resolveRun reads this table, nothing else). */
export interface OptimizerOptionSpec extends OptionSpec {
  sets?: keyof Omit<OptimizerConfig, "name">;
}

/**
 * A hyper-parameter's flag, from its row (optimizer-fields.ts). Its default is
 * shown, and parsed in, only where no --opt choice has its own (lr, eps, ...
 * follow the choice).
 */
function optimizerFieldOption(f: OptimizerField): OptimizerOptionSpec {
  const flag = typeof f.default === "boolean";
  return {
    name: f.flag, sets: f.key as OptimizerOptionSpec["sets"], kind: flag ? "flag" : "number", persist: true, onResume: f.onResume,
    ...(flag ? {} : { min: 0 }), help: f.help, ...(flag || f.byChoice ? {} : { default: f.default }),
  };
}

export const OPTIMIZER_OPTIONS: OptimizerOptionSpec[] = [
  { name: "opt", kind: "string", persist: true, onResume: "fixed", choices: [...OPTIMIZER_CHOICES], default: "sgd", help: "optimizer, as torch.optim (momentum = sgd with momentum 0.9; nadam, radam as torch 1.13)" },
  ...OPTIMIZER_FIELDS.map(optimizerFieldOption),
  {
    name: "schedule", kind: "string", persist: true, onResume: "retune", value: SCHEDULE_SYNTAX,
    help: "learning-rate schedule as torch.optim.lr_scheduler: StepLR, ExponentialLR, CosineAnnealingLR, MultiStepLR, "
      + "warm-up (LinearLR, N epochs from START x lr, default 1/3) then CosineAnnealingLR (SequentialLR), stepped per epoch; "
      + "OneCycleLR (pct_start 0.3, div 25, final_div 1e4, cos, cycle_momentum off; lr ignored) stepped per batch; "
      + "ReduceLROnPlateau (mode min, factor 0.1, patience 10, threshold 1e-4 rel, cooldown 0, min_lr 0) on each epoch's training loss "
      + "(the validation loss once there is validation data)",
  },
  { name: "clip-norm", kind: "number", persist: true, onResume: "retune", min: 0, help: "clip the global gradient L2 norm (clip_grad_norm_)" },
  { name: "clip-value", kind: "number", persist: true, onResume: "retune", min: 0, help: "clamp each gradient element to [-X, X] (clip_grad_value_; after --clip-norm if both)" },
];

export const TRAINING_OPTIONS: OptionSpec[] = [
  { name: "batch", kind: "string", persist: true, value: "N|full", default: "32", help: "rows per optimizer step: 1 = stochastic, full = batch gradient descent" },
  { name: "epochs", kind: "int", persist: true, min: 1, max: MAX_EPOCHS, default: 10, help: "passes over the data" },
  { name: "chunk", kind: "int", persist: true, min: 1, help: `rows the board holds at once (default: min(batch, ${DEFAULT_CHUNK}), or what the board fits)` },
  { name: "shuffle", kind: "flag", persist: true, negatable: true, help: "shuffle the rows each epoch (seeded by --seed, as Keras' fit does); --no-shuffle keeps file order", default: true },
  { name: "seed", kind: "int", persist: true, onResume: "fixed", min: 0, default: 1, help: "seed for initial weights and shuffling" },
  { name: "init", kind: "string", persist: true, onResume: "fixed", choices: [...INITS], default: "pytorch", help: "initial weights: pytorch (nn.Linear default), xavier, he" },
  { name: "early-stop", kind: "int", persist: true, onResume: "fixed", min: 1, value: "PATIENCE", help: "stop after PATIENCE epochs without a better validation loss; the best epoch's model is kept" },
  { name: "min-delta", kind: "number", persist: true, onResume: "fixed", min: 0, default: 0, help: "--early-stop: the least decrease of the validation loss that counts as better" },
  { name: "resident", kind: "flag", help: "upload the data to the board once, then train from its sample store (no rows on the line after that)" },
];

/** Output options every training command shares (sim, train). */
export const OUTPUT_OPTIONS: OptionSpec[] = [
  { name: "load", kind: "string", persist: true, onResume: "fixed", value: "MODEL.json", help: "start from these weights (edgeprop-model v1; also gives layers and activations)" },
  { name: "save", kind: "string", value: "MODEL.json", help: "write the trained model here (atomically)" },
  ...CHECKPOINT_OPTIONS,
  { name: "report", kind: "string", value: "FILE.html", help: "write a self-contained HTML report (loss curve, gradient norms, run table)" },
  { name: "json", kind: "flag", help: "print one JSON event per line (no live view)" },
  { name: "quiet", kind: "flag", help: "print only the final result line (no progress, no live view)" },
];

/** Every flag that describes a run, in the order a checkpoint saves the persisted ones. */
export const RUN_SPECS: OptionSpec[] = [...DATA_OPTIONS, ...MODEL_OPTIONS, ...OPTIMIZER_OPTIONS, ...TRAINING_OPTIONS, ...OUTPUT_OPTIONS];

/** The flags of a run on a simulated board: what `sim` takes, and what a program embedding the library parses. */
export const SIM_OPTIONS: OptionSpec[] = [
  ...DATA_OPTIONS,
  ...MODEL_OPTIONS, ...OPTIMIZER_OPTIONS, ...TRAINING_OPTIONS,
  ...OUTPUT_OPTIONS,
  ...LINK_OPTIONS,
  HELP_OPTION,
];

function parseLayers(text: string): number[] {
  const shown = cut(text);
  const fields = text.split(",").map((s) => s.trim());
  if (fields.length < 2) throw new UsageError(`--layers ${shown}: expected at least two sizes, input first (e.g. 10,32,1)`);
  const sizes = fields.map(Number);
  const bad = sizes.findIndex((n, i) => fields[i] === "" || !Number.isInteger(n) || n < 1 || n > MAX_WIDTH);
  if (bad >= 0) {
    throw new UsageError(`--layers ${shown}: size ${bad + 1} is '${cut(fields[bad], 20)}'; each size is an integer from 1 to ${MAX_WIDTH} (e.g. 10,32,1)`);
  }
  if (sizes.length - 1 > MAX_LAYERS) throw new UsageError(`--layers ${shown}: at most ${MAX_LAYERS} dense layers`);
  return sizes;
}

/** --hidden: the hidden layer sizes alone, each an integer from 1 to MAX_WIDTH. */
function parseHidden(text: string): number[] {
  const fields = text.split(",").map((s) => s.trim());
  const sizes = fields.map(Number);
  const bad = sizes.findIndex((n, i) => fields[i] === "" || !Number.isInteger(n) || n < 1 || n > MAX_WIDTH);
  if (bad >= 0) throw new UsageError(`--hidden ${cut(text)}: size ${bad + 1} is '${cut(fields[bad] ?? "", 20)}'; each size is an integer from 1 to ${MAX_WIDTH} (e.g. 16,16)`);
  if (sizes.length + 1 > MAX_LAYERS) throw new UsageError(`--hidden ${cut(text)}: at most ${MAX_LAYERS - 1} hidden layers`);
  return sizes;
}

/** The model's output width the data asks for: ce one per class (the labels found, or the largest class number + 1), else one per target. */
function outputWidth(data: Dataset, loss: LossName): number {
  if (loss !== "ce") return data.nT;
  if (data.classes) return data.classes.length;
  let top = 0;
  for (let r = 0; r < data.rows; r++) top = Math.max(top, data.t[r] ?? 0);
  return Number.isInteger(top) ? top + 1 : 2;
}

/**
 * The run that evaluates a saved model `chunk` rows at a time (eval): its
 * shape, torch's SGD defaults (never stepped), nothing to resolve from flags.
 */
export function evaluationRun(model: ModelFile, chunk: number, rows: number): RunSettings {
  if (model.loss === "ce" && model.sizes[model.sizes.length - 1] < 2) throw new UsageError("ce needs at least 2 outputs (one per class)");
  if (chunk > 65535) throw new UsageError("--chunk: at most 65535 rows");
  const run: RunConfig = {
    sizes: model.sizes, activations: model.activations, loss: model.loss, optimizer: optimizerDefaults("sgd"),
    clipNorm: 0, init: "pytorch", seed: 1, chunk,
  };
  return {
    run, batch: Math.min(chunk, rows), batchText: String(chunk), epochs: 1, shuffle: false, schedule: parseSchedule(undefined), earlyStop: null,
  };
}

/**
 * What a command changes of its flags for one run of several (compare: one
 * optimizer or batch size of its lists), typed rather than written into the flags.
 */
export interface RunVariant {
  /** The optimizer instead of --opt. */
  opt?: string;
  /** The batch size instead of --batch. */
  batch?: string;
}

/**
 * Builds the run from flags; `rows` resolves --batch full; `loaded` supplies the model.
 * A command without --init, --seed or --epochs (plan) gets the defaults that do not change a plan.
 */
export function resolveRun(a: Parsed, rows: number | null, loaded: ModelFile | null, variant: RunVariant = {}, data?: Dataset): RunSettings {
  let sizes: number[];
  let activations: Activation[];
  let loss: LossName;
  if (a.hidden !== undefined && a.layers !== undefined) {
    throw new UsageError(`--hidden ${cut(String(a.hidden))} and --layers ${cut(String(a.layers))}: give one (--hidden takes the widths in and out from the data)`);
  }
  if (loaded && a.hidden !== undefined) {
    const hidden = parseHidden(String(a.hidden));
    if (hidden.join(",") !== loaded.sizes.slice(1, -1).join(",")) {
      throw new UsageError(`--hidden ${cut(String(a.hidden))} does not match the loaded model's hidden layers (${loaded.sizes.slice(1, -1).join(",") || "none"})`);
    }
  }
  if (loaded) {
    sizes = loaded.sizes;
    activations = loaded.activations;
    loss = (a.loss as LossName) ?? loaded.loss;
    if (a.layers && String(a.layers) !== sizes.join(",")) {
      throw new UsageError(`--layers ${cut(String(a.layers))} does not match the loaded model's ${sizes.join(",")}`);
    }
    // The model file names every layer's activation; an --act as well would leave the reader guessing which one trains.
    if (wasGiven(a, "act")) {
      throw new UsageError(`--act ${a.act} and --load: the model file sets the activations (${activations.join(",")}); drop --act`);
    }
  } else {
    if (!a.layers && a.hidden === undefined) throw new UsageError("--hidden N,N,... (or --layers, or --load MODEL.json) is required");
    if (!a.loss) throw new UsageError("--loss is required: mse, ce or bce");
    if (a.hidden !== undefined) {
      if (!data) throw new UsageError(`--hidden ${cut(String(a.hidden))} takes the input and output widths from the data: give --layers here`);
      sizes = [data.nIn, ...parseHidden(String(a.hidden)), outputWidth(data, a.loss as LossName)];
    } else {
      sizes = parseLayers(String(a.layers));
    }
    const L = sizes.length - 1;
    activations = Array.from({ length: L }, (_, l) => (l === L - 1 ? "identity" : a.act as Activation));
    loss = a.loss as LossName;
  }
  if (loss === "ce" && sizes[sizes.length - 1] < 2) throw new UsageError("ce needs at least 2 outputs (one per class)");

  const optimizer = optimizerDefaults(variant.opt ?? String(a.opt));
  for (const o of OPTIMIZER_OPTIONS) {
    if (o.sets && a[o.name] !== undefined) (optimizer as unknown as Record<string, unknown>)[o.sets] = a[o.name];
  }
  if (optimizer.amsgrad && optimizer.name !== "adam" && optimizer.name !== "adamw") {
    throw new UsageError(`--amsgrad is for --opt adam or adamw (torch.optim.${optimizer.name === "sgd" ? "SGD" : optimizer.name} has no amsgrad)`);
  }
  if (optimizer.nesterov && (optimizer.momentum <= 0 || optimizer.dampening !== 0)) {
    throw new UsageError("--nesterov needs --momentum > 0 and --dampening 0 (as torch.optim.SGD)");
  }
  if (optimizer.beta1 >= 1 || optimizer.beta2 >= 1) throw new UsageError("--beta1 and --beta2 must be in [0, 1)");
  if (optimizer.alpha > 1) throw new UsageError("--alpha must be in [0, 1]");

  const batchText = variant.batch ?? String(a.batch ?? "32");
  let batch: number;
  if (batchText === "full") batch = rows ?? 0;
  else {
    batch = Number(batchText);
    if (!Number.isInteger(batch) || batch < 1) throw new UsageError(`--batch ${batchText}: expected a positive integer or 'full'`);
  }
  if (rows !== null) batch = Math.min(batch, rows);
  let chunk = a.chunk !== undefined ? Number(a.chunk) : Math.max(1, Math.min(batch || DEFAULT_CHUNK, DEFAULT_CHUNK));
  if (chunk > 65535) throw new UsageError("--chunk: at most 65535 rows");
  const frozenLayers = Number(a.freeze ?? 0);
  if (frozenLayers >= sizes.length - 1) {
    throw new UsageError(`--freeze ${frozenLayers}: the model has ${sizes.length - 1} dense layers and at least the last one must train (--freeze 0..${sizes.length - 2})`);
  }
  const run: RunConfig = {
    sizes, activations, loss, optimizer, clipNorm: Number(a["clip-norm"] ?? 0), clipValue: Number(a["clip-value"] ?? 0),
    init: (a.init ?? "pytorch") as InitName, seed: Number(a.seed ?? 1), chunk, frozenLayers,
    // --resident: a sample store of exactly the training rows (a set that does not fit is refused at configure, with the numbers).
    storeRows: a.resident && rows !== null ? rows : 0,
    ...(a.precision === "int16" ? { precision: "int16" as const } : {}),
  };
  if (run.precision === "int16") {
    const bad = run.activations.slice(0, -1).find((x) => !INT16_HIDDEN_ACTIVATIONS.includes(x));
    if (bad !== undefined) throw new UsageError(`--precision int16: hidden activation ${bad} is not exact on integers (identity or relu; docs/int16.md)`);
  }
  if (a.board && a.chunk === undefined) {
    // On a board profile the chunk is the most rows its memory holds (up to
    // the profile's and the batch's size): fewer, larger frames.
    const profile = loadProfile(String(a.board));
    const cap = Math.min(profile.max_chunk, batch || profile.max_chunk);
    const fits = largestChunk(run, moduleStaticBytes(), profile.memory_limit, cap);
    run.chunk = chunk = fits > 0 ? fits : 1; // 0: nothing fits; configure refuses with the numbers
  }
  const epochs = Number(a.epochs ?? 1);
  const schedule = parseSchedule(a.schedule as string | undefined);
  if (schedule.kind === "onecycle" && rows !== null && batch > 0) {
    // torch's OneCycleLR would fail on this run: say so before any work starts.
    const problem = oneCycleProblem(schedule, epochs * Math.ceil(rows / batch));
    if (problem) throw new UsageError(`--schedule ${a.schedule}: ${problem}`);
  }
  const earlyStop = a["early-stop"] !== undefined ? { patience: Number(a["early-stop"]), minDelta: Number(a["min-delta"] ?? 0) } : null;
  return { run, batch, batchText, epochs, shuffle: Boolean(a.shuffle), schedule, earlyStop };
}

/** The output flags, resolved. */
export function runOutputsOf(a: Parsed): RunOutputs {
  const resume = a.resume ? String(a.resume) : null;
  return {
    json: Boolean(a.json), quiet: Boolean(a.quiet),
    save: a.save ? String(a.save) : null, report: a.report ? String(a.report) : null,
    checkpointDir: a.checkpoint ? String(a.checkpoint) : resume, resumedFrom: resume,
  };
}

/** Every file the run will write can be written: checked before any work, not found out after training. */
function checkRunOutputs(a: Parsed): void {
  if (a.save !== undefined) checkOutputFile("--save", String(a.save));
  if (a.report !== undefined) checkOutputFile("--report", String(a.report));
  if (a.checkpoint !== undefined) checkOutputDirectory("--checkpoint", String(a.checkpoint), CHECKPOINT_FILES);
  else if (a.resume !== undefined) checkOutputDirectory("--resume", String(a.resume), CHECKPOINT_FILES);
}

/** --data or --dataset as a typed source; a built-in data set's model fills in --layers and --loss when not given. */
function dataSourceOf(a: Parsed, loaded: ModelFile | null): { source: DataSource; flags: Parsed } {
  if (a.data && a.dataset) throw new UsageError("give either --data FILE.csv or --dataset NAME, not both");
  if (a.dataset) {
    const info = findDataset(String(a.dataset));
    if (a.target) throw new UsageError(`--target does not apply to --dataset ${info.name} (its target is fixed)`);
    for (const f of ["classes", "delimiter", "inputs", "drop", "categorical", "missing"]) {
      if (a[f] !== undefined) throw new UsageError(`--${f} does not apply to --dataset ${info.name} (its columns and labels are fixed)`);
    }
    // The data set's model is what the run (and its checkpoint) uses when the flags do not say.
    const flags: Parsed = loaded ? a : Object.assign({}, a, { layers: a.layers ?? (a.hidden === undefined ? info.layers : undefined), loss: a.loss ?? info.loss });
    return { source: { kind: "dataset", name: info.name, seed: Number(a["data-seed"] ?? 1) }, flags };
  }
  if (!a.data) throw new UsageError("--data FILE.csv or --dataset NAME is required (see 'edgeprop datasets')");
  // --classes, else a loaded model's labels (so its indices keep their meaning), else the labels found, sorted.
  const options: DataFileOptions = {
    target: a.target as string | undefined, delimiter: a.delimiter as string | undefined, classes: a.classes as string | undefined,
    ...(loaded?.classes ? { knownClasses: loaded.classes } : {}),
    // A model that knows its columns reads them by name (and its targets without --target).
    ...(loaded?.inputs && loaded.targets ? { columns: { inputs: loaded.inputs, targets: loaded.targets } } : {}),
    ...(a.inputs !== undefined ? { inputs: String(a.inputs) } : {}), ...(a.drop !== undefined ? { drop: String(a.drop) } : {}),
    ...(loaded?.categorical ? { oneHot: loaded.categorical } : {}),
    ...(a.categorical !== undefined ? { categorical: String(a.categorical) } : {}),
    // --missing, else the loaded model's rule, else error.
    missing: (a.missing as MissingPolicy | undefined) ?? loaded?.missing?.policy ?? "error",
  };
  // (A resumed run's checkpoint holds the flags it started with, and its model the columns they chose: nothing to refuse.)
  if (options.columns && !a.resume && (a.inputs !== undefined || a.drop !== undefined || a.categorical !== undefined)) {
    throw new UsageError(`--${a.inputs !== undefined ? "inputs" : a.drop !== undefined ? "drop" : "categorical"} chooses a new model's columns; the model of --load reads its own by name (${cutList(options.columns.inputs)})`);
  }
  return { source: { kind: "csv", file: String(a.data), options }, flags: a };
}

/** --val or --val-split as a typed source; --early-stop needs one of them. */
function validationSourceOf(a: Parsed): ValidationSource | null {
  if (a.val !== undefined && a["val-split"] !== undefined) {
    throw new UsageError(`--val ${cut(String(a.val))} and --val-split ${a["val-split"]}: give one source of validation rows`);
  }
  const source: ValidationSource | null = a.val !== undefined ? { kind: "file", file: String(a.val) }
    : a["val-split"] !== undefined ? { kind: "split", fraction: Number(a["val-split"]) } : null;
  if (a["early-stop"] !== undefined && source === null) {
    throw new UsageError(`--early-stop ${a["early-stop"]} watches the validation loss: give --val FILE.csv or --val-split F as well`);
  }
  if (a["min-delta"] !== undefined && Number(a["min-delta"]) !== 0 && a["early-stop"] === undefined) {
    throw new UsageError(`--min-delta ${a["min-delta"]} applies only with --early-stop PATIENCE`);
  }
  return source;
}

/** The rows a program hands in instead of --data (the demo's data sets). */
export interface GivenRows {
  data: Dataset;
}

/**
 * The library's entry for a program that parses edgeprop's flags (SIM_OPTIONS)
 * itself, e.g. the benchmarks: the run of `a`, on `data` when given.
 */
export function prepareRun(a: Parsed, data?: Dataset): RunSpec {
  return runSpecOf(a, {}, data ? { data } : undefined);
}

/**
 * The board counts optimizer steps up to MAX_STEP: a run (from a checkpoint's
 * step, resumed) whose last step would pass it is refused before any work, not
 * left to wrap on the board and end as a divergence.
 */
function checkStepCount(settings: RunSettings, rows: number, resume: Checkpoint | undefined): void {
  if (rows < 1 || settings.batch < 1) return;
  const from = resume?.step ?? 0;
  const steps = (settings.epochs - (resume?.epoch ?? 0)) * Math.ceil(rows / settings.batch);
  if (from + steps > MAX_STEP) {
    throw new UsageError(`--epochs ${settings.epochs}: the run would take ${steps} optimizer steps${resume ? ` after the checkpoint's ${from}` : ""}; ` +
      `a board counts at most ${MAX_STEP} (fewer --epochs or a larger --batch)`);
  }
}

/**
 * The whole run from its flags, read and checked before any board is
 * touched: with --resume the checkpoint's flags overridden by those typed
 * now; the starting model; the data; the settings; the outputs. `variant`
 * changes one run of several (compare); `given` supplies the rows (demo).
 */
export function runSpecOf(a: Parsed, variant: RunVariant = {}, given?: GivenRows): RunSpec {
  if (a.retune && !a.resume) throw new UsageError("--retune applies only with --resume DIR (it allows new optimizer hyper-parameters there)");
  let resume: Checkpoint | undefined;
  let overrides: ResumeOverride[] | undefined;
  if (a.resume) {
    resume = readCheckpoint(String(a.resume));
    ({ args: a, overrides } = mergeResumeArgs(a, resume, RUN_SPECS));
  }
  const validationSource = validationSourceOf(a);
  const loaded = resume ? resume.model : a.load ? readModel(String(a.load)) : null;
  let source: DataSource;
  let read: RunData;
  const dataWarnings: string[] = [];
  if (given) {
    source = { kind: "given", name: given.data.name };
    read = { data: given.data, table: null };
  } else {
    ({ source, flags: a } = dataSourceOf(a, loaded));
    if (source.kind === "csv" && source.options.missing === "error") refuseResidentEarly(a, source.file, (rows) => resolveRun(a, rows, loaded, variant));
    // A large file's load shows a line on a terminal (stderr), cleared before anything else is said.
    const line = source.kind === "csv" ? loadLine(source.file, !a.quiet && !a.json) : null;
    try {
      read = readRunData(source, (t) => dataWarnings.push(t), line?.update);
    } finally {
      line?.end();
    }
  }
  const { table } = read;
  let data = read.data;
  // Every row is checked against the model before any is held out (messages name the file's lines).
  const sizesFor = (rows: number) => resolveRun(a, rows, loaded, variant, data);
  let settings = sizesFor(data.rows);
  checkAgainstModel(data, table, settings.run.sizes, settings.run.loss);
  let validation: Dataset | null = null;
  if (validationSource?.kind === "split") {
    ({ train: data, validation } = splitValidation(data, validationSource.fraction, settings.run.seed, settings.run.loss));
    settings = sizesFor(data.rows); // --batch full and the chunk follow the training rows
  } else if (validationSource?.kind === "file") {
    const v = readValidationFile(validationSource.file, source.kind === "csv" ? source.options : {}, data, (t) => dataWarnings.push(t));
    checkAgainstModel(v.data, v.table, settings.run.sizes, settings.run.loss);
    validation = v.data;
  }
  // --missing mean: the training rows' means (never the validation rows'), filled in both; a loaded model keeps its own.
  if (source.kind === "csv" && source.options.missing === "mean") {
    const mean = loaded?.missing?.policy === "mean" ? loaded.missing.mean : inputMeans(data.x, data.rows, data.nIn);
    data = { ...data, x: fillMissing(data.x, data.nIn, mean), missing: { policy: "mean", mean } };
    if (validation) validation = { ...validation, x: fillMissing(validation.x, validation.nIn, mean) };
  } else if (source.kind === "csv" && source.options.missing === "drop") {
    data = { ...data, missing: { policy: "drop" } };
  }
  // --normalize-target: each target column's training-row statistics (a loaded model keeps its own); the validation targets stay in their units.
  if (a["normalize-target"] || loaded?.targetScaling) {
    if (settings.run.loss !== "mse") throw new UsageError(`--normalize-target applies to --loss mse (a regression), not ${settings.run.loss}`);
    const scaling = loaded?.targetScaling ?? zscoreStats({ x: data.t, rows: data.rows, nIn: data.nT });
    data = { ...data, t: normalizeRows(data.t, data.nT, scaling), targetScaling: scaling };
  }
  if (data.dropped) dataWarnings.push(`${data.name}: ${data.dropped} of ${data.rows + data.dropped + (validation?.rows ?? 0)} rows left out for a missing value (--missing ${source.kind === "csv" ? source.options.missing : "drop"})`);
  checkStepCount(settings, data.rows, resume);
  if (resume) {
    const o = settings.run.optimizer;
    checkOptimizerState(resume, optimizerStateFloats(settings.run),
      `${o.name}${o.momentum > 0 ? ` with momentum` : ""}${o.centered ? " (centered)" : ""} on ${settings.run.sizes.join(",")}`, String(a.resume));
  }
  // --normalize: the training rows' statistics (never the validation rows'); a model that normalises its inputs keeps its own.
  const normalization = loaded?.normalization ?? (a.normalize ? zscoreStats(data) : null);
  if (normalization) settings.run.normalizeInputs = true;
  checkRunOutputs(a);
  // Everything checked: the warnings are said as the run starts (ConsoleView), never mixed into an error's one line.
  const scale = a.normalize || normalization ? null : scaleWarning(data);
  if (scale) dataWarnings.push(scale);
  const persisted = runSettingsOf(a, RUN_SPECS);
  if (variant.opt !== undefined) persisted.opt = variant.opt;
  if (variant.batch !== undefined) persisted.batch = variant.batch;
  return { settings, normalization, data, table, loaded, resume, overrides, source, validation, validationSource, outputs: runOutputsOf(a), persisted, dataWarnings };
}
