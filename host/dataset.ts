// A numeric table split into inputs and targets for a model, with the checks
// that need the model: sizes, and class labels for cross-entropy.
import type { NumericTable } from "./csv.js";
import { InputError, UsageError } from "./errors.js";
import type { LossName } from "./config.js";
import { cut, cutList } from "./quote.js";

export interface Dataset {
  name: string;
  rows: number;
  nIn: number;
  nT: number;
  x: Float32Array;
  t: Float32Array;
  inputNames: string[];
  targetNames: string[];
}

/** `target`: comma-separated column names; default the last column. */
export function splitTable(table: NumericTable, target?: string): Dataset {
  const names = target ? target.split(",").map((s) => s.trim()).filter(Boolean) : [table.columns[table.columns.length - 1]];
  if (names.length === 0) throw new UsageError(`--target '${cut(target ?? "")}': expected column names`);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw new UsageError(`--target ${cut(target ?? "")}: column '${cut(twice)}' is named twice`);
  const tIdx = names.map((name) => {
    const i = table.columns.indexOf(name);
    if (i < 0) throw new InputError(table.file, 1, null, `no target column '${cut(name)}' (columns: ${cutList(table.columns)})`);
    return i;
  });
  const xIdx = table.columns.map((_, i) => i).filter((i) => !tIdx.includes(i));
  if (xIdx.length === 0) throw new InputError(table.file, 1, null, "no input columns left after the target columns");
  const n = table.columns.length;
  const x = new Float32Array(table.rows * xIdx.length);
  const t = new Float32Array(table.rows * tIdx.length);
  for (let r = 0; r < table.rows; r++) {
    xIdx.forEach((c, k) => { x[r * xIdx.length + k] = table.values[r * n + c]; });
    tIdx.forEach((c, k) => { t[r * tIdx.length + k] = table.values[r * n + c]; });
  }
  return {
    name: table.file, rows: table.rows, nIn: xIdx.length, nT: tIdx.length, x, t,
    inputNames: xIdx.map((i) => table.columns[i]), targetNames: names,
  };
}

/**
 * Checks the data against the model's input/output sizes and loss. For ce the
 * target is one integer class label per row in 0..outputs-1.
 */
export function checkAgainstModel(d: Dataset, table: NumericTable | null, sizes: number[], loss: LossName): void {
  const nOut = sizes[sizes.length - 1];
  if (d.nIn !== sizes[0]) {
    throw new UsageError(`${d.name}: the data has ${d.nIn} input columns (${cutList(d.inputNames)}) but the model expects ${sizes[0]} inputs`);
  }
  const wantT = loss === "ce" ? 1 : nOut;
  if (d.nT !== wantT) {
    const why = loss === "ce" ? "ce takes one class-label column" : `the model has ${nOut} outputs`;
    throw new UsageError(`${d.name}: ${d.nT} target column(s) (${cutList(d.targetNames)}) but ${why}`);
  }
  /** Where target k of row r is in the file (line, column), as well as it is known. */
  const where = (r: number, k: number): [number, number | null] => {
    if (!table) return [r + 2, null];
    return [table.lines[r], table.fieldColumn(r, table.columns.indexOf(d.targetNames[k]))];
  };
  if (loss === "ce") {
    for (let r = 0; r < d.rows; r++) {
      const v = d.t[r];
      if (Number.isInteger(v) && v >= 0 && v < nOut) continue;
      const [line, col] = where(r, 0);
      const what = Number.isInteger(v) ? `class label ${v} outside 0..${nOut - 1} (the model has ${nOut} outputs)`
        : `class label ${v} is not an integer (ce takes class numbers 0..${nOut - 1})`;
      throw new InputError(d.name, line, col, `column '${cut(d.targetNames[0])}': ${what}`);
    }
  }
  if (loss === "bce") {
    // A sigmoid's target is a probability: outside [0, 1] the loss has no minimum there and training drifts.
    for (let i = 0; i < d.rows * d.nT; i++) {
      const v = d.t[i];
      if (v >= 0 && v <= 1) continue;
      const r = Math.floor(i / d.nT), k = i % d.nT;
      const [line, col] = where(r, k);
      throw new InputError(d.name, line, col, `column '${cut(d.targetNames[k])}': target ${v} outside [0, 1] (bce takes 0/1 labels or probabilities)`);
    }
  }
}
