// What the host asks of a board, whatever carries the words: the in-process
// engine (in-process.ts), or the serial protocol (protocol/protocol-board.ts)
// over any byte link: the simulated firmware in memory (simulated-firmware.ts),
// a board process, a pty or a real serial port. A training session talks only
// to this.
import type { Plan } from "../model/plan.js";
import type { BoardStats } from "./board-stats.js";

export interface BoardInfo {
  protocol: number;
  buildId: number;
  bootId: number;
  memoryLimit: number;
  maxChunk: number;
  banner?: string;
}

/** One epoch's worth of work: rows in order, cut into batches, then chunks. */
export interface TrainJob {
  x: Float32Array; // rows x nIn
  t: Float32Array; // rows x nT
  rows: number;
  nIn: number;
  nT: number;
  batch: number;
  chunk: number;
  /** Called after each batch's reply, in order. Return false to stop early. */
  onBatch?: (r: BatchResult) => boolean | void;
  /**
   * A schedule stepped per batch (OneCycleLR): batch b trains at lrs[b], set
   * on the board before it whenever it differs from the lr before. Absent:
   * the lr set by setLr stays for the whole epoch.
   */
  lrs?: ArrayLike<number>;
}

/** Rows for the board's sample store (Board.storeRows). */
export interface StoreRowsOptions {
  /** Empty the store first (else the rows are appended; a full store overwrites its oldest rows). */
  clear?: boolean;
}

/** What the sample store holds after a Board.storeRows. */
export interface StoreInfo {
  held: number;
  capacity: number;
}

/**
 * One epoch trained on the rows in the board's sample store: `rows` (the rows
 * held) cut into batches of `batch` in the epoch's order, one optimizer step
 * per batch, as TrainJob's batches. The order is the stored order, or with
 * `shuffle` the host's epochOrder(rows, seed, epoch) computed on the board
 * (seed: the configuration's), so the result equals train() on the rows
 * permuted by the host.
 */
export interface StoredTrainJob {
  rows: number;
  batch: number;
  /** 0-based epoch index (seeds the shuffle). */
  epoch: number;
  shuffle: boolean;
  /** As TrainJob.onBatch. */
  onBatch?: (r: BatchResult) => boolean | void;
  /** As TrainJob.lrs: batch b trains at lrs[b]. */
  lrs?: ArrayLike<number>;
}

export interface BatchResult {
  index: number;
  rows: number;
  lossSum: number;
  status: number;
  /** Per-layer L2 norm of the batch's mean gradient, before clipping. */
  gradNorms: Float32Array;
  /** Board compute time for the batch, microseconds (0 when not measured). */
  micros: number;
}

export interface EvalResult {
  lossSum: number;
  outputs: Float32Array; // rows x nOut
}

export interface OptimizerState {
  step: number;
  state: Float32Array;
}

/** The z-score statistics a normalising model applies on the board: (x - mean[i]) / std[i] in float32. */
export interface InputStats {
  mean: Float32Array;
  std: Float32Array;
}

/** What crossed the link and what the board spent, for reports. */
export interface LinkStats {
  bytesSent: number;
  bytesReceived: number;
  /** Board compute time as the board measured it (0 where it cannot). */
  boardMicros: number;
  /** Seconds the line itself needed at the simulated baud (0 when unthrottled). */
  lineSeconds: number;
  retransmits: number;
}

export interface Board {
  readonly description: string;
  stats(): LinkStats;
  hello(): Promise<BoardInfo>;
  /** Configures the model; rejects with a BoardError naming the refusal. */
  configure(block: Uint8Array): Promise<Plan>;
  setWeights(w: Float32Array): Promise<void>;
  getWeights(): Promise<Float32Array>;
  getOptimizerState(): Promise<OptimizerState>;
  setOptimizerState(s: OptimizerState): Promise<void>;
  /**
   * The input statistics of a model configured with normalizeInputs (mean 0,
   * std 1 after configure); rejects with BAD_RANGE for a model without, or
   * for lengths other than its input size. The host replaces a std of 0 by 1
   * before it calls this.
   */
  setInputStats(mean: Float32Array, std: Float32Array): Promise<void>;
  getInputStats(): Promise<InputStats>;
  /**
   * The configuration block (160 bytes) of the model the board holds, as it
   * was configured (by this host, another one, or the board's own firmware):
   * GET_WEIGHTS region CONFIG. Rejects with a BoardError NOT_CONFIGURED when
   * the board holds no model.
   */
  getConfigBlock(): Promise<Uint8Array>;
  setLr(lr: number): Promise<void>;
  train(job: TrainJob): Promise<BatchResult[]>;
  /**
   * Sends rows [0, rows) of x and t (nIn inputs, nT targets each) to the
   * board's sample store (configured with RunConfig.storeRows); rejects with
   * a BoardError BAD_RANGE when the model has no store.
   */
  storeRows(x: Float32Array, t: Float32Array, rows: number, nIn: number, nT: number, o?: StoreRowsOptions): Promise<StoreInfo>;
  /** Trains one epoch on the stored rows (StoredTrainJob); results as train()'s. */
  trainStored(job: StoredTrainJob): Promise<BatchResult[]>;
  evaluate(x: Float32Array, t: Float32Array | null, rows: number, nIn: number, nT: number, chunk: number): Promise<EvalResult>;
  close(): Promise<void>;
  /** What the board itself reported using (its stats line) once it went idle after the last reply; null or absent when it does not report. */
  reportedStats?(): Promise<BoardStats | null>;
}

/** Runs `use` on `board` and closes the board however `use` ends (no board process or port left behind). */
export async function withBoard<T>(board: Board, use: (b: Board) => Promise<T>): Promise<T> {
  try {
    return await use(board);
  } finally {
    await board.close();
  }
}
