// A Board reached through the serial protocol over any byte link. It turns
// the host's requests into frames (docs/protocol.md), streams an epoch's
// chunks through the pipeline, and survives a board that restarts: it keeps
// what the board should hold (held-state.ts: every write, recorded before it
// is sent, and the weights and optimizer state pulled after every epoch), and
// on a reboot (a new boot id) reconfigures, restores it and runs the
// interrupted operation again (an epoch is replayed from its start).
import type {
  Board, BoardInfo, BatchResult, EvalResult, InputStats, LinkStats, OptimizerState, StoreInfo, StoreRowsOptions,
  StoredTrainJob, TrainJob,
} from "../boards/board.js";
import type { ByteLink } from "../transports/byte-link.js";
import { Pipeline, RebootError, type PipelineOptions, type Request, type Requests } from "./pipeline.js";
import { freshState, type HeldState, type StoredPiece } from "./held-state.js";
import { Type, type Frame } from "./frame.js";
import { EpochStream } from "./epoch-stream.js";
import { readRegion } from "./read-region.js";
import { BoardError, Status, statusName } from "./status.js";
import { LinkError } from "../errors.js";
import { MIN_RX_PAYLOAD, TX_PAYLOAD, inputStatsBytes, rxPayloadBytes, trainedParamCount, type Plan } from "../model/plan.js";
import { modelWidths, NO_WIDTHS, paramCount } from "../model/config.js";
import { checkStorePlan, checkStoredRowWidths, noStoreError, withStoreNumbers } from "../boards/sample-store.js";
import { configChunk, configStoreRows, configureRefusal, decodeShape } from "./config-block.js";
import {
  EVAL_REPLY_BYTES, Region, WeightsOffset,
  decodeAck, decodeBatchReply, decodeConfigBlockReply, decodeConfigureReply, decodeError, decodeEvalReply,
  decodeHelloReply, decodeSetWeightsReply, decodeStoreReply, decodeTrainStoreReply, encodeBatch, encodeEval, encodeGetConfigBlock,
  encodeHello, encodeSetLr, encodeSetWeights, encodeStore, encodeTrainStore, replyPayload,
  MAX_STORE_ROWS_PER_FRAME, StoreOffset, type HelloReply, type WeightsRange,
} from "./codec.js";

/** Board restarts (new boot ids) a session survives; the next one ends it (docs/protocol.md §3.5). */
export const MAX_REBOOTS = 5;
/** The most board time per request the reply deadline allows for, ms (a board that claims more is not believed). */
const MAX_BUSY_MS_PER_REQUEST = 10_000;

export class ProtocolBoard implements Board {
  readonly description: string;
  readonly pipe: Pipeline;
  /** What the board should hold (null: nothing configured by this host yet). */
  private held: HeldState | null = null;
  private widths = NO_WIDTHS;
  private params = 0;
  private optFloats = 0;
  private statsFloats = 0;
  private rxPayload = MIN_RX_PAYLOAD;
  /** The sample store's capacity (rows) as configured and the rows it holds. */
  private storeCapacity = 0;
  private storeHeld = 0;
  private pendingStep: number | null = null;
  info: BoardInfo | null = null;
  /** Board restarts recovered from: new boot ids seen after the first (at most MAX_REBOOTS). */
  recoveries = 0;
  /** Boot ids this session has met. */
  private readonly bootIds = new Set<number>();
  /** Restart evidence (NO_SESSION, a TRAP report) after which HELLO showed the same boot id: counts toward --retries. */
  private falseRestarts = 0;
  private boardMicrosAtStart = 0;
  lastBusyMicros = 0;

  constructor(readonly link: ByteLink, o: PipelineOptions = {}) {
    this.pipe = new Pipeline(link, o);
    this.description = link.description;
  }

  stats(): LinkStats {
    return {
      bytesSent: this.pipe.bytesSent, bytesReceived: this.pipe.bytesReceived,
      boardMicros: this.lastBusyMicros - this.boardMicrosAtStart,
      // Full duplex: the busier direction sets the time the line needed.
      lineSeconds: this.link.baud ? (Math.max(this.pipe.bytesSent, this.pipe.bytesReceived) * 10) / this.link.baud : 0,
      retransmits: this.pipe.retransmits,
    };
  }

  async hello(): Promise<BoardInfo> {
    this.pipe.resetSequence();
    this.pipe.sessionActive = false;
    const reply = await this.sendHello();
    this.pipe.sessionActive = true;
    this.pipe.bootId = reply.bootId;
    this.pipe.takeReboot();
    if (this.bootIds.size === 0) this.bootIds.add(reply.bootId); // the board as this session first met it
    this.info = {
      protocol: reply.protocol, buildId: reply.buildId, bootId: reply.bootId,
      memoryLimit: reply.memoryLimit, maxChunk: reply.chunk,
      banner: this.pipe.textLines.find((l) => l.startsWith("edgeprop ")),
    };
    this.rxPayload = reply.rxPayload || MIN_RX_PAYLOAD;
    this.boardMicrosAtStart = reply.busyMicros;
    this.lastBusyMicros = reply.busyMicros;
    return this.info;
  }

  private async sendHello(): Promise<HelloReply> {
    return this.pipe.ask(Type.HELLO, encodeHello(), (f) => decodeHelloReply(replyPayload(f, Type.HELLO)));
  }

  /**
   * A HELLO inside the session (for the step count): it would start a session
   * on a board that restarted unnoticed (its banner lost), so its boot id must
   * be the session's, else it is a restart like any other.
   */
  private async sessionHello(): Promise<HelloReply> {
    const reply = await this.sendHello();
    if (this.info && reply.bootId !== this.info.bootId) {
      throw new RebootError(`the board restarted (boot id ${reply.bootId.toString(16).padStart(8, "0")} instead of ${this.info.bootId.toString(16).padStart(8, "0")})`);
    }
    return reply;
  }

  /** Runs `op`; if the board restarted meanwhile, restores it and runs `op` again. */
  private async guarded<T>(op: () => Promise<T>): Promise<T> {
    for (;;) {
      try {
        return await op();
      } catch (err) {
        if (!(err instanceof RebootError)) throw err;
        // The board may restart again while being restored: start over
        // (recover counts every attempt and gives up after MAX_RECOVERIES).
        let why = err.message;
        for (;;) {
          try {
            await this.recover(why);
            break;
          } catch (again) {
            if (!(again instanceof RebootError)) throw again;
            why = again.message;
          }
        }
      }
    }
  }

  /**
   * After restart evidence: HELLO tells whether the board really restarted
   * (a boot id this session has not met: one reboot, however many in-flight
   * requests were refused for it) or not (the same boot id: counts toward
   * --retries); either way the board is given the held state again.
   */
  private async recover(why: string): Promise<void> {
    await this.hello();
    const bootId = this.info!.bootId;
    if (!this.bootIds.has(bootId)) {
      this.bootIds.add(bootId);
      if (++this.recoveries > MAX_REBOOTS) throw new LinkError(`giving up after ${MAX_REBOOTS} board restarts (${why})`);
    } else if (++this.falseRestarts >= this.pipe.o.retries) {
      throw new LinkError(`the board keeps reporting a lost session but did not restart (boot id ${bootId.toString(16).padStart(8, "0")}, ${this.falseRestarts} times): ${why}`);
    }
    const held = this.held;
    if (!held) return;
    await this.sendConfigure(held.block);
    if (held.inputStats) await this.writeRegion(Region.INPUT_STATS, held.inputStats);
    if (held.weights) await this.writeRegion(Region.PARAMETERS, held.weights);
    if (held.opt) {
      await this.writeRegion(Region.OPTIMIZER_STATE, held.opt.state);
      this.pendingStep = held.opt.step;
    } else {
      this.pendingStep = null; // CONFIGURE left step 0, as held
    }
    if (!Number.isNaN(held.lr)) await this.sendLr(held.lr);
    await this.refillStore(held.storedPieces);
  }

  async configure(block: Uint8Array): Promise<Plan> {
    if (!this.info) await this.hello();
    return this.guarded(async () => {
      const plan = await this.sendConfigure(block);
      // CONFIGURE reset everything the board held; a restart from here on is restored to this.
      this.held = freshState(block);
      this.pendingStep = null;
      return plan;
    });
  }

  private async sendConfigure(block: Uint8Array): Promise<Plan> {
    const shape = decodeShape(block);
    const params = paramCount(shape.sizes);
    const expect = { params, trainedParams: trainedParamCount(shape), inputStatsBytes: inputStatsBytes(shape) };
    const storeRows = configStoreRows(block);
    const reply = await this.pipe.ask(Type.CONFIGURE, block, (f) => {
      // The board's verdict on a model (TOO_BIG, BAD_CONFIG: the user's input) comes in CONFIGURE_REPLY;
      // an ERROR frame instead is the board failing (the module sends one only for a malformed request).
      if (f.type === Type.ERROR) {
        const e = decodeError(f.payload);
        throw new LinkError(`the board answered CONFIGURE with an ERROR frame: ${statusName(e.code)} (detail ${e.detail})`);
      }
      return checkStorePlan(decodeConfigureReply(replyPayload(f, Type.CONFIGURE), expect), shape, storeRows);
    });
    const plan: Plan = { ...reply.plan, chunk: configChunk(block) };
    if (reply.status !== Status.OK) {
      throw withStoreNumbers(configureRefusal(reply.status, reply.detail, plan.total_bytes, `the board allows ${reply.memoryLimit}`), plan, block);
    }
    this.widths = modelWidths(shape);
    this.storeCapacity = storeRows;
    this.storeHeld = 0;
    this.params = params;
    this.optFloats = plan.optimizer_bytes / 4;
    this.statsFloats = shape.normalizeInputs ? 2 * this.widths.inputs : 0;
    this.rxPayload = rxPayloadBytes(shape);
    return plan;
  }

  private async writeRegion(region: number, data: Float32Array): Promise<void> {
    // Plain SGD has no optimizer state: a region of no floats needs no frame.
    if (data.length === 0) return;
    const per = Math.floor((this.rxPayload - WeightsOffset.VALUES) / 4);
    const reqs: Request[] = [];
    const ranges: WeightsRange[] = [];
    for (let offset = 0; offset < data.length; offset += per) {
      const part = data.subarray(offset, Math.min(offset + per, data.length));
      reqs.push({ type: Type.SET_WEIGHTS, payload: encodeSetWeights(region, offset, part) });
      ranges.push({ region, offset, count: part.length });
    }
    await this.pipe.send(reqs, (i, f) => {
      // The host checked every length and range: a refused write is the board failing, not the user's model.
      if (f.type === Type.ERROR) {
        const e = decodeError(f.payload);
        throw new LinkError(`the board refused SET_WEIGHTS of region ${region}: ${statusName(e.code)} (detail ${e.detail})`);
      }
      decodeSetWeightsReply(replyPayload(f, Type.SET_WEIGHTS), ranges[i]);
    });
  }

  private readRegion(region: number, count: number): Promise<Float32Array> {
    return readRegion(this.pipe, region, count);
  }

  /** The held state; a write before any CONFIGURE is the board's refusal, as the module's. */
  private configured(): HeldState {
    if (!this.held) throw new BoardError(Status.NOT_CONFIGURED, "no model configured");
    return this.held;
  }

  async setWeights(w: Float32Array): Promise<void> {
    if (w.length !== this.params) throw new BoardError(Status.BAD_RANGE, `expected ${this.params} weights, got ${w.length}`);
    // Recorded before it is sent: a restart during or after the write restores these weights.
    this.configured().weights = w.slice();
    await this.guarded(() => this.writeRegion(Region.PARAMETERS, w));
  }

  /** What the board holds is known after a write or an epoch: no need to ask. */
  async getWeights(): Promise<Float32Array> {
    const known = this.held?.weights;
    if (known) return known.slice();
    return this.guarded(() => this.readRegion(Region.PARAMETERS, this.params));
  }

  /** As getWeights: known after an epoch or a write (no read, no HELLO that restarts the sequence). */
  async getOptimizerState(): Promise<OptimizerState> {
    const known = this.held?.opt;
    if (known) return { step: known.step, state: known.state.slice() };
    return this.guarded(async () => {
      const state = await this.readRegion(Region.OPTIMIZER_STATE, this.optFloats);
      const hello = await this.sessionHello();
      return { step: hello.step, state };
    });
  }

  async setOptimizerState(s: OptimizerState): Promise<void> {
    this.configured().opt = { step: s.step, state: s.state.slice() };
    await this.guarded(async () => {
      await this.writeRegion(Region.OPTIMIZER_STATE, s.state);
      // The step is set by the next epoch's first request (after a restart too: recover sets it again).
      this.pendingStep = s.step;
    });
  }

  async setInputStats(mean: Float32Array, std: Float32Array): Promise<void> {
    if (this.statsFloats === 0) throw new BoardError(Status.BAD_RANGE, "the model was configured without input normalisation: no statistics to set");
    if (mean.length !== this.widths.inputs || std.length !== this.widths.inputs) {
      throw new BoardError(Status.BAD_RANGE, `expected ${this.widths.inputs} means and stds, got ${mean.length} and ${std.length}`);
    }
    const both = new Float32Array(2 * this.widths.inputs);
    both.set(mean, 0);
    both.set(std, this.widths.inputs);
    this.configured().inputStats = both;
    await this.guarded(() => this.writeRegion(Region.INPUT_STATS, both));
  }

  async getInputStats(): Promise<InputStats> {
    if (this.statsFloats === 0) throw new BoardError(Status.BAD_RANGE, "the model was configured without input normalisation: no statistics to read");
    const both = await this.guarded(() => this.readRegion(Region.INPUT_STATS, this.statsFloats));
    return { mean: both.slice(0, this.widths.inputs), std: both.slice(this.widths.inputs) };
  }

  async getConfigBlock(): Promise<Uint8Array> {
    return this.guarded(() => this.pipe.ask(Type.GET_WEIGHTS, encodeGetConfigBlock(),
      (f) => decodeConfigBlockReply(replyPayload(f, Type.GET_WEIGHTS))));
  }

  private async sendLr(lr: number): Promise<void> {
    await this.pipe.ask(Type.SET_LR, encodeSetLr(lr), (f) => decodeAck(replyPayload(f, Type.SET_LR), Type.SET_LR));
  }

  async setLr(lr: number): Promise<void> {
    this.configured().lr = lr;
    await this.guarded(() => this.sendLr(lr));
  }

  /** The learning rate the board holds (NaN: the configuration's). */
  private get lr(): number {
    return this.held?.lr ?? NaN;
  }

  /** Pulls the board's weights, optimizer state and step count into the held state (an epoch's end). */
  private async pullTrainedState(held: HeldState): Promise<void> {
    const weights = await this.readRegion(Region.PARAMETERS, this.params);
    const state = await this.readRegion(Region.OPTIMIZER_STATE, this.optFloats);
    // HELLO restarted the sequence on the board: that is fine, it answers in order.
    const hello = await this.sessionHello();
    held.weights = weights;
    held.opt = { step: hello.step, state };
  }

  async train(job: TrainJob): Promise<BatchResult[]> {
    return this.replayableEpoch(() => this.streamEpoch(job));
  }

  /**
   * Plays an epoch so that a restart anywhere in it (or while pulling its
   * result) restores the epoch's starting point and plays it all again.
   */
  private async replayableEpoch(play: () => Promise<BatchResult[]>): Promise<BatchResult[]> {
    const held = this.configured();
    return this.guarded(async () => {
      const results = await play();
      // What the board holds now: the next epoch's restart point, and the weights the session asks for.
      await this.pullTrainedState(held);
      return results;
    });
  }

  /** A SET_LR of an epoch's stream answered: the board holds `lr` now. */
  private acceptSetLr(f: Frame, lr: number): boolean {
    decodeAck(replyPayload(f, Type.SET_LR), Type.SET_LR);
    this.configured().lr = lr;
    return true;
  }

  private async streamEpoch(job: TrainJob): Promise<BatchResult[]> {
    // Frames: one per chunk; the chunk that ends a batch makes the board step.
    // A schedule stepped per batch puts a SET_LR before a batch whose lr
    // changes, in the same pipelined stream (a restart replays it as it was).
    // Each chunk's rows are encoded when the pipeline sends it (the window's few frames are held, not the epoch's).
    const setStep = this.pendingStep;
    const layout = { type: Type.BATCH, rows: job.rows, batch: job.batch, chunk: job.chunk };
    const stream: EpochStream = new EpochStream(this.lr, job.lrs, layout, (i) => encodeBatch(
      { endsBatch: stream.endsBatch(i), setStep: i === firstChunk ? setStep : null },
      { x: job.x, t: job.t, first: stream.firstOf(i), count: stream.rowsOf(i), nIn: job.nIn, nT: job.nT }));
    // The first chunk of the epoch (after a SET_LR, if any) carries a pending step count.
    const firstChunk = stream.length > 0 && stream.isSetLr(0) ? 1 : 0;
    const results: BatchResult[] = [];
    let lossSum = 0, rows = 0, status: number = Status.OK, busyAtBatchStart = this.lastBusyMicros;
    let sawBatch = false;
    await this.pipe.send(stream, (i, f) => {
      if (stream.isSetLr(i)) return this.acceptSetLr(f, stream.lrOf(i));
      // Decode (and so validate) first: a reply refused here leaves no trace, and is asked for again.
      const error = f.type === Type.ERROR ? decodeError(f.payload) : null;
      const reply = error ? null : decodeBatchReply(replyPayload(f, Type.BATCH), this.widths.layers, stream.rowsOf(i));
      if (!sawBatch) { this.pendingStep = null; sawBatch = true; }
      let norms: Float32Array = new Float32Array(this.widths.layers);
      if (error) { status = error.code; }
      else if (reply) {
        if (reply.status !== Status.OK) status = reply.status;
        rows += reply.rows;
        lossSum += reply.lossSum;
        this.noteBusy(reply.busyMicros);
        norms = reply.gradNorms;
      }
      const ends = stream.endsBatch(i) || status !== Status.OK;
      if (!ends) return true;
      const r: BatchResult = {
        index: stream.batchOf(i), rows, lossSum, status, gradNorms: norms,
        micros: Math.max(0, this.lastBusyMicros - busyAtBatchStart),
      };
      results.push(r);
      busyAtBatchStart = this.lastBusyMicros;
      lossSum = 0; rows = 0;
      // Always report the batch, a failed one included: the session decides.
      const goOn = job.onBatch?.(r) !== false;
      return status === Status.OK && goOn;
    });
    return results;
  }

  /**
   * The board's busy counter after a BATCH reply. The growth per reply is the
   * board's compute for one chunk: the pipeline's reply deadline allows it
   * for every frame in flight (docs/protocol.md, "Timeouts").
   */
  private noteBusy(busyMicros: number): void {
    const ms = ((busyMicros - this.lastBusyMicros) >>> 0) / 1000;
    this.lastBusyMicros = busyMicros;
    // The largest recent one, decaying slowly: a single slow chunk widens the deadline at once.
    this.pipe.busyMsPerRequest = Math.min(MAX_BUSY_MS_PER_REQUEST, Math.max(ms, this.pipe.busyMsPerRequest * 0.99));
  }

  /** STORE frames of as many rows as the receive buffer takes; the rows are kept for a refill after a reboot. */
  async storeRows(x: Float32Array, t: Float32Array, rows: number, nIn: number, nT: number, o: StoreRowsOptions = {}): Promise<StoreInfo> {
    if (this.storeCapacity === 0) throw noStoreError();
    checkStoredRowWidths(this.widths, nIn, nT);
    const piece: StoredPiece = { x: x.slice(0, rows * nIn), t: t.slice(0, rows * nT), rows, clear: o.clear ?? false };
    const held = this.configured();
    await this.guarded(() => this.sendStore(piece));
    // Recorded once answered: a restart during the upload refills the store as it was, then sends the piece again.
    if (piece.clear) held.storedPieces = [];
    held.storedPieces.push(piece);
    return { held: this.storeHeld, capacity: this.storeCapacity };
  }

  private async sendStore(piece: StoredPiece): Promise<void> {
    const { inputs: nIn, targets: nT } = this.widths;
    const per = Math.max(1, Math.min(MAX_STORE_ROWS_PER_FRAME, Math.floor((this.rxPayload - StoreOffset.DATA) / (4 * (nIn + nT)))));
    const reqs: Request[] = [];
    const expected: StoreInfo[] = [];
    let held = piece.clear ? 0 : this.storeHeld;
    // A clear with no rows still needs its frame.
    for (let first = 0; first < piece.rows || (first === 0 && piece.clear); first += per) {
      const count = Math.min(per, piece.rows - first);
      reqs.push({ type: Type.STORE, payload: encodeStore(piece.clear && first === 0, { x: piece.x, t: piece.t, first, count, nIn, nT }) });
      held = Math.min(this.storeCapacity, held + count);
      expected.push({ held, capacity: this.storeCapacity });
      if (count === 0) break;
    }
    await this.pipe.send(reqs, (i, f) => { this.storeHeld = decodeStoreReply(replyPayload(f, Type.STORE), expected[i]).held; });
  }

  /** After a reboot: the store is empty; fill it again as it was. */
  private async refillStore(pieces: readonly StoredPiece[]): Promise<void> {
    this.storeHeld = 0;
    for (const piece of pieces) await this.sendStore(piece);
  }

  async trainStored(job: StoredTrainJob): Promise<BatchResult[]> {
    if (this.storeCapacity === 0) throw noStoreError();
    // As train(); after a restart the store is refilled before the epoch plays again.
    return this.replayableEpoch(() => this.stepStoredEpoch(job));
  }

  /** One TRAIN_STORE per batch (a SET_LR before a batch whose lr changes), pipelined like an epoch of BATCH frames. */
  private async stepStoredEpoch(job: StoredTrainJob): Promise<BatchResult[]> {
    const setStep = this.pendingStep;
    // One TRAIN_STORE per batch: a chunk of a whole batch.
    const layout = { type: Type.TRAIN_STORE, rows: job.rows, batch: job.batch, chunk: job.batch };
    const stream: EpochStream = new EpochStream(this.lr, job.lrs, layout, (i) => encodeTrainStore({
      first: stream.firstOf(i), rows: stream.rowsOf(i), epoch: job.epoch, startEpoch: stream.batchOf(i) === 0, shuffle: job.shuffle,
      setStep: stream.batchOf(i) === 0 ? setStep : null,
    }));
    const results: BatchResult[] = [];
    let busyAtBatchStart = this.lastBusyMicros;
    let sawStep = false;
    await this.pipe.send(stream, (i, f) => {
      if (stream.isSetLr(i)) return this.acceptSetLr(f, stream.lrOf(i));
      // An ERROR here is a refusal (the rows are not in the store): a BoardError ends the epoch.
      const reply = decodeTrainStoreReply(replyPayload(f, Type.TRAIN_STORE), this.widths.layers, stream.rowsOf(i));
      if (!sawStep) { this.pendingStep = null; sawStep = true; }
      this.noteBusy(reply.busyMicros);
      const r: BatchResult = {
        index: stream.batchOf(i), rows: reply.rows, lossSum: reply.lossSum, status: reply.status, gradNorms: reply.gradNorms,
        micros: Math.max(0, this.lastBusyMicros - busyAtBatchStart),
      };
      busyAtBatchStart = this.lastBusyMicros;
      results.push(r);
      const goOn = job.onBatch?.(r) !== false;
      return r.status === Status.OK && goOn;
    });
    return results;
  }

  async evaluate(x: Float32Array, t: Float32Array | null, rows: number, nIn: number, nT: number, chunk: number): Promise<EvalResult> {
    const per = Math.max(1, Math.min(chunk, Math.floor((TX_PAYLOAD - EVAL_REPLY_BYTES) / (4 * this.widths.outputs))));
    const outputs = new Float32Array(rows * this.widths.outputs);
    let lossSum = 0;
    // Each EVAL frame's rows are encoded when the pipeline sends it, not all of them ahead.
    const span = (i: number) => ({ first: i * per, count: Math.min(per, rows - i * per) });
    const reqs: Requests = {
      length: Math.ceil(rows / per),
      type: () => Type.EVAL,
      payload: (i) => encodeEval(t !== null, { x, t, ...span(i), nIn, nT }),
    };
    await this.guarded(() => this.pipe.send(reqs, (i, f) => {
      const { first, count } = span(i);
      const reply = decodeEvalReply(replyPayload(f, Type.EVAL), count, this.widths.outputs);
      lossSum += reply.lossSum;
      outputs.set(reply.outputs, first * this.widths.outputs);
    }));
    return { lossSum, outputs };
  }

  async close(): Promise<void> {
    await this.link.close();
  }
}
