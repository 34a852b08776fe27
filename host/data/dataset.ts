// A numeric table split into inputs and targets for a model, with the checks
// that need the model: sizes, and class labels for cross-entropy. Class
// labels may be text ("setosa", "class_1"): they become class indices, in
// sorted order or the order --classes (or a loaded model) gives.
import { DECIMAL_COMMA, NON_FINITE, describeField, fieldLabel, numberName, parseDelimiter, readCsv, type CsvOptions, type NumericTable } from "./csv.js";
import { InputError, UsageError } from "../errors.js";
import type { LossName } from "../model/config.js";
import { cut, cutList } from "../text/quote.js";
import { selectColumns, type ColumnSchema } from "./schema.js";
import { chooseColumns, columnList } from "./column-choice.js";
import { dropMissingRows, firstMissing, missingAsNaN, missingValueError } from "./missing.js";
import { categoriesOf, oneHotTable } from "./one-hot.js";
import type { MissingPolicy, MissingRule, OneHotColumn, TargetScaling } from "../model/preprocessing.js";

export interface Dataset {
  name: string;
  rows: number;
  nIn: number;
  nT: number;
  x: Float32Array;
  t: Float32Array;
  inputNames: string[];
  targetNames: string[];
  /** ce: the class label of each index, when the labels were text or given (--classes, a loaded model). */
  classes?: string[];
  /** The first row whose label was text (not a number): what a loss that takes numbers reports. */
  firstTextLabel?: number;
  /** --categorical: the file's input columns (before one-hot; `inputNames` are then the one-hot inputs') and the categories of each categorical one. */
  encoding?: { inputs: string[]; categorical: OneHotColumn[] };
  /** The rule for missing values the model keeps (set once the training means are known). */
  missing?: MissingRule;
  /** --normalize-target: `t` holds the z-scored targets; these statistics scale outputs back to the target's units. */
  targetScaling?: TargetScaling;
  /** --missing drop (or a missing target under mean): how many of the file's rows were left out. */
  dropped?: number;
}

/** How class labels map to indices. */
export interface LabelOptions {
  /** The labels in index order (--classes, or a loaded model's "classes"); default: the labels found, sorted. */
  classes?: string[];
  /** Where `classes` came from, as a message names it: "--classes" (default), "the model" or "the training data". */
  classesFrom?: "--classes" | "the model" | "the training data";
}

/** The --classes list: comma-separated, each label once. */
export function parseClassList(flag: string): string[] {
  const names = flag.split(",").map((s) => s.trim());
  const empty = names.indexOf("");
  if (empty >= 0) throw new UsageError(`--classes ${cut(flag)}: label ${empty + 1} is empty`);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw new UsageError(`--classes ${cut(flag)}: '${cut(twice)}' is named twice`);
  return names;
}

/** [line, column] of field `c` of row `r`. */
function position(table: NumericTable, r: number, c: number): [number, number] {
  return table.fieldPosition(r, c);
}

/** The text of a field that is not a number, or null where it is one. */
function textAt(table: NumericTable, r: number, c: number): string | null {
  const col = table.text[c];
  if (!col) return null;
  const code = col.codes[r];
  return code < 0 ? null : col.names[code];
}

/** "column 'b': expected a finite number, got 'oops'" at the field, with the likely cause when there is one. */
function notANumber(table: NumericTable, r: number, c: number, hint = ""): InputError {
  const s = (textAt(table, r, c) ?? "").trim();
  const [line, col] = position(table, r, c);
  let why = hint;
  if (!why && DECIMAL_COMMA.test(s)) why = `: a decimal comma? write numbers with a point (${s.replace(",", ".")})`;
  return new InputError(table.file, line, col, `${fieldLabel(table, c)}: expected a finite number, got ${describeField(s)}${why}`);
}

/** The first row of column `c` that holds text, or -1. */
function firstText(table: NumericTable, c: number): number {
  const col = table.text[c];
  if (!col) return -1;
  return col.codes.findIndex((code) => code >= 0);
}

/** How many fields of column `c` hold text. */
function textCount(table: NumericTable, c: number): number {
  const col = table.text[c];
  if (!col) return 0;
  let k = 0;
  for (const code of col.codes) if (code >= 0) k++;
  return k;
}

/**
 * Columns of text among `columns` (an id, a name, a category), all in one
 * message with the flag that leaves each out, so a user fixes them in one go;
 * null when there are none, or when the only text is one stray field or a
 * number written another way (a decimal comma, NaN): the field's own message
 * says more there.
 */
export function nonNumericColumns(table: NumericTable, columns: number[]): InputError | null {
  const text = columns.filter((c) => firstText(table, c) >= 0);
  if (text.length === 0) return null;
  const first = (c: number) => (textAt(table, firstText(table, c), c) ?? "").trim();
  if (text.some((c) => DECIMAL_COMMA.test(first(c)) || NON_FINITE.test(first(c)))) return null;
  const only = text[0];
  if (text.length === 1 && only !== undefined && textCount(table, only) < 2) return null;
  const each = text.map((c) => {
    const [line] = position(table, firstText(table, c), c);
    const name = table.columns[c] ?? "";
    const flagged = /^[\w.-]+$/.test(name) ? name : JSON.stringify(name);
    return `'${cut(name)}' (line ${line}: ${describeField(first(c))}): --drop ${flagged} or --categorical ${flagged}`;
  });
  return new InputError(table.file, null, null, `${text.length === 1 ? "an input column holds" : `${text.length} input columns hold`} text, not numbers: ` +
    `${each.join("; ")} (or name the inputs with --inputs)`);
}

/**
 * Class indices for label column `c`: each label's position in `classes`
 * (given), or in the sorted labels found. A label that is a number matches
 * the class whose name is that number ("1", "1.0").
 */
function labelIndices(table: NumericTable, c: number, labels: LabelOptions): { t: Float32Array; classes: string[]; firstText?: number } {
  const rows = table.rows, n = table.columns.length;
  const labelOf = (r: number): string => {
    const s = textAt(table, r, c);
    if (s === null) return numberName(table.values[r * n + c] ?? NaN);
    const trimmed = s.trim();
    if (trimmed === "") {
      const [line, col] = position(table, r, c);
      throw new InputError(table.file, line, col, `${fieldLabel(table, c)}: expected a class label, got an empty field`);
    }
    if (NON_FINITE.test(trimmed)) throw notANumber(table, r, c);
    return s;
  };
  let classes = labels.classes;
  const first = firstText(table, c);
  if (!classes) {
    const found = new Set<string>();
    for (let r = 0; r < rows; r++) found.add(labelOf(r));
    classes = [...found].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
  const byName = new Map(classes.map((k, i) => [k, i]));
  const byNumber = new Map<number, number>();
  // The table holds float32: a class named by a number matches the float32 of that number.
  classes.forEach((k, i) => { const v = Math.fround(Number(k)); if (k.trim() !== "" && Number.isFinite(v) && !byNumber.has(v)) byNumber.set(v, i); });
  const t = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const s = labelOf(r);
    const isNumber = textAt(table, r, c) === null;
    const k = isNumber ? byNumber.get(table.values[r * n + c]) : byName.get(s);
    if (k === undefined) {
      const [line, col] = position(table, r, c);
      const from = labels.classesFrom && labels.classesFrom !== "--classes" ? `${labels.classesFrom}'s classes (${cutList(classes)})` : `--classes ${cutList(classes)}`;
      throw new InputError(table.file, line, col, `${fieldLabel(table, c)}: label '${cut(s, 40)}' is not one of ${from}`);
    }
    t[r] = k;
  }
  return { t, classes, ...(first >= 0 ? { firstText: first } : {}) };
}

/**
 * The inputs (columns `xIdx`) and targets (`tIdx`) of every row, row-major.
 * `owned`: the table's buffer is rearranged in place into [x | t] (x and t
 * are views of it, the table's `values` are given up), so a large file is
 * never held twice; else both are copies. In place: row r's inputs go to
 * r*nIn, never past where row r starts (r*n), so no row is overwritten
 * before it is read; the targets are set aside first (they are the smaller).
 * `given`: the targets already made (class indices), one per row per target.
 */
function takeColumns(table: NumericTable, xIdx: number[], tIdx: number[], owned: boolean, given?: Float32Array): { x: Float32Array; t: Float32Array } {
  const rows = table.rows, n = table.columns.length, nIn = xIdx.length, nT = tIdx.length;
  const v = table.values;
  let t = given;
  if (!t) {
    t = new Float32Array(rows * nT);
    for (let r = 0; r < rows; r++) for (let k = 0; k < nT; k++) t[r * nT + k] = v[r * n + (tIdx[k] ?? 0)] ?? NaN;
  }
  if (!owned) {
    const x = new Float32Array(rows * nIn);
    for (let r = 0; r < rows; r++) for (let k = 0; k < nIn; k++) x[r * nIn + k] = v[r * n + (xIdx[k] ?? 0)] ?? NaN;
    return { x, t };
  }
  const row = new Float32Array(n);
  for (let r = 0; r < rows; r++) {
    row.set(v.subarray(r * n, (r + 1) * n));
    for (let k = 0; k < nIn; k++) v[r * nIn + k] = row[xIdx[k] ?? 0] ?? NaN;
  }
  if (nIn + nT > n) throw new Error("takeColumns: more columns taken than the table has");
  const x = v.subarray(0, rows * nIn), inPlaceT = v.subarray(rows * nIn, rows * (nIn + nT));
  inPlaceT.set(t);
  return { x, t: inPlaceT };
}

/**
 * `target`: comma-separated column names; default the last column. Every
 * input must be a number; a single target column holding text (or any target
 * when `labels.classes` is given) is read as class labels. `owned`: the
 * table's values are the caller's to give away (see takeColumns).
 */
export function splitTable(table: NumericTable, target?: string, labels: LabelOptions = {}, owned = false): Dataset {
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
  if (labels.classes && tIdx.length !== 1) {
    throw new UsageError(`${labels.classesFrom && labels.classesFrom !== "--classes" ? `${labels.classesFrom}'s classes` : "--classes"} need one target column (class labels), not ${tIdx.length} (${cutList(names)})`);
  }
  // Inputs first, in file order: the first non-number of the file is the one reported.
  const asLabels = tIdx.length === 1 && (table.text[tIdx[0]] !== null || labels.classes !== undefined);
  const numeric = asLabels ? xIdx : [...xIdx, ...tIdx];
  const textColumns = nonNumericColumns(table, numeric);
  if (textColumns) throw textColumns;
  const bad = numeric.map((c) => [firstText(table, c), c]).filter(([r]) => r >= 0).sort((a, b) => a[0] - b[0] || a[1] - b[1])[0];
  if (bad) throw notANumber(table, bad[0], bad[1]);
  // Labels before the columns are taken: they read the table's values, which an owned table gives up.
  const mapped = asLabels ? labelIndices(table, tIdx[0], labels) : null;
  const { x, t } = takeColumns(table, xIdx, tIdx, owned, mapped?.t);
  const d: Dataset = {
    name: table.file, rows: table.rows, nIn: xIdx.length, nT: tIdx.length, x, t,
    inputNames: xIdx.map((i) => table.columns[i]), targetNames: names,
  };
  if (mapped) Object.assign(d, { classes: mapped.classes }, mapped.firstText !== undefined ? { firstTextLabel: mapped.firstText } : {});
  return d;
}

/** The table as inputs only (predict without targets): every column must be a number; `nT` zero targets per row keep the shapes. */
export function inputsOnly(table: NumericTable, nT: number, owned = false): Dataset {
  const bad = table.columns.map((_, c) => [firstText(table, c), c]).filter(([r]) => r >= 0).sort((a, b) => a[0] - b[0] || a[1] - b[1])[0];
  if (bad) throw notANumber(table, bad[0], bad[1]);
  return {
    name: table.file, rows: table.rows, nIn: table.columns.length, nT, x: owned ? table.values : Float32Array.from(table.values), t: new Float32Array(table.rows * nT),
    inputNames: table.columns, targetNames: [],
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
  if (d.classes && loss !== "ce") {
    if (d.firstTextLabel !== undefined && table) {
      throw notANumber(table, d.firstTextLabel, table.columns.indexOf(d.targetNames[0]), ` (text class labels need --loss ce)`);
    }
    throw new UsageError(`--classes applies to --loss ce (this model's loss is ${loss})`);
  }
  if (d.classes && loss === "ce" && d.classes.length !== nOut) {
    throw new UsageError(`${d.name}: column '${cut(d.targetNames[0])}' has ${d.classes.length} class labels (${cutList(d.classes)}) ` +
      `but the model has ${nOut} outputs${d.classes.length < nOut ? ": name every class with --classes" : ""}`);
  }
  const wantT = loss === "ce" ? 1 : nOut;
  if (d.nT !== wantT) {
    const why = loss === "ce" ? "ce takes one class-label column" : `the model has ${nOut} outputs`;
    throw new UsageError(`${d.name}: ${d.nT} target column(s) (${cutList(d.targetNames)}) but ${why}`);
  }
  /** Where target k of row r is in the file (line, column), as well as it is known. */
  const where = (r: number, k: number): [number, number | null] => {
    if (!table) return [r + 2, null];
    return table.fieldPosition(r, table.columns.indexOf(d.targetNames[k]));
  };
  /** Target k's column as a message names it (with its field number when the file is known). */
  const named = (k: number): string => (table ? fieldLabel(table, table.columns.indexOf(d.targetNames[k] ?? "")) : `column '${cut(d.targetNames[k] ?? "")}'`);
  if (loss === "ce") {
    for (let r = 0; r < d.rows; r++) {
      const v = d.t[r];
      if (Number.isInteger(v) && v >= 0 && v < nOut) continue;
      const [line, col] = where(r, 0);
      const what = Number.isInteger(v) ? `class label ${v} outside 0..${nOut - 1} (the model has ${nOut} outputs)`
        : `class label ${v} is not an integer (ce takes class numbers 0..${nOut - 1})`;
      throw new InputError(d.name, line, col, `${named(0)}: ${what}`);
    }
  }
  if (loss === "bce") {
    // A sigmoid's target is a probability: outside [0, 1] the loss has no minimum there and training drifts.
    for (let i = 0; i < d.rows * d.nT; i++) {
      const v = d.t[i];
      if (v >= 0 && v <= 1) continue;
      const r = Math.floor(i / d.nT), k = i % d.nT;
      const [line, col] = where(r, k);
      throw new InputError(d.name, line, col, `${named(k)}: target ${v} outside [0, 1] (bce takes 0/1 labels or probabilities)`);
    }
  }
}

/** What the data flags say about reading a CSV (--target, --delimiter, --classes as given), and a model's classes. */
export interface DataFileOptions {
  target?: string;
  /** --delimiter as typed: ',', ';', tab, '\t' or 'tab'. */
  delimiter?: string;
  /** --classes as typed: "a,b,c". */
  classes?: string;
  /** A loaded model's (or the training data's, for a validation file) class labels: used when --classes is not given. */
  knownClasses?: string[];
  /** Whose `knownClasses` they are, for messages (default "the model"). */
  knownClassesFrom?: "the model" | "the training data";
  /** The columns by name (a loaded model's, or the training data's for --val): read in this order, whatever the file's; others ignored. */
  columns?: ColumnSchema;
  /** --inputs as typed (a new model): the input columns, comma-separated. */
  inputs?: string;
  /** --drop as typed (a new model): the columns that are not inputs. */
  drop?: string;
  /** Whose `columns` they are, for messages (default "the model"). */
  columnsFrom?: "the model" | "the training data";
  /** --categorical as typed (a new model): the input columns to one-hot encode, comma-separated. */
  categorical?: string;
  /** With `columns`: the model's (or the training data's) one-hot columns and their categories. */
  oneHot?: OneHotColumn[];
  /** --missing (default "error"): what a missing field (NA, NaN, null, empty...) does. */
  missing?: MissingPolicy;
  /** Where the policy comes from, for the error's message (e.g. " (the model's --missing)"). */
  missingFrom?: string;
  /** Rows without targets (predict on inputs only): this many zero targets per row keep the shapes. */
  nT?: number;
  /** Called as the file is read (a progress line: csv.ts CsvOptions.onProgress). */
  onProgress?: CsvOptions["onProgress"];
}

/**
 * A CSV file as a Dataset, the way the commands read --data and --val: the
 * separator from --delimiter or the header, text labels in the --classes
 * order, else in `knownClasses`' order, else sorted. The table is returned
 * too, for messages about a row and for its warnings.
 */
export function readDataFile(file: string, o: DataFileOptions = {}): { table: NumericTable; data: Dataset } {
  const table = readCsv(file, { ...(o.delimiter !== undefined ? { delimiter: parseDelimiter(o.delimiter) } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}) });
  const labels: LabelOptions = o.classes !== undefined ? { classes: parseClassList(o.classes) }
    : o.knownClasses ? { classes: o.knownClasses, classesFrom: o.knownClassesFrom ?? "the model" } : {};
  if (o.columns) {
    const targets = o.target !== undefined ? o.target.split(",").map((s) => s.trim()).filter(Boolean) : o.columns.targets;
    const byName = selectColumns(table, [...o.columns.inputs, ...targets], (name) => o.columns?.inputs.includes(name)
      ? `an input of ${o.columnsFrom ?? "the model"}: ${cutList(o.columns.inputs)}` : `a target of ${o.columnsFrom ?? "the model"}`);
    return preparedData(byName, targets, labels, o.oneHot ?? [], `${o.columnsFrom ?? "the model"}`, o);
  }
  if (o.inputs === undefined && o.drop === undefined && o.categorical === undefined) {
    const targets = o.target ? o.target.split(",").map((s) => s.trim()).filter(Boolean) : [table.columns[table.columns.length - 1] ?? ""];
    return preparedData(table, targets, labels, [], "", o, o.target);
  }
  const chosen = chooseColumns(table, { ...(o.inputs !== undefined ? { inputs: o.inputs } : {}), ...(o.drop !== undefined ? { drop: o.drop } : {}),
    ...(o.target !== undefined ? { target: o.target } : {}) });
  const targets = chosen.target.split(",");
  const names = o.categorical !== undefined ? columnList("--categorical", o.categorical) : [];
  for (const name of names) {
    if (targets.includes(name)) throw new UsageError(`--categorical ${cut(name)}: '${cut(name)}' is the target (class labels of a ce target need no --categorical)`);
    if (!chosen.table.columns.includes(name)) {
      const why = table.columns.includes(name) ? "not an input (left out by --inputs or --drop)" : `no such column (columns: ${cutList(table.columns)})`;
      throw new InputError(table.file, 1, null, `--categorical: '${cut(name)}' is ${why}`);
    }
  }
  // The categories are those of the rows the model trains on (after --missing), so they are found once the rule is applied.
  return preparedData(chosen.table, targets, labels, names, "the training data", o);
}

/**
 * A model's rows from `table`, its columns already the model's inputs (by
 * name, in its order) then `targets` (none: inputs only, `nT` zero targets
 * per row): the model's missing-value rule and one-hot columns applied.
 * The table's values are handed over (the rows may be made in its buffer).
 * Returns the table the rows are (missing rows left out) for messages.
 */
export function modelRows(table: NumericTable, targets: string[], labels: LabelOptions, oneHot: OneHotColumn[], missing: MissingPolicy,
  missingFrom: string, nT: number): { table: NumericTable; data: Dataset } {
  return preparedData(table, targets, labels, oneHot, "the model", { missing, missingFrom, nT });
}

/**
 * The rows of `table` (its columns the inputs, then `targets`) as a Dataset:
 * the missing-value rule applied, the categorical columns one-hot encoded
 * (`oneHot`: the model's categories, or the names of a new model's
 * categorical columns, whose categories are then this table's), then the
 * inputs and targets split. `target` is what splitTable is given (undefined:
 * its default, the last column).
 */
function preparedData(table: NumericTable, targets: string[], labels: LabelOptions, oneHot: OneHotColumn[] | string[], from: string,
  o: DataFileOptions, target: string | undefined = targets.join(",")): { table: NumericTable; data: Dataset } {
  const targetCols = targets.map((t) => table.columns.indexOf(t)).filter((c) => c >= 0);
  const inputCols = table.columns.map((_, c) => c).filter((c) => !targetCols.includes(c));
  const policy = o.missing ?? "error";
  let rows = table;
  let dropped = 0;
  const first = firstMissing(table);
  if (first && policy === "error") {
    // Text columns first: their one message names every one (a missing value is the next thing to fix).
    const categorical = oneHot.map((h) => (typeof h === "string" ? h : h.column));
    const text = nonNumericColumns(missingAsNaN(table, inputCols), inputCols.filter((c) => !categorical.includes(table.columns[c] ?? "")));
    if (text) throw text;
    throw missingValueError(table, first[0], first[1], o.missingFrom ?? "");
  }
  if (first && policy === "drop") ({ table: rows, dropped } = dropMissingRows(table, table.columns.map((_, c) => c)));
  if (first && policy === "mean") {
    // A missing target cannot be filled in: its row is left out, as with drop; missing inputs become NaN, filled in after the split.
    ({ table: rows, dropped } = dropMissingRows(table, targetCols));
    rows = missingAsNaN(rows, inputCols);
  }
  const categorical: OneHotColumn[] = oneHot.map((h) => (typeof h === "string" ? { column: h, categories: categoriesOf(rows, rows.columns.indexOf(h)) } : h));
  const encoded = oneHotTable(rows, categorical, from);
  // The rows are this function's to give away: `table` is read here or handed over (modelRows), and the table returned is for messages only.
  const data = targets.length === 0 ? inputsOnly(encoded, o.nT ?? 0, true) : splitTable(encoded, target, labels, true);
  if (categorical.length > 0) data.encoding = { inputs: inputCols.map((c) => table.columns[c] ?? ""), categorical };
  if (dropped > 0) data.dropped = dropped;
  return { table: rows, data };
}
