// The requests of one training epoch in stream order, for the pipeline: a
// SET_LR before a batch whose learning rate the schedule changes (OneCycleLR
// steps per batch), then the batch's frames (BATCH chunks, or one
// TRAIN_STORE). A restart replays the stream as it was, lr changes included.
// Only what each request is (its type, batch, lr, rows) is listed ahead; its
// payload is encoded when the pipeline first sends it (`encode`), so an
// epoch of a large file is never held encoded a second time (issue 23).
import type { Requests } from "./pipeline.js";
import { Type } from "./frame.js";
import { encodeSetLr } from "./codec.js";

export class EpochStream implements Requests {
  private readonly types: number[] = [];
  /** The batch of each request, -1 for a SET_LR. */
  readonly batchOf: number[] = [];
  /** The lr the board holds once each request is answered. */
  readonly lrOf: number[] = [];
  /** The first row each training request carries (0 for a SET_LR). */
  readonly firstOf: number[] = [];
  /** The rows each training request carries (its reply must say the same). */
  readonly rowsOf: number[] = [];

  /**
   * `lr`: what the board holds before the epoch; `lrs[b]`: batch b's (absent:
   * no change); `encode(i)`: training request i's payload, from the lists above.
   */
  constructor(private lr: number, private readonly lrs: ArrayLike<number> | undefined,
    private readonly encode: (i: number) => Uint8Array) {}

  get length(): number {
    return this.types.length;
  }

  type(i: number): number {
    return this.types[i];
  }

  payload(i: number): Uint8Array {
    return this.isSetLr(i) ? encodeSetLr(this.lrOf[i]) : this.encode(i);
  }

  /** Before batch `b`'s frames: a SET_LR when its lr differs from the board's. */
  startBatch(b: number): void {
    if (this.lrs && this.lrs[b] !== this.lr) {
      this.lr = this.lrs[b];
      this.add(Type.SET_LR, -1, 0, 0);
    }
  }

  /** A training request of `type` in batch `b` carrying rows first .. first + rows - 1. */
  push(type: number, b: number, first: number, rows: number): void {
    this.add(type, b, first, rows);
  }

  /** Whether training request i is its batch's last (the one that makes the board step). */
  endsBatch(i: number): boolean {
    return i === this.types.length - 1 || this.batchOf[i + 1] !== this.batchOf[i];
  }

  isSetLr(i: number): boolean {
    return this.batchOf[i] < 0;
  }

  private add(type: number, b: number, first: number, rows: number): void {
    this.types.push(type);
    this.batchOf.push(b);
    this.lrOf.push(this.lr);
    this.firstOf.push(first);
    this.rowsOf.push(rows);
  }
}
