// Missing values (--missing error|drop|mean): which fields are missing (what
// pandas' read_csv reads as NaN by default: NA, NaN, null, an empty field...),
// rows left out (drop), and the training rows' mean filled in (mean), as
// scikit-learn's SimpleImputer(strategy="mean") does: the means come from the
// training split only, are stored in the model and applied wherever it goes.
import type { NumericTable } from "./csv.js";
import { fieldLabel } from "./csv.js";
import { InputError, UsageError } from "../errors.js";
import { MISSING_POLICIES, type MissingPolicy } from "../model/preprocessing.js";
import { cut } from "../text/quote.js";

/** pandas.read_csv's default na_values (and an empty field): each reads as a missing value. */
export const MISSING_TOKENS: ReadonlySet<string> = new Set(["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
  "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]);

/** The --missing value as typed. */
export function parseMissingPolicy(flag: string): MissingPolicy {
  const p = MISSING_POLICIES.find((m) => m === flag);
  if (!p) throw new UsageError(`--missing ${cut(flag)}: expected ${MISSING_POLICIES.join(", ")}`);
  return p;
}

/** Whether field `c` of row `r` is missing: a text field pandas reads as NaN. */
export function isMissing(table: NumericTable, r: number, c: number): boolean {
  const col = table.text[c];
  if (!col) return false;
  const code = col.codes[r] ?? -1;
  return code >= 0 && MISSING_TOKENS.has((col.names[code] ?? "").trim());
}

/** The first missing field of `table` (row order, then column order), or null. */
export function firstMissing(table: NumericTable, columns: readonly number[] = table.columns.map((_, c) => c)): [number, number] | null {
  for (let r = 0; r < table.rows; r++) for (const c of columns) if (isMissing(table, r, c)) return [r, c];
  return null;
}

/** The message for a missing field under --missing error: where it is, and the flag that handles it. */
export function missingValueError(table: NumericTable, r: number, c: number, from = ""): InputError {
  const [line, col] = table.fieldPosition(r, c);
  const code = table.text[c]?.codes[r] ?? -1;
  const s = (table.text[c]?.names[code] ?? "").trim();
  return new InputError(table.file, line, col, `${fieldLabel(table, c)}: a missing value (${s === "" ? "an empty field" : `'${cut(s, 20)}'`})${from}: ` +
    `--missing drop leaves such rows out, --missing mean fills in the training rows' mean`);
}

/** `table` with only the rows `keep` (ascending): every field's position, for messages, still the file's own. */
export function keepRows(table: NumericTable, keep: readonly number[]): NumericTable {
  const n = table.columns.length;
  const values = new Float32Array(keep.length * n);
  const lines = new Uint32Array(keep.length);
  keep.forEach((r, i) => {
    values.set(table.values.subarray(r * n, (r + 1) * n), i * n);
    lines[i] = table.lines[r] ?? 0;
  });
  const text = table.text.map((col) => {
    if (!col) return null;
    return { names: col.names, codes: Int32Array.from(keep, (r) => col.codes[r] ?? -1) };
  });
  const row = (i: number): number => keep[i] ?? -1;
  return {
    file: table.file, columns: table.columns, rows: keep.length, values, text, lines, delimiter: table.delimiter,
    fieldColumn: (r, c) => table.fieldColumn(row(r), c),
    fieldPosition: (r, c) => table.fieldPosition(row(r), c),
    ...(table.fieldNumber ? { fieldNumber: table.fieldNumber } : {}),
    warnings: table.warnings,
  };
}

/** The rows of `table` with no missing field in `columns`, and how many were left out. */
export function dropMissingRows(table: NumericTable, columns: readonly number[]): { table: NumericTable; dropped: number } {
  const keep: number[] = [];
  for (let r = 0; r < table.rows; r++) if (!columns.some((c) => isMissing(table, r, c))) keep.push(r);
  if (keep.length === table.rows) return { table, dropped: 0 };
  return { table: keepRows(table, keep), dropped: table.rows - keep.length };
}

/** `table` with the missing fields of `columns` read as numbers that are NaN (for the mean to fill in). */
export function missingAsNaN(table: NumericTable, columns: readonly number[]): NumericTable {
  const n = table.columns.length;
  const values = Float32Array.from(table.values);
  const text = table.text.map((col, c) => {
    if (!col || !columns.includes(c)) return col;
    const codes = Int32Array.from(col.codes);
    let textLeft = false;
    for (let r = 0; r < table.rows; r++) {
      if (isMissing(table, r, c)) { codes[r] = -1; values[r * n + c] = NaN; } else if ((codes[r] ?? -1) >= 0) textLeft = true;
    }
    return textLeft ? { names: col.names, codes } : null;
  });
  return { ...table, values, text };
}

/**
 * The training rows' mean of each input, ignoring missing (NaN) values, as
 * float32 (accumulated in float64); an input with no value at all gets 0.
 */
export function inputMeans(x: Float32Array, rows: number, nIn: number): number[] {
  const sum = new Float64Array(nIn), count = new Float64Array(nIn);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < nIn; i++) {
      const v = x[r * nIn + i] ?? NaN;
      if (!Number.isNaN(v)) { sum[i] = (sum[i] ?? 0) + v; count[i] = (count[i] ?? 0) + 1; }
    }
  }
  return Array.from(sum, (s, i) => ((count[i] ?? 0) > 0 ? Math.fround(s / (count[i] ?? 1)) : 0));
}

/** `x` with every NaN replaced by its input's mean (a new array). */
export function fillMissing(x: Float32Array, nIn: number, mean: readonly number[]): Float32Array {
  const out = Float32Array.from(x);
  for (let k = 0; k < out.length; k++) if (Number.isNaN(out[k])) out[k] = mean[k % nIn] ?? 0;
  return out;
}

/** Whether `x` holds a NaN (a missing value not yet filled in). */
export function hasMissing(x: Float32Array): boolean {
  for (const v of x) if (Number.isNaN(v)) return true;
  return false;
}
