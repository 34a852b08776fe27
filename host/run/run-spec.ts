// A training run as the commands hand it down: typed values resolved once
// from the flags (run-options.ts `runSpecOf`), the data and model already
// read and checked. Nothing below the command layer sees parsed flags; the
// run (training-run.ts), its observers (run/) and the session take this.
import type { NumericTable } from "../data/csv.js";
import type { Dataset } from "../data/dataset.js";
import type { ModelExtras, ModelFile } from "../model/model-file.js";
import type { Checkpoint } from "./checkpoint.js";
import type { RunConfig } from "../model/config.js";
import type { Schedule } from "./schedule.js";
import type { EarlyStopSettings } from "./early-stopping.js";
import type { DataSource } from "../data/run-data.js";

export type { DataSource };

/** The model, optimizer and session settings of a run. */
export interface RunSettings {
  run: RunConfig;
  batch: number;
  /** --batch as given ("full" or a number), for the start line and reports. */
  batchText: string;
  epochs: number;
  shuffle: boolean;
  schedule: Schedule;
  /** --early-stop (on the validation loss), or null. */
  earlyStop: EarlyStopSettings | null;
}

/** Where a run's held-out rows come from: --val FILE.csv or --val-split F (of the training rows). */
export type ValidationSource = { kind: "file"; file: string } | { kind: "split"; fraction: number };

/** Where a run's results go. */
export interface RunOutputs {
  json: boolean;
  quiet: boolean;
  /** --save: the trained (or salvaged) model. */
  save: string | null;
  /** --report: the HTML report. */
  report: string | null;
  /** --checkpoint DIR, or the --resume DIR the run continues in. */
  checkpointDir: string | null;
  /** --resume DIR, for the "resuming from" line. */
  resumedFrom: string | null;
}

/** Outputs that write nothing and print only what the caller's progress mode shows. */
export const NO_OUTPUTS: RunOutputs = { json: false, quiet: true, save: null, report: null, checkpointDir: null, resumedFrom: null };

/** A persisted flag a resumed run takes from the command line instead of the checkpoint. */
export interface ResumeOverride {
  flag: string;
  saved: string | number | boolean | null;
  now: string | number | boolean;
}

/** A run's persisted flags by name, as a checkpoint's "settings" holds them (OptionSpec.persist). */
export type PersistedSettings = Record<string, string | number | boolean>;

/** --normalize: the training rows' input statistics (model-file.ts ModelExtras), set on the board after configuration. */
export type InputNormalization = NonNullable<ModelExtras["normalization"]>;

/** What a board needs to be set up for a run: the settings and the starting model or checkpoint. */
export interface PreparedRun {
  settings: RunSettings;
  /** The input statistics the board z-scores every input row with (settings.run.normalizeInputs), or absent. */
  normalization?: InputNormalization | null;
  data: Dataset;
  table: NumericTable | null;
  loaded: ModelFile | null;
  /** Set with --resume: where the run continues from. */
  resume?: Checkpoint;
  /** With --resume: the checkpoint's settings the command line changed (announced when the run starts). */
  overrides?: ResumeOverride[];
}

/** A whole training run: what to train, from where, and where its results go. */
export interface RunSpec extends PreparedRun {
  source: DataSource;
  /** The held-out rows evaluated after every epoch (with --val-split, `data` is the rest), or null. */
  validation: Dataset | null;
  validationSource: ValidationSource | null;
  outputs: RunOutputs;
  /** What a checkpoint of this run saves as its settings (with --resume: the merged flags'). */
  persisted: PersistedSettings;
  /** What the data deserve a word about (CSV warnings, unscaled inputs): the run's view says them as the run starts (a JSON event with --json, nothing with --quiet) and counts them. */
  dataWarnings?: string[];
}
