// --checkpoint DIR: after every epoch, the board's model and optimizer state
// (the protocol board serves both from the snapshot it already pulled).
import type { Board } from "../boards/board.js";
import type { RunConfig } from "../model/config.js";
import type { EpochEvent } from "./session.js";
import { writeCheckpoint } from "./checkpoint.js";
import { allFinite } from "./session.js";
import { DivergedError } from "../errors.js";
import { Status } from "../protocol/status.js";
import type { RunObserver } from "./observer.js";
import type { EarlyStopState } from "./early-stopping.js";
import type { ModelExtras } from "../model/model-file.js";

export class CheckpointWriter implements RunObserver {
  constructor(private readonly dir: string, private readonly model: RunConfig,
    private readonly persisted: Record<string, string | number | boolean>,
    /** With --early-stop: its state after the epoch (the best model and the wait). */
    private readonly earlyStop?: () => EarlyStopState,
    /** The model file's extras (classes, input statistics). */
    private readonly extras: ModelExtras = {}) {}

  async epoch(e: EpochEvent, history: readonly EpochEvent[], board: Board): Promise<void> {
    const [weights, optimizer] = [await board.getWeights(), await board.getOptimizerState()];
    // What cannot be loaded back is divergence: the checkpoint of the epoch before stays.
    for (const [what, a] of [["weights", weights], ["optimizer state", optimizer.state]] as const) {
      if (!allFinite(a)) {
        throw new DivergedError(e.epoch, e.steps, `the board's ${what} are not finite (NaN or infinity) after the epoch`, Status.NON_FINITE,
          { lastGood: allFinite(weights) ? weights : null, history: history.slice(0, -1) });
      }
    }
    writeCheckpoint(this.dir, { epoch: e.epoch, settings: this.persisted, model: this.model, weights, optimizer, history: [...history], earlyStop: this.earlyStop?.(), extras: this.extras });
  }
}
