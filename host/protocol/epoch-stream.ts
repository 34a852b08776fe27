// The requests of one training epoch in stream order, for the pipeline: a
// SET_LR before a batch whose learning rate the schedule changes (OneCycleLR
// steps per batch), then the batch's frames (BATCH chunks, or one
// TRAIN_STORE). A restart replays the stream as it was, lr changes included.
import type { Request } from "./pipeline.js";
import { Type } from "./frame.js";
import { encodeSetLr } from "./codec.js";

export class EpochStream {
  readonly reqs: Request[] = [];
  /** The batch of each request, -1 for a SET_LR. */
  readonly batchOf: number[] = [];
  /** The lr the board holds once each request is answered. */
  readonly lrOf: number[] = [];
  /** The rows each training request carries (its reply must say the same). */
  readonly rowsOf: number[] = [];

  /** `lr`: what the board holds before the epoch; `lrs[b]`: batch b's (absent: no change). */
  constructor(private lr: number, private readonly lrs: ArrayLike<number> | undefined) {}

  /** Before batch `b`'s frames: a SET_LR when its lr differs from the board's. */
  startBatch(b: number): void {
    if (this.lrs && this.lrs[b] !== this.lr) {
      this.lr = this.lrs[b];
      this.push({ type: Type.SET_LR, payload: encodeSetLr(this.lr) }, -1, 0);
    }
  }

  /** A training request of batch `b` carrying `rows` rows. */
  push(req: Request, b: number, rows: number): void {
    this.reqs.push(req);
    this.batchOf.push(b);
    this.lrOf.push(this.lr);
    this.rowsOf.push(rows);
  }

  isSetLr(i: number): boolean {
    return this.batchOf[i] < 0;
  }
}
