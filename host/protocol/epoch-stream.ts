// The requests of one training epoch in stream order, for the pipeline: a
// SET_LR before a batch whose learning rate the schedule changes (OneCycleLR
// steps per batch), then the batch's frames (BATCH chunks, or one
// TRAIN_STORE). A restart replays the stream as it was, lr changes included.
// Only what each request is (its type, batch, lr, rows) is listed ahead; its
// payload is encoded when the pipeline first sends it (`encode`), so an
// epoch of a large file is never held encoded a second time (issue 23).
// Nothing is listed per request: a request's batch, rows and lr follow from
// the layout and a few numbers per batch. Five JS lists of 62,500 requests
// (500,000 rows in chunks of 8) survived the nursery while they were built
// (measured: about 5 MB live and a larger nursery, most of --link memory's
// peak over --link direct); typed arrays of them still held 1.5 MB.
import type { Requests } from "./pipeline.js";
import { Type } from "./frame.js";
import { encodeSetLr } from "./codec.js";

/** An epoch's rows in batches, each sent as frames of `type` of at most `chunk` rows. */
export interface EpochLayout {
  type: number;
  rows: number;
  batch: number;
  chunk: number;
}

export class EpochStream implements Requests {
  readonly length: number;
  /** Batch b's first request (its SET_LR, if it has one); one more entry: the length. */
  private readonly batchStart: Int32Array;
  /** 1 when batch b starts with a SET_LR. */
  private readonly setsLr: Uint8Array;
  /** The lr the board holds during batch b (its SET_LR answered). */
  private readonly lrAt: Float64Array;

  /**
   * `lr`: what the board holds before the epoch; `lrs[b]`: batch b's (absent:
   * no change); `encode(i)`: training request i's payload, from firstOf(i) and rowsOf(i).
   */
  constructor(lr: number, lrs: ArrayLike<number> | undefined, private readonly layout: EpochLayout,
    private readonly encode: (i: number) => Uint8Array) {
    const { rows, batch, chunk } = layout;
    const batches = Math.ceil(rows / batch);
    this.batchStart = new Int32Array(batches + 1);
    this.setsLr = new Uint8Array(batches);
    this.lrAt = new Float64Array(batches);
    let n = 0;
    for (let b = 0; b < batches; b++) {
      this.batchStart[b] = n;
      // Before batch b's frames: a SET_LR when its lr differs from the board's.
      if (lrs && lrs[b] !== lr) { lr = lrs[b]; this.setsLr[b] = 1; n++; }
      this.lrAt[b] = lr;
      n += Math.ceil(Math.min(batch, rows - b * batch) / chunk);
    }
    this.batchStart[batches] = n;
    this.length = n;
  }

  type(i: number): number {
    return this.isSetLr(i) ? Type.SET_LR : this.layout.type;
  }

  payload(i: number): Uint8Array {
    return this.isSetLr(i) ? encodeSetLr(this.lrOf(i)) : this.encode(i);
  }

  /** The batch of request i, -1 for a SET_LR. */
  batchOf(i: number): number {
    const b = this.batchAt(i);
    return this.setsLr[b] === 1 && i === this.batchStart[b] ? -1 : b;
  }

  /** The lr the board holds once request i is answered. */
  lrOf(i: number): number {
    return this.lrAt[this.batchAt(i)];
  }

  /** The first row training request i carries (0 for a SET_LR). */
  firstOf(i: number): number {
    const b = this.batchAt(i), k = i - this.batchStart[b] - this.setsLr[b];
    return k < 0 ? 0 : b * this.layout.batch + k * this.layout.chunk;
  }

  /** The rows training request i carries (its reply must say the same; 0 for a SET_LR). */
  rowsOf(i: number): number {
    if (this.isSetLr(i)) return 0;
    const { rows, batch, chunk } = this.layout;
    const first = this.firstOf(i), end = Math.min(rows, (this.batchAt(i) + 1) * batch);
    return Math.min(chunk, end - first);
  }

  /** Whether training request i is its batch's last (the one that makes the board step). */
  endsBatch(i: number): boolean {
    return i === this.batchStart[this.batchAt(i) + 1] - 1;
  }

  isSetLr(i: number): boolean {
    return this.batchOf(i) < 0;
  }

  /** The batch request i belongs to (a SET_LR: the batch it comes before). */
  private batchAt(i: number): number {
    let lo = 0, hi = this.batchStart.length - 2;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.batchStart[mid] <= i) lo = mid; else hi = mid - 1;
    }
    return lo;
  }
}
