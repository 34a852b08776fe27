// --checkpoint DIR: after every epoch, the board's model and optimizer state
// (the protocol board serves both from the snapshot it already pulled).
import type { Board } from "../boards/board.js";
import type { RunConfig } from "../model/config.js";
import type { EpochEvent } from "./session.js";
import { readCheckpoint, writeCheckpoint } from "./checkpoint.js";
import { WriteError } from "../files/atomic-write.js";
import { allFinite } from "./session.js";
import { DivergedError, type RunSoFar } from "../errors.js";
import { Status } from "../protocol/status.js";
import type { RunObserver } from "./observer.js";
import type { EarlyStopState } from "./early-stopping.js";
import type { ModelExtras } from "../model/model-file.js";

/**
 * A checkpoint could not be written (full disk, permissions): the run stops
 * (exit 2), its --save still written, and the message names the checkpoint
 * to resume from.
 */
export class CheckpointWriteError extends WriteError {
  constructor(message: string, readonly soFar: RunSoFar) { super(message); }
}

export class CheckpointWriter implements RunObserver {
  /** The epoch DIR/checkpoint.json holds for this run (a resumed run's checkpoint, when it continues in the same DIR). */
  private written: number | null;

  constructor(private readonly dir: string, private readonly model: RunConfig,
    private readonly persisted: Record<string, string | number | boolean>,
    /** With --early-stop: its state after the epoch (the best model and the wait). */
    private readonly earlyStop?: () => EarlyStopState,
    /** The model file's extras (classes, input statistics). */
    private readonly extras: ModelExtras = {},
    /** The epoch of the checkpoint already in DIR (resuming from DIR itself), or null. */
    resumedEpoch: number | null = null) {
    this.written = resumedEpoch;
  }

  async epoch(e: EpochEvent, history: readonly EpochEvent[], board: Board): Promise<void> {
    const [weights, optimizer] = [await board.getWeights(), await board.getOptimizerState()];
    // What cannot be loaded back is divergence: the checkpoint of the epoch before stays.
    for (const [what, a] of [["weights", weights], ["optimizer state", optimizer.state]] as const) {
      if (!allFinite(a)) {
        throw new DivergedError(e.epoch, e.steps, `the board's ${what} are not finite (NaN or infinity) after the epoch`, Status.NON_FINITE,
          { lastGood: allFinite(weights) ? weights : null, history: history.slice(0, -1) });
      }
    }
    try {
      writeCheckpoint(this.dir, { epoch: e.epoch, settings: this.persisted, model: this.model, weights, optimizer, history: [...history], earlyStop: this.earlyStop?.(), extras: this.extras });
    } catch (err) {
      if (!(err instanceof WriteError)) throw err;
      // checkpoint.json written (only model.json failed): the checkpoint is at this epoch.
      if (readCheckpointEpoch(this.dir) === e.epoch) this.written = e.epoch;
      const where = this.written !== null
        ? `the checkpoint in ${this.dir} is at epoch ${this.written}: continue with --resume ${this.dir}`
        : `${this.dir} holds no checkpoint of this run`;
      throw new CheckpointWriteError(`${err.message}; ${where}.`, { lastGood: weights, history: [...history] });
    }
    this.written = e.epoch;
  }
}

/** The epoch of the checkpoint in `dir`, or null when there is none that loads. */
function readCheckpointEpoch(dir: string): number | null {
  try { return readCheckpoint(dir).epoch; } catch { return null; }
}
