// Watches the per-layer gradient norms the board sends with each batch reply
// and names the layer when they vanish or explode for several batches in a row.
// Vanishing gradients have opposite causes: steps too small to matter, or steps
// so large that they killed the ReLUs or saturated the activations. The loss
// tells them apart: a run whose loss is at or above where it started has not
// been learning slowly, it has been knocked off course (SGD --lr 10).
import type { BatchResult } from "../boards/board.js";

export const VANISH_BELOW = 1e-7;
export const EXPLODE_ABOVE = 1e3;
export const RUN_LENGTH = 5;
/** A final loss this many times the first batch's is overshooting, not slow learning. */
export const OVERSHOOT_RATIO = 1.5;

export interface GradWarning {
  event: "warning";
  kind: "vanishing_gradients" | "exploding_gradients" | "loss_not_improving";
  layer: number; // 1-based dense layer
  layer_shape: string; // e.g. "32->3"
  epoch: number;
  batch: number; // 1-based, within the epoch
  norm: number;
  batches: number;
  /** Vanishing only: what the loss says about the cause. */
  cause?: "lr_too_large" | "small_gradients";
  message: string;
}

export class GradWatch {
  private low: number[] = [];
  private high: number[] = [];
  private reported = new Set<string>();
  /** Mean loss per row of the first batch seen, and of the latest. */
  private firstLoss = NaN;
  private lastLoss = NaN;
  private epochLosses: number[] = [];
  /** The current epoch's batches: their summed loss and rows (the board's loss, the first batch's scale). */
  private epochSum = 0;
  private epochRows = 0;

  /** `frozenLayers`: the first K layers are fixed (--freeze); their norms are 0 by design, not vanishing. */
  constructor(private sizes: number[], private emit: (w: GradWarning) => void,
    private runLength = RUN_LENGTH, private frozenLayers = 0) {}

  batch(epoch: number, r: BatchResult): void {
    const perRow = r.rows > 0 ? r.lossSum / r.rows : NaN;
    if (Number.isNaN(this.firstLoss)) this.firstLoss = perRow;
    this.lastLoss = perRow;
    this.epochSum += r.lossSum;
    this.epochRows += r.rows;
    const n = r.gradNorms.length;
    for (let l = this.frozenLayers; l < n; l++) {
      const g = r.gradNorms[l];
      this.low[l] = g < VANISH_BELOW ? (this.low[l] ?? 0) + 1 : 0;
      this.high[l] = g > EXPLODE_ABOVE || !Number.isFinite(g) ? (this.high[l] ?? 0) + 1 : 0;
      if (this.low[l] === this.runLength) this.fire("vanishing_gradients", l, epoch, r, g);
      if (this.high[l] === this.runLength) this.fire("exploding_gradients", l, epoch, r, g);
    }
  }

  /**
   * An epoch's mean loss per row: its batches' as the board computed it, when
   * they were seen (`loss`, the reported one, may be in other units: with
   * --normalize-target it is the targets' own, the board's is the z-scored
   * targets', the first batch's scale), so the start and the end compare like with like.
   */
  epoch(loss: number): void {
    this.epochLosses.push(this.epochRows > 0 ? this.epochSum / this.epochRows : loss);
    this.epochSum = 0;
    this.epochRows = 0;
  }

  /**
   * At the end of a run that completed: a loss that ended well above where it
   * started (the first batch's) after two or more epochs means the steps
   * overshoot: too large a learning rate. (A loss that barely moved is a slow
   * run, often a too small --lr: not this warning.)
   */
  finish(epoch: number): void {
    const last = this.epochLosses[this.epochLosses.length - 1];
    if (this.epochLosses.length < 2 || !(last >= OVERSHOOT_RATIO * this.firstLoss)) return;
    if ([...this.reported].some((k) => k.startsWith("lr_too_large"))) return; // already said
    this.reported.add("lr_too_large:loss");
    this.emit({
      event: "warning", kind: "loss_not_improving", layer: 0, layer_shape: "", epoch, batch: 0, norm: NaN,
      batches: 0, cause: "lr_too_large",
      message: `the loss ended at ${fmt(last)} per row, well above where it started (${fmt(this.firstLoss)}): ` +
        "the steps overshoot; try a 10x lower --lr (or --clip-norm 1)",
    });
  }

  private fire(kind: GradWarning["kind"], l: number, epoch: number, r: BatchResult, norm: number): void {
    const key = `${kind}:${l}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    if (kind === "vanishing_gradients" && !(this.lastLoss < this.firstLoss)) this.reported.add(`lr_too_large:${l}`);
    const shape = this.sizes.length > l + 1 ? `${this.sizes[l]}->${this.sizes[l + 1]}` : "?";
    // Not lower than at the start (or not finite): the steps made things worse.
    const stalledHigh = !(this.lastLoss < this.firstLoss);
    const cause = kind !== "vanishing_gradients" ? undefined : stalledHigh ? "lr_too_large" : "small_gradients";
    const vanish = `gradients vanish: norm below ${VANISH_BELOW} for ${this.runLength} batches in a row`;
    const what = cause === "lr_too_large"
      ? `${vanish} while the loss is not below where it started (${fmt(this.firstLoss)} -> ${fmt(this.lastLoss)} per row): ` +
        "the steps are too large (a too large --lr kills ReLUs and saturates sigmoid/tanh); try a 10x lower --lr or --clip-norm 1"
      : cause === "small_gradients"
        ? `${vanish} (dead ReLUs, saturated sigmoid/tanh, or a too small --lr); try --act leaky_relu, --init he or another optimizer`
        : `gradients explode: norm above ${EXPLODE_ABOVE} for ${this.runLength} batches in a row; try a lower --lr or --clip-norm 1`;
    this.emit({
      event: "warning", kind, layer: l + 1, layer_shape: shape, epoch, batch: r.index + 1, norm,
      batches: this.runLength, ...(cause ? { cause } : {}),
      message: `layer ${l + 1} (${shape}): ${what} (epoch ${epoch}, batch ${r.index + 1}, norm ${norm.toExponential(2)})`,
    });
  }
}

const fmt = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(3)).toString() : String(x));
