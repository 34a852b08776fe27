// A run's training rows from their typed source (RunSpec.source): a CSV file
// or a built-in data set. Reading and checking, no flags.
import type { NumericTable } from "./csv.js";
import { readDataFile, type DataFileOptions, type Dataset } from "./dataset.js";
import { findDataset } from "./datasets.js";
import { InputError } from "../errors.js";
import { cutList } from "../text/quote.js";

/** Where a run's training rows come from. */
export type DataSource =
  /** --data: how to read it (--target, --delimiter, --classes or a loaded model's classes). */
  | { kind: "csv"; file: string; options: DataFileOptions }
  | { kind: "dataset"; name: string; seed: number }
  /** Rows a program hands in (the demo's data sets). */
  | { kind: "given"; name: string };

export interface RunData {
  data: Dataset;
  /** The CSV the rows came from (line numbers for messages), null for a built-in data set. */
  table: NumericTable | null;
}

/** Reads the rows of `source`; a CSV's warnings go to `warn`, and how far its read has come to `onProgress` (a progress line). */
export function readRunData(source: DataSource, warn: (text: string) => void = (t) => process.stderr.write(`warning: ${t}\n`),
  onProgress?: DataFileOptions["onProgress"]): RunData {
  switch (source.kind) {
    case "dataset": return { data: findDataset(source.name).make(source.seed), table: null };
    case "csv": {
      const { table, data } = readDataFile(source.file, onProgress ? { ...source.options, onProgress } : source.options);
      for (const w of table.warnings) warn(w);
      return { data, table };
    }
    case "given": throw new Error(`readRunData: the rows of '${source.name}' are given by the program, not read`);
  }
}

/**
 * --val FILE.csv: held-out rows with the training data's columns (the same
 * input and target columns, by name, in any order; others ignored), read as --data is;
 * class labels map to the training data's indices.
 */
export function readValidationFile(file: string, options: DataFileOptions, train: Dataset,
  warn: (text: string) => void = (t) => process.stderr.write(`warning: ${t}\n`)): RunData {
  const { table, data } = readDataFile(file, {
    ...options, target: options.target ?? train.targetNames.join(","),
    // By name, in any order: the file may have its columns elsewhere, or more of them.
    columns: { inputs: train.encoding?.inputs ?? train.inputNames, targets: train.targetNames }, columnsFrom: "the training data" as const,
    ...(train.encoding ? { oneHot: train.encoding.categorical } : {}),
    ...(train.classes ? { knownClasses: train.classes, knownClassesFrom: "the training data" as const } : {}),
  });
  for (const w of table.warnings) warn(w);
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((n, i) => n === b[i]);
  if (!same(data.inputNames, train.inputNames) || !same(data.targetNames, train.targetNames)) {
    throw new InputError(file, 1, null, `--val: the columns are ${cutList([...data.inputNames, ...data.targetNames])}; ` +
      `expected the training data's ${cutList([...train.inputNames, ...train.targetNames])}`);
  }
  return { data: { ...data, name: file }, table };
}
