// A training run as one stream of events, and what watches it: the console
// view (live view, plain lines or JSON events, the summary), the checkpoint
// writer and the report writer are each one RunObserver. The run calls them
// in the order they are given.
import type { BatchResult, Board } from "../boards/board.js";
import type { EpochEvent } from "./session.js";
import type { Plan } from "../model/plan.js";
import type { RunRecord } from "../report/html.js";
import type { RunSpec } from "./run-spec.js";

/** The configured run, before its first epoch. */
export interface RunStart {
  run: RunSpec;
  plan: Plan;
  board: Board;
  /** The epoch it starts after (a resumed run: the checkpoint's). */
  startEpoch: number;
}

/** The run's result, as the summary line and the "done" event give it. */
export interface RunFinish {
  run: RunSpec;
  record: RunRecord;
  /** The "done" event (docs: the JSON events). */
  done: Record<string, unknown>;
  /** The final loss of the run. */
  finalLoss: number | null;
}

export interface RunObserver {
  started?(s: RunStart): void;
  /** After each batch reply (epoch is 1-based). */
  batch?(epoch: number, r: BatchResult, rowsDone: number): void;
  /** After each epoch; `history` is every epoch so far, this one included. */
  epoch?(e: EpochEvent, history: readonly EpochEvent[], board: Board): void | Promise<void>;
  /** The epochs are over, trained or failed: live output stops. */
  stopped?(): void;
  finished?(f: RunFinish): void;
}
