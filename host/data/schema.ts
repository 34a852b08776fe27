// The columns a model was trained on, by name (docs/model-format.md "inputs"
// and "targets"): a table is read by these names, in any order, so a file
// whose columns are swapped or extended gives the same inputs as the
// training file. Extra columns are ignored; a missing input is refused.
import type { NumericTable } from "./csv.js";
import { InputError } from "../errors.js";
import { cut, cutList } from "../text/quote.js";

/** A model's input column names in the order of its first layer, and its target column names. */
export interface ColumnSchema {
  inputs: string[];
  targets: string[];
}

/**
 * `table` seen through `names`: its columns are exactly `names`, in that
 * order, with every field's position (for messages) still the file's own.
 * A name the table lacks is exit 2 naming it; `role` says what it is for.
 */
export function selectColumns(table: NumericTable, names: string[], role: (name: string) => string): NumericTable {
  const idx = names.map((name) => {
    const i = table.columns.indexOf(name);
    if (i < 0) throw new InputError(table.file, 1, null, `no column '${cut(name)}' (${role(name)}); the file has ${cutList(table.columns)}`);
    return i;
  });
  const n = table.columns.length, m = idx.length;
  const values = new Float32Array(table.rows * m);
  for (let r = 0; r < table.rows; r++) {
    for (let k = 0; k < m; k++) values[r * m + k] = table.values[r * n + (idx[k] ?? 0)] ?? NaN;
  }
  const col = (c: number): number => idx[c] ?? -1;
  return {
    file: table.file, columns: [...names], rows: table.rows, values,
    text: idx.map((i) => table.text[i] ?? null), lines: table.lines, delimiter: table.delimiter,
    fieldColumn: (r, c) => table.fieldColumn(r, col(c)),
    fieldPosition: (r, c) => table.fieldPosition(r, col(c)),
    fieldNumber: (c) => (table.fieldNumber ? table.fieldNumber(col(c)) : col(c) + 1),
    warnings: table.warnings,
  };
}

/** Which of `schema.targets` the table has: all (targets present), none (inputs only); some is exit 2 naming the first missing. */
export function hasTargetColumns(table: NumericTable, schema: ColumnSchema): boolean {
  const present = schema.targets.filter((name) => table.columns.includes(name));
  if (present.length === 0) return false;
  if (present.length === schema.targets.length) return true;
  const missing = schema.targets.find((name) => !table.columns.includes(name)) ?? "";
  throw new InputError(table.file, 1, null, `no column '${cut(missing)}' (a target of the model, as ${cutList(present)} are); ` +
    `give every target column or none`);
}

/**
 * `table` as the model's columns: its inputs in the model's order, then its
 * targets when the table has them all.
 */
export function schemaTable(table: NumericTable, schema: ColumnSchema): { table: NumericTable; hasTargets: boolean } {
  const hasTargets = hasTargetColumns(table, schema);
  const names = hasTargets ? [...schema.inputs, ...schema.targets] : schema.inputs;
  const selected = selectColumns(table, names, (name) => schema.inputs.includes(name)
    ? `input ${schema.inputs.indexOf(name) + 1} of ${schema.inputs.length} of the model: ${cutList(schema.inputs)}`
    : "a target of the model");
  return { table: selected, hasTargets };
}
