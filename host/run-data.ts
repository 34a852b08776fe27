// A run's training rows from their typed source (RunSpec.source): a CSV file
// or a built-in data set. Reading and checking, no flags.
import { readCsv, type NumericTable } from "./csv.js";
import { splitTable, type Dataset } from "./dataset.js";
import { findDataset } from "./datasets/index.js";
import { InputError } from "./errors.js";
import { cutList } from "./quote.js";
import type { DataSource } from "./run-spec.js";

export interface RunData {
  data: Dataset;
  /** The CSV the rows came from (line numbers for messages), null for a built-in data set. */
  table: NumericTable | null;
}

/** Reads the rows of `source`; a CSV's warnings go to `warn`. */
export function readRunData(source: DataSource, warn: (text: string) => void = (t) => process.stderr.write(`warning: ${t}\n`)): RunData {
  switch (source.kind) {
    case "dataset": return { data: findDataset(source.name).make(source.seed), table: null };
    case "csv": {
      const table = readCsv(source.file);
      for (const w of table.warnings) warn(w);
      return { data: splitTable(table, source.target), table };
    }
    case "given": throw new Error(`readRunData: the rows of '${source.name}' are given by the program, not read`);
  }
}

/**
 * --val FILE.csv: held-out rows with the training data's columns (the same
 * input and target columns, by name, in the same order).
 */
export function readValidationFile(file: string, target: string | undefined, train: Dataset,
  warn: (text: string) => void = (t) => process.stderr.write(`warning: ${t}\n`)): RunData {
  const table = readCsv(file);
  for (const w of table.warnings) warn(w);
  const data = splitTable(table, target ?? train.targetNames.join(","));
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((n, i) => n === b[i]);
  if (!same(data.inputNames, train.inputNames) || !same(data.targetNames, train.targetNames)) {
    throw new InputError(file, 1, null, `--val: the columns are ${cutList([...data.inputNames, ...data.targetNames])}; ` +
      `expected the training data's ${cutList([...train.inputNames, ...train.targetNames])}`);
  }
  return { data: { ...data, name: file }, table };
}
