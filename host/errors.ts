// Errors that end a command with a specific exit code and one clear line.
//   2: bad input (usage, files, data, a model that does not fit)
//   3: training diverged (loss or gradient not finite)
//   4: the board stopped answering or failed
// Imports nothing: every layer throws these, so this file sits below them all.

export class UsageError extends Error {
  readonly exitCode = 2;
}

/** A problem at a place in an input file: "file:line:col: message". */
export class InputError extends UsageError {
  constructor(file: string, line: number | null, col: number | null, what: string) {
    const where = [file, line, col].filter((v) => v !== null && v !== undefined).join(":");
    super(`${where}: ${what}`);
  }
}

/** A completed epoch, as far as an error needs one (run/session.ts's EpochEvent is one). */
export interface CompletedEpoch {
  readonly epoch: number;
}

/** What a run had learnt when it stopped: the model after the last completed epoch, and the epochs so far. */
export interface RunSoFar {
  lastGood: Float32Array | null;
  history: readonly CompletedEpoch[];
}

export class DivergedError extends Error {
  readonly exitCode = 3;
  constructor(readonly epoch: number, readonly batch: number, what: string,
    /** The failed batch's status (OK when only the loss was not finite). */
    readonly status: number, readonly soFar: RunSoFar) {
    super(`training diverged at epoch ${epoch}, batch ${batch}: ${what}. ` +
      "Try a lower --lr or gradient clipping (--clip-norm 1).");
  }
}

/** Ctrl-C stopped the run at a batch boundary (exit 130, as a shell reports SIGINT). */
export class InterruptedError extends Error {
  readonly exitCode = 130;
  constructor(readonly epoch: number, readonly batches: number, readonly soFar: RunSoFar) {
    super(batches === 0 ? `interrupted after epoch ${epoch - 1}.`
      : `interrupted during epoch ${epoch}, after ${batches} batch${batches === 1 ? "" : "es"} of it.`);
  }
}

export class LinkError extends Error {
  readonly exitCode = 4;
  /** Set by the training session the failure passed through (null outside a session). */
  soFar: RunSoFar | null = null;
}
