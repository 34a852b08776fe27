// --early-stop PATIENCE [--min-delta X]: Keras' EarlyStopping(monitor=
// "val_loss", mode="min", patience, min_delta, restore_best_weights=True).
// After each epoch: an improvement is val_loss < best - min_delta (then best
// and the best epoch's weights are kept and the wait restarts), otherwise the
// wait grows; when it reaches PATIENCE the run stops. The model the run ends
// with is the best epoch's, bit for bit (the weights the session pulled after
// that epoch), also when the epochs run out first (Keras restores only when it
// stops early; a model that is not the best one seen would surprise here).

export interface EarlyStopSettings {
  patience: number;
  minDelta: number;
}

/** What a checkpoint keeps of it, so a resumed run continues exactly. */
export interface EarlyStopState {
  /** 1-based epoch of the best validation loss so far; 0 before the first epoch. */
  bestEpoch: number;
  bestLoss: number;
  /** Epochs since the best one. */
  wait: number;
  /** The best epoch's weights (null before the first epoch). */
  bestWeights: Float32Array | null;
}

export const INITIAL_EARLY_STOP: EarlyStopState = { bestEpoch: 0, bestLoss: Infinity, wait: 0, bestWeights: null };

export class EarlyStopping {
  private s: EarlyStopState;

  constructor(readonly settings: EarlyStopSettings, from: EarlyStopState = INITIAL_EARLY_STOP) {
    this.s = { ...from };
  }

  get state(): EarlyStopState {
    return { ...this.s };
  }

  /** The patience ran out: no more epochs. */
  get exhausted(): boolean {
    return this.s.wait >= this.settings.patience;
  }

  /**
   * After 1-based `epoch` with validation loss `valLoss` and the weights the
   * board holds now: returns true when the run should stop.
   */
  endEpoch(epoch: number, valLoss: number, weights: Float32Array): boolean {
    if (valLoss < this.s.bestLoss - this.settings.minDelta) {
      this.s = { bestEpoch: epoch, bestLoss: valLoss, wait: 0, bestWeights: weights.slice() };
    } else {
      this.s = { ...this.s, wait: this.s.wait + 1 };
    }
    return this.exhausted;
  }
}
