// A numeric table split into inputs and targets for a model, with the checks
// that need the model: sizes, and class labels for cross-entropy.
import type { NumericTable } from "./csv.js";
import { InputError, UsageError } from "./errors.js";
import type { LossName } from "./config.js";

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
  const tIdx = names.map((name) => {
    const i = table.columns.indexOf(name);
    if (i < 0) throw new InputError(table.file, 1, null, `no target column '${name}' (columns: ${table.columns.join(", ")})`);
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
    throw new UsageError(`${d.name}: the data has ${d.nIn} input columns (${d.inputNames.join(",")}) but the model expects ${sizes[0]} inputs`);
  }
  const wantT = loss === "ce" ? 1 : nOut;
  if (d.nT !== wantT) {
    const why = loss === "ce" ? "ce takes one class-label column" : `the model has ${nOut} outputs`;
    throw new UsageError(`${d.name}: ${d.nT} target column(s) (${d.targetNames.join(",")}) but ${why}`);
  }
  if (loss === "ce") {
    for (let r = 0; r < d.rows; r++) {
      const v = d.t[r];
      if (!Number.isInteger(v) || v < 0 || v >= nOut) {
        throw new InputError(d.name, table ? table.lines[r] : r + 2, null,
          `column '${d.targetNames[0]}': class label ${v} outside 0..${nOut - 1} (the model has ${nOut} outputs)`);
      }
    }
  }
}
