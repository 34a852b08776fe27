// The requests of one training epoch in stream order, for the pipeline: a
// SET_LR before a batch whose learning rate the schedule changes (OneCycleLR
// steps per batch), then the batch's frames (BATCH chunks, or one
// TRAIN_STORE). A restart replays the stream as it was, lr changes included.
// Only what each request is (its type, batch, lr, rows) is listed ahead; its
// payload is encoded when the pipeline first sends it (`encode`), so an
// epoch of a large file is never held encoded a second time (issue 23).
// The lists are typed arrays sized once for the epoch: growing JS arrays of
// 62,500 requests (500,000 rows in chunks of 8) survived the nursery while
// they were built, which made V8 grow it for the whole run (measured: about
// 9 MB of --link memory's peak over --link direct).
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

/** The training requests of `rows` rows in batches of `batch` rows, chunks of `chunk`. */
function trainingRequests({ rows, batch, chunk }: EpochLayout): number {
  const full = Math.floor(rows / batch), rest = rows - full * batch;
  return full * Math.ceil(batch / chunk) + Math.ceil(rest / chunk);
}

export class EpochStream implements Requests {
  readonly length: number;
  private readonly types: Int32Array;
  /** The batch of each request, -1 for a SET_LR. */
  readonly batchOf: Int32Array;
  /** The lr the board holds once each request is answered. */
  readonly lrOf: Float64Array;
  /** The first row each training request carries (0 for a SET_LR). */
  readonly firstOf: Int32Array;
  /** The rows each training request carries (its reply must say the same). */
  readonly rowsOf: Int32Array;

  /**
   * `lr`: what the board holds before the epoch; `lrs[b]`: batch b's (absent:
   * no change); `encode(i)`: training request i's payload, from the lists above.
   */
  constructor(lr: number, lrs: ArrayLike<number> | undefined, layout: EpochLayout,
    private readonly encode: (i: number) => Uint8Array) {
    const { type, rows, batch, chunk } = layout;
    const batches = Math.ceil(rows / batch);
    // At most one SET_LR per batch, and only with a schedule.
    const capacity = trainingRequests(layout) + (lrs ? batches : 0);
    this.types = new Int32Array(capacity);
    this.batchOf = new Int32Array(capacity);
    this.lrOf = new Float64Array(capacity);
    this.firstOf = new Int32Array(capacity);
    this.rowsOf = new Int32Array(capacity);
    let n = 0;
    const add = (t: number, b: number, first: number, count: number): void => {
      this.types[n] = t; this.batchOf[n] = b; this.lrOf[n] = lr; this.firstOf[n] = first; this.rowsOf[n] = count;
      n++;
    };
    for (let start = 0, b = 0; start < rows; start += batch, b++) {
      // Before batch b's frames: a SET_LR when its lr differs from the board's.
      if (lrs && lrs[b] !== lr) { lr = lrs[b]; add(Type.SET_LR, -1, 0, 0); }
      const end = Math.min(start + batch, rows);
      for (let r = start; r < end; r += chunk) add(type, b, r, Math.min(chunk, end - r));
    }
    this.length = n;
  }

  type(i: number): number {
    return this.types[i];
  }

  payload(i: number): Uint8Array {
    return this.isSetLr(i) ? encodeSetLr(this.lrOf[i]) : this.encode(i);
  }

  /** Whether training request i is its batch's last (the one that makes the board step). */
  endsBatch(i: number): boolean {
    return i === this.length - 1 || this.batchOf[i + 1] !== this.batchOf[i];
  }

  isSetLr(i: number): boolean {
    return this.batchOf[i] < 0;
  }
}
