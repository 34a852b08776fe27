// --inputs COLS and --drop COLS: which columns of a CSV a new model takes as
// inputs (as pandas' usecols / drop would): the named inputs, or every column
// but the dropped ones and the targets. Targets default to the file's last
// column that is left.
import type { NumericTable } from "./csv.js";
import { InputError, UsageError } from "../errors.js";
import { cut, cutList } from "../text/quote.js";
import { selectColumns } from "./schema.js";

/** --inputs and --drop as typed: comma-separated column names. */
export interface ColumnChoice {
  inputs?: string;
  drop?: string;
  target?: string;
}

/** A comma-separated list of column names, each once. */
export function columnList(flag: string, text: string): string[] {
  const names = text.split(",").map((s) => s.trim());
  const empty = names.indexOf("");
  if (empty >= 0) throw new UsageError(`${flag} ${cut(text)}: name ${empty + 1} is empty`);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw new UsageError(`${flag} ${cut(text)}: '${cut(twice)}' is named twice`);
  return names;
}

/**
 * The table with only the chosen columns: the inputs (in --inputs' order, or
 * the file's), then the targets; and the targets' names for splitTable.
 * A name the file lacks is exit 2 naming it.
 */
export function chooseColumns(table: NumericTable, choice: ColumnChoice): { table: NumericTable; target: string } {
  if (choice.inputs !== undefined && choice.drop !== undefined) {
    throw new UsageError(`--inputs ${cut(choice.inputs)} and --drop ${cut(choice.drop)}: give one of them (the inputs, or the columns to leave out)`);
  }
  const known = (flag: string, names: string[]) => {
    const missing = names.find((n) => !table.columns.includes(n));
    if (missing !== undefined) throw new InputError(table.file, 1, null, `${flag}: no column '${cut(missing)}' (columns: ${cutList(table.columns)})`);
  };
  const drop = choice.drop !== undefined ? columnList("--drop", choice.drop) : [];
  known("--drop", drop);
  const inputs = choice.inputs !== undefined ? columnList("--inputs", choice.inputs) : null;
  if (inputs) known("--inputs", inputs);
  let targets: string[];
  if (choice.target !== undefined) {
    targets = columnList("--target", choice.target);
  } else {
    const left = table.columns.filter((c) => !drop.includes(c) && !(inputs ?? []).includes(c));
    const last = left[left.length - 1];
    if (last === undefined) throw new UsageError(`no column is left for the target: name it with --target`);
    targets = [last];
  }
  known("--target", targets);
  const clash = targets.find((t) => drop.includes(t) || (inputs ?? []).includes(t));
  if (clash !== undefined) throw new UsageError(`column '${cut(clash)}' is the target and ${drop.includes(clash) ? "dropped (--drop)" : "an input (--inputs)"}`);
  const chosen = inputs ?? table.columns.filter((c) => !drop.includes(c) && !targets.includes(c));
  if (chosen.length === 0) throw new InputError(table.file, 1, null, `no input columns left after --drop and the target columns`);
  return { table: selectColumns(table, [...chosen, ...targets], () => ""), target: targets.join(",") };
}
