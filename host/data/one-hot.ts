// --categorical COLS: each named input column becomes one 0/1 input per
// category (scikit-learn's OneHotEncoder, pandas' get_dummies). The
// categories are the training file's, sorted (numerically when every one is
// a number); a model keeps them, and a category it never saw is refused at
// its field, as OneHotEncoder(handle_unknown="error") refuses it: never a
// silent row of zeros. A missing field (missing.ts, read as NaN) makes its
// column's inputs NaN, for --missing mean to fill in.
import type { NumericTable } from "./csv.js";
import { fieldLabel, numberName } from "./csv.js";
import { InputError } from "../errors.js";
import { oneHotName, type OneHotColumn } from "../model/preprocessing.js";
import { cut, cutList } from "../text/quote.js";

/** Field `c` of row `r` as a category's name: its text, or the number (its float32, csv.ts numberName); null when it is NaN (missing). */
function categoryAt(table: NumericTable, r: number, c: number): string | null {
  const col = table.text[c];
  const code = col ? col.codes[r] ?? -1 : -1;
  if (col && code >= 0) return col.names[code] ?? "";
  const v = table.values[r * table.columns.length + c] ?? NaN;
  return Number.isNaN(v) ? null : numberName(v);
}

/** The categories of column `c`: sorted, numerically when every one is a number. */
export function categoriesOf(table: NumericTable, c: number): string[] {
  const found = new Set<string>();
  for (let r = 0; r < table.rows; r++) {
    const s = categoryAt(table, r, c);
    if (s !== null) found.add(s);
  }
  const all = [...found];
  const numeric = all.every((s) => s.trim() !== "" && Number.isFinite(Number(s)));
  return numeric ? all.sort((a, b) => Number(a) - Number(b)) : all.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * `table` with each of `categorical`'s columns replaced, where it stands, by
 * its one-hot columns (named column_category). A field whose category is not
 * in the list is exit 2 at the field; `from` says whose list it is.
 */
export function oneHotTable(table: NumericTable, categorical: readonly OneHotColumn[], from: string): NumericTable {
  if (categorical.length === 0) return table;
  const n = table.columns.length;
  // Per output column: the source column and, for a one-hot one, its category index.
  const source: { c: number; k: number }[] = [];
  const columns: string[] = [];
  table.columns.forEach((name, c) => {
    const oh = categorical.find((o) => o.column === name);
    if (!oh) { source.push({ c, k: -1 }); columns.push(name); return; }
    oh.categories.forEach((cat, k) => {
      const encoded = oneHotName(name, cat);
      if (table.columns.includes(encoded)) {
        throw new InputError(table.file, 1, null, `--categorical ${cut(name)}: its one-hot input '${cut(encoded)}' has the name of a column of the file; rename that column`);
      }
      source.push({ c, k });
      columns.push(encoded);
    });
  });
  const m = columns.length;
  const values = new Float32Array(table.rows * m);
  const index = categorical.map((o) => new Map(o.categories.map((cat, k) => [cat, k])));
  for (let r = 0; r < table.rows; r++) {
    // Each categorical field's category index once per row: -1 missing.
    const chosen = new Map<number, number>();
    categorical.forEach((o, j) => {
      const c = table.columns.indexOf(o.column);
      if (c < 0) return;
      const s = categoryAt(table, r, c);
      if (s === null) { chosen.set(c, -1); return; }
      const k = index[j]?.get(s);
      if (k === undefined) {
        const [line, col] = table.fieldPosition(r, c);
        throw new InputError(table.file, line, col, `${fieldLabel(table, c)}: category '${cut(s, 40)}' is not one of ${from}'s ` +
          `(${cutList(o.categories)}): a one-hot input has no place for it`);
      }
      chosen.set(c, k);
    });
    source.forEach(({ c, k }, j) => {
      if (k < 0) { values[r * m + j] = table.values[r * n + c] ?? NaN; return; }
      const got = chosen.get(c) ?? -1;
      values[r * m + j] = got < 0 ? NaN : got === k ? 1 : 0;
    });
  }
  const text = source.map(({ c, k }) => (k < 0 ? table.text[c] ?? null : null));
  const at = (j: number): number => source[j]?.c ?? -1;
  return {
    ...table, columns, values, text,
    fieldColumn: (r, j) => table.fieldColumn(r, at(j)),
    fieldPosition: (r, j) => table.fieldPosition(r, at(j)),
    fieldNumber: (j) => (table.fieldNumber ? table.fieldNumber(at(j)) : at(j) + 1),
  };
}
