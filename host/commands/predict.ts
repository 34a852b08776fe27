// edgeprop predict: a saved model's outputs for the rows of a CSV, computed
// on this machine (no board), with accuracy or loss when targets are present.
// edgeprop eval: the same through a (simulated) board's forward pass.
import { commandFlags, HELP_OPTION, type OptionSpec } from "../cli/args.js";
import { forward } from "../model/forward.js";
import { parseDelimiter, readCsv, type NumericTable } from "../data/csv.js";
import { checkAgainstModel, inputsOnly, modelRows, splitTable, type Dataset, type LabelOptions } from "../data/dataset.js";
import { MISSING_POLICIES, unscaleOutputs, type MissingPolicy } from "../model/preprocessing.js";
import { fillMissing } from "../data/missing.js";
import { InputError, UsageError } from "../errors.js";
import { schemaTable } from "../data/schema.js";
import { cut, cutList } from "../text/quote.js";
import { readModel, type ModelFile } from "../model/model-file.js";
import { accuracy, argmax, meanLoss } from "../report/metrics.js";
import { predictionMetrics, probabilities } from "../report/prediction-metrics.js";
import { metricsText } from "../report/metrics-text.js";
import { DATASETS, findDataset } from "../data/datasets.js";
import { openSimulatedBoard } from "../boards/open.js";
import { withBoard } from "../boards/board.js";
import { LINK_OPTIONS, linkOptionsOf } from "../cli/link-flags.js";
import { configureBoard, type PreparedRun } from "../run/training-run.js";
import { evaluationRun } from "../cli/run-options.js";
import { normalizeRows } from "../data/normalization.js";

export const PREDICT_OPTIONS: OptionSpec[] = [
  { name: "load", kind: "string", value: "MODEL.json", help: "the trained model (edgeprop-model v1), e.g. from --save" },
  { name: "data", kind: "string", value: "FILE.csv", help: "rows to predict: CSV with a header row; inputs, optionally followed by targets" },
  { name: "dataset", kind: "string", value: "NAME", help: `a built-in data set instead of --data (${DATASETS.map((d) => d.name).join(", ")})` },
  { name: "data-seed", kind: "int", min: 0, default: 1, help: "seed of the --dataset generator" },
  { name: "target", kind: "string", value: "COLS", help: "target column name(s) (default: the model's targets, or the columns after its inputs, if any)" },
  { name: "delimiter", kind: "string", value: "C", help: "field separator of --data: ',', ';' or tab (default: detected from the header)" },
  { name: "json", kind: "flag", help: "one JSON line per row ({\"output\": [...]}), then a summary line" },
  { name: "summary", kind: "flag", help: "print only the summary (accuracy/loss and the metrics), not every row" },
  { name: "missing", kind: "string", choices: [...MISSING_POLICIES], help: "a missing value (NA, NaN, null, an empty field): error, drop the row, or mean (the model's training means) (default: the model's rule, else error)" },
  { name: "proba", kind: "flag", help: "probabilities per row too: softmax of the logits (ce), sigmoid of each (bce)" },
];

export interface PredictInput {
  model: ModelFile;
  data: Dataset;
  hasTargets: boolean;
  table: NumericTable | null;
}

/** Reads model and rows; targets are optional (columns beyond the inputs). */
export function readPredictInput(a: Record<string, unknown>, command: string): PredictInput {
  const modelPath = (a.load ?? (a._ as string[])[0]) as string | undefined;
  if (!modelPath) throw new UsageError(`${command}: --load MODEL.json is required`);
  const model = readModel(String(modelPath));
  const nIn = model.sizes[0], nOut = model.sizes[model.sizes.length - 1];
  const nT = model.loss === "ce" ? 1 : nOut;
  if (a.data && a.dataset) throw new UsageError("give either --data FILE.csv or --dataset NAME, not both");
  let data: Dataset;
  let table: NumericTable | null = null;
  let hasTargets: boolean;
  if (a.dataset) {
    data = findDataset(String(a.dataset)).make(Number(a["data-seed"] ?? 1));
    hasTargets = true;
    if (model.classes && data.classes && data.classes.join("\n") !== model.classes.join("\n")) {
      throw new UsageError(`--dataset ${a.dataset}: its classes (${data.classes.join(",")}) are not the model's (${model.classes.join(",")})`);
    }
  } else {
    if (!a.data) throw new UsageError(`${command}: --data FILE.csv (or --dataset NAME) is required`);
    table = readCsv(String(a.data), a.delimiter !== undefined ? { delimiter: parseDelimiter(String(a.delimiter)) } : {});
    for (const w of table.warnings) process.stderr.write(`warning: ${w}\n`);
    const cols = table.columns.length;
    // A model trained on text labels reads them back with its own classes.
    const labels: LabelOptions = model.classes ? { classes: model.classes, classesFrom: "the model" } : {};
    if (a.missing !== undefined && !model.inputs) {
      throw new UsageError(`--missing applies to a model that knows its columns (trained on a CSV file); this one reads columns by position`);
    }
    if (model.inputs) {
      // The model knows its columns: read by name, in any order; --target names other target columns.
      const targets = a.target ? String(a.target).split(",").map((s) => s.trim()).filter(Boolean) : model.targets ?? [];
      const byName = schemaTable(table, { inputs: model.inputs, targets });
      hasTargets = byName.hasTargets;
      if (a.target && !hasTargets) throw new InputError(table.file, 1, null, `no target column '${cut(targets[0] ?? "")}' (columns: ${cutList(table.columns)})`);
      const policy = (a.missing as MissingPolicy | undefined) ?? model.missing?.policy ?? "error";
      if (policy === "mean" && model.missing?.policy !== "mean") {
        throw new UsageError(`--missing mean: the model has no training means to fill in (it was trained with --missing ${model.missing?.policy ?? "error"}); use --missing drop`);
      }
      const from = a.missing !== undefined ? "" : model.missing ? ` (the model's rule is --missing ${model.missing.policy})` : "";
      const rows = modelRows(byName.table, hasTargets ? targets : [], labels, model.categorical ?? [], policy, from, nT);
      table = rows.table;
      data = rows.data;
      if (policy === "mean" && model.missing?.policy === "mean") data = { ...data, x: fillMissing(data.x, data.nIn, model.missing.mean) };
    } else if (a.target) {
      data = splitTable(table, String(a.target), labels);
      hasTargets = true;
    } else if (cols === nIn) {
      // inputs only: a zero target column keeps the shapes simple
      data = inputsOnly(table, nT);
      hasTargets = false;
    } else if (cols === nIn + nT) {
      data = splitTable(table, table.columns.slice(nIn).join(","), labels);
      hasTargets = true;
    } else {
      throw new UsageError(`${table.file}: ${cols} columns, but the model takes ${nIn} inputs` +
        ` (expected ${nIn} input columns, or ${nIn + nT} with ${nT === 1 ? "a target column" : `${nT} target columns`}; name targets with --target)`);
    }
  }
  checkAgainstModel(data, table, model.sizes, model.loss);
  if (a.proba && model.loss === "mse") throw new UsageError(`--proba: this model's loss is mse (a regression): its outputs are values, not logits`);
  return { model, data, hasTargets, table };
}

export function printPredictions(a: Record<string, unknown>, inp: PredictInput, outputs: Float32Array, extra: Record<string, unknown> = {}): void {
  const { model, data, hasTargets } = inp;
  const nOut = model.sizes[model.sizes.length - 1];
  const w = (s: string) => process.stdout.write(s + "\n");
  const rowNo = (r: number) => (inp.table ? inp.table.lines[r] : r + 1);
  const proba = a.proba && model.loss !== "mse" ? probabilities(model.loss, outputs, data.rows, nOut) : null;
  if (!a.summary) {
    for (let r = 0; r < data.rows; r++) {
      const o = Array.from(outputs.subarray(r * nOut, (r + 1) * nOut));
      const t = hasTargets ? Array.from(data.t.subarray(r * data.nT, (r + 1) * data.nT)) : null;
      const cls = model.loss === "ce" ? argmax(o, 0, nOut) : model.loss === "bce" ? o.map((v) => (v > 0 ? 1 : 0)) : undefined;
      // With class names (text labels, --classes) the class and target are named; class_index keeps the number.
      const names = model.loss === "ce" ? model.classes : undefined;
      const shownClass = names && typeof cls === "number" ? names[cls] : cls;
      const shownTarget = t ? (model.loss === "ce" ? (names ? names[t[0]] : t[0]) : t) : undefined;
      if (a.json) {
        w(JSON.stringify({ event: "prediction", row: r + 1, line: rowNo(r), output: o,
          ...(proba ? { proba: Array.from(proba.subarray(r * nOut, (r + 1) * nOut)) } : {}),
          ...(cls !== undefined ? { class: shownClass } : {}), ...(names ? { class_index: cls } : {}),
          ...(t ? { target: shownTarget } : {}) }));
      } else {
        const shown = o.map((v) => Number(v.toPrecision(6))).join(", ");
        const c = cls !== undefined ? `  class ${Array.isArray(shownClass) ? shownClass.join(",") : shownClass}` : "";
        const tt = t ? `  target ${names ? String(shownTarget) : t.map((v) => Number(v.toPrecision(6))).join(",")}` : "";
        const p = proba ? `  proba [${Array.from(proba.subarray(r * nOut, (r + 1) * nOut), (v) => v.toFixed(4)).join(", ")}]` : "";
        w(`row ${String(r + 1).padStart(String(data.rows).length)}: [${shown}]${p}${c}${tt}`);
      }
    }
  }
  const summary: Record<string, unknown> = { event: "summary", rows: data.rows, ...(data.dropped ? { rows_dropped: data.dropped } : {}), ...extra };
  if (hasTargets) {
    summary.loss = meanLoss(model.loss, outputs, data.t, data.rows, nOut);
    const acc = accuracy(model.loss, outputs, data.t, data.rows, nOut);
    if (acc !== null) summary.accuracy = acc;
  }
  // ce: the class names; mse/bce: the target columns' names.
  const names = model.loss === "ce" ? model.classes : data.targetNames.length === nOut ? data.targetNames : undefined;
  const metrics = hasTargets && data.rows > 0 ? predictionMetrics(model.loss, outputs, data.t, data.rows, nOut, names) : null;
  if (metrics?.kind === "classification") Object.assign(summary, metrics.classification);
  else if (metrics?.kind === "labels") summary.labels = metrics.labels;
  else if (metrics?.kind === "regression") summary.per_output = metrics.regression;
  if (a.json) w(JSON.stringify(summary));
  else {
    const parts = [`${data.rows} rows${data.dropped ? ` (${data.dropped} left out for a missing value)` : ""}`];
    if (summary.accuracy !== undefined) parts.push(`accuracy ${(100 * Number(summary.accuracy)).toFixed(2)}% (${model.loss === "ce" ? "argmax of the outputs" : "logit > 0"})`);
    if (summary.loss !== undefined) parts.push(`${model.loss} loss ${Number(summary.loss).toPrecision(7)}`);
    if (!hasTargets) parts.push("no target columns, so no accuracy or loss");
    w(parts.join(", "));
    if (metrics) for (const line of metricsText(metrics)) w(line);
  }
}

export async function predictCommand(argv: string[]): Promise<number> {
  const specs = [...PREDICT_OPTIONS, HELP_OPTION];
  const a = commandFlags(argv, {
    command: "predict", synopsis: "--load MODEL.json --data FILE.csv [--target COLS] [--json]", options: specs, positionals: 1,
    more:
      "\nRaw outputs per row (logits for ce/bce; --proba adds softmax or sigmoid probabilities), computed on this machine.\n" +
      "With target columns: the loss, and for ce/bce the accuracy (ce: argmax; bce: logit > 0), the confusion matrix\n" +
      "(rows: true class) and per-class precision, recall, F1 and support; for mse MAE, RMSE and R2 per output.\n" +
      "The figures are scikit-learn's (a precision or recall with nothing to divide by is 0).\n",
  });
  if (!a) return 0;
  const inp = readPredictInput(a, "predict");
  const raw = forward(inp.model, inp.data.x, inp.data.rows);
  // --normalize-target: the outputs in the target's own units.
  const outputs = inp.model.targetScaling ? unscaleOutputs(raw, inp.model.targetScaling) : raw;
  printPredictions(a, inp, outputs);
  return 0;
}

export const EVAL_OPTIONS: OptionSpec[] = [
  ...PREDICT_OPTIONS,
  { name: "chunk", kind: "int", min: 1, default: 8, help: "rows the board holds at once" },
  ...LINK_OPTIONS,
  HELP_OPTION,
];

export async function evalCommand(argv: string[]): Promise<number> {
  const a = commandFlags(argv, {
    command: "eval", synopsis: "--load MODEL.json --data FILE.csv [--target COLS] [--json]", options: EVAL_OPTIONS, positionals: 1,
    more:
      "\nThe same as 'edgeprop predict', computed by the board's forward pass (a simulated board here).\n",
  });
  if (!a) return 0;
  const inp = readPredictInput(a, "eval");
  const settings = evaluationRun(inp.model, Number(a.chunk), inp.data.rows);
  const prepared: PreparedRun = { settings, data: inp.data, table: inp.table, loaded: inp.model };
  await withBoard(await openSimulatedBoard(linkOptionsOf(a)), async (board) => {
    await configureBoard(board, prepared);
    const d = inp.data;
    // The model's z-scoring, applied here with the module's float32 definition (host/data/normalization.ts), so the
    // board sees what it would compute itself with INPUT_NORMALIZE: the same bits either way.
    const x = inp.model.normalization ? normalizeRows(d.x, d.nIn, inp.model.normalization) : d.x;
    const scaling = inp.model.targetScaling;
    const t = inp.hasTargets ? (scaling ? normalizeRows(d.t, d.nT, scaling) : d.t) : null;
    const r = await board.evaluate(x, t, d.rows, d.nIn, d.nT, Number(a.chunk));
    printPredictions(a, inp, scaling ? unscaleOutputs(r.outputs, scaling) : r.outputs, { board: board.description });
  });
  return 0;
}
