// A Board reached through the serial protocol over any byte link. It turns
// the host's requests into frames (docs/protocol.md), streams an epoch's
// chunks through the pipeline, and survives a board that restarts: it keeps
// the last weights and optimizer state it pulled (at the start of every
// epoch), and on a reboot reconfigures, restores them and replays the epoch.
import type { Board, BoardInfo, BatchResult, EvalResult, LinkStats, OptimizerState, TrainJob } from "../boards/board.js";
import type { ByteLink } from "../transports/byte-link.js";
import { Pipeline, RebootError, type PipelineOptions, type Request } from "./pipeline.js";
import { Type, type Frame } from "./frame.js";
import { BoardError, Status, statusName } from "./status.js";
import { LinkError } from "../errors.js";
import { MIN_RX_PAYLOAD, TX_PAYLOAD, rxPayloadBytes, type Plan } from "../plan.js";
import { configFieldName, decodeShape, paramCount } from "../config.js";

const MAX_RECOVERIES = 5;

interface Snapshot {
  weights: Float32Array;
  opt: OptimizerState;
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Rows [r, r+n) as f32 LE at p[at..]: each row's inputs, then its targets. */
function packRows(p: Uint8Array, at: number, x: Float32Array, t: Float32Array | null, r: number, n: number, nIn: number, nT: number): void {
  if (littleEndian) {
    const f = new Float32Array(p.buffer, p.byteOffset + at, n * (nIn + nT));
    for (let row = 0, o = 0; row < n; row++) {
      f.set(x.subarray((r + row) * nIn, (r + row + 1) * nIn), o);
      o += nIn;
      if (t && nT) { f.set(t.subarray((r + row) * nT, (r + row + 1) * nT), o); o += nT; }
    }
    return;
  }
  const v = view(p);
  let o = at;
  for (let row = r; row < r + n; row++) {
    for (let i = 0; i < nIn; i++, o += 4) v.setFloat32(o, x[row * nIn + i], true);
    if (t) for (let i = 0; i < nT; i++, o += 4) v.setFloat32(o, t[row * nT + i], true);
  }
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

export class ProtocolBoard implements Board {
  readonly description: string;
  readonly pipe: Pipeline;
  private block: Uint8Array | null = null;
  private layers = 0;
  private nOut = 0;
  private params = 0;
  private optFloats = 0;
  private rxPayload = MIN_RX_PAYLOAD;
  private lr = NaN;
  private pendingStep: number | null = null;
  private snapshot: Snapshot | null = null;
  info: BoardInfo | null = null;
  recoveries = 0;
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

  private check(f: Frame, type: number): Frame {
    if (f.type === Type.ERROR) {
      const v = view(f.payload);
      const code = f.payload[0];
      throw new BoardError(code, `the board refused ${type.toString(16)}: ${statusName(code)} (detail ${v.getInt16(2, true)})`, v.getInt16(2, true));
    }
    if (f.type !== (type | Type.REPLY)) throw new LinkError(`unexpected reply type 0x${f.type.toString(16)} to 0x${type.toString(16)}`);
    return f;
  }

  async hello(): Promise<BoardInfo> {
    this.pipe.resetSequence();
    this.pipe.sessionActive = false;
    const f = this.check(await this.pipe.request(Type.HELLO), Type.HELLO);
    this.pipe.sessionActive = true;
    this.pipe.takeReboot();
    const v = view(f.payload);
    const busy = v.getUint32(20, true);
    this.info = {
      protocol: v.getUint8(0), buildId: v.getUint32(4, true), bootId: v.getUint32(8, true),
      memoryLimit: v.getUint32(12, true), maxChunk: v.getUint16(2, true),
      banner: this.pipe.textLines.find((l) => l.startsWith("edgeprop ")),
    };
    this.rxPayload = v.getUint16(16, true) || MIN_RX_PAYLOAD;
    this.boardMicrosAtStart = busy;
    this.lastBusyMicros = busy;
    return this.info;
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

  private async recover(why: string): Promise<void> {
    if (++this.recoveries > MAX_RECOVERIES) throw new LinkError(`giving up after ${MAX_RECOVERIES} board restarts (${why})`);
    await this.hello();
    if (!this.block) return;
    await this.sendConfigure(this.block);
    if (this.snapshot) {
      await this.writeRegion(0, this.snapshot.weights);
      await this.writeRegion(1, this.snapshot.opt.state);
      this.pendingStep = this.snapshot.opt.step;
    }
    if (!Number.isNaN(this.lr)) await this.sendLr(this.lr);
  }

  async configure(block: Uint8Array): Promise<Plan> {
    if (!this.info) await this.hello();
    return this.guarded(async () => {
      const plan = await this.sendConfigure(block);
      this.block = block.slice();
      this.lr = NaN;
      await this.takeSnapshot();
      return plan;
    });
  }

  private async sendConfigure(block: Uint8Array): Promise<Plan> {
    const f = this.check(await this.pipe.request(Type.CONFIGURE, block), Type.CONFIGURE);
    const v = view(f.payload);
    const status = v.getUint8(0);
    const detail = v.getInt16(2, true);
    const u = (o: number) => v.getUint32(o, true);
    const plan: Plan = {
      params_bytes: u(4), grads_bytes: u(8), optimizer_bytes: u(12), activations_bytes: u(16),
      buffers_bytes: u(20), static_bytes: u(24), total_bytes: u(28), pages: Math.ceil(u(28) / 65536),
      chunk: decodeShape(block).chunk,
    };
    if (status !== Status.OK) {
      const what = status === Status.BAD_CONFIG ? `: ${configFieldName(detail)}`
        : status === Status.TOO_BIG ? `: needs ${plan.total_bytes} bytes, the board allows ${u(32)}` : "";
      throw new BoardError(status, `${statusName(status)}${what}`, detail);
    }
    const shape = decodeShape(block);
    this.layers = shape.sizes.length - 1;
    this.nOut = shape.sizes[this.layers];
    this.params = paramCount(shape.sizes);
    this.optFloats = plan.optimizer_bytes / 4;
    this.rxPayload = rxPayloadBytes(shape);
    return plan;
  }

  private async writeRegion(region: number, data: Float32Array): Promise<void> {
    const per = Math.floor((this.rxPayload - 8) / 4);
    const reqs: Request[] = [];
    for (let off = 0; off < data.length; off += per) {
      const part = data.subarray(off, Math.min(off + per, data.length));
      const p = new Uint8Array(8 + part.length * 4);
      const v = view(p);
      v.setUint8(0, region);
      v.setUint32(4, off, true);
      p.set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength), 8);
      reqs.push({ type: Type.SET_WEIGHTS, payload: p });
    }
    await this.pipe.send(reqs, (_, f) => { this.check(f, Type.SET_WEIGHTS); });
  }

  private async readRegion(region: number, count: number): Promise<Float32Array> {
    const per = Math.floor((TX_PAYLOAD - 8) / 4);
    const out = new Float32Array(count);
    const reqs: Request[] = [];
    for (let off = 0; off < count; off += per) {
      const p = new Uint8Array(10);
      const v = view(p);
      v.setUint8(0, region);
      v.setUint32(4, off, true);
      v.setUint16(8, Math.min(per, count - off), true);
      reqs.push({ type: Type.GET_WEIGHTS, payload: p });
    }
    await this.pipe.send(reqs, (_, f) => {
      this.check(f, Type.GET_WEIGHTS);
      const v = view(f.payload);
      const n = v.getUint16(2, true), off = v.getUint32(4, true);
      for (let i = 0; i < n; i++) out[off + i] = v.getFloat32(8 + 4 * i, true);
    });
    return out;
  }

  async setWeights(w: Float32Array): Promise<void> {
    if (w.length !== this.params) throw new BoardError(Status.BAD_RANGE, `expected ${this.params} weights, got ${w.length}`);
    await this.guarded(() => this.writeRegion(0, w));
    await this.guarded(() => this.takeSnapshot());
  }

  /** Between epochs the snapshot is what the board holds: no need to ask. */
  async getWeights(): Promise<Float32Array> {
    if (this.snapshot) return this.snapshot.weights.slice();
    return this.guarded(() => this.readRegion(0, this.params));
  }

  async getOptimizerState(): Promise<OptimizerState> {
    const state = await this.guarded(() => this.readRegion(1, this.optFloats));
    const hello = await this.guarded(() => this.pipe.request(Type.HELLO));
    return { step: view(hello.payload).getUint32(28, true), state };
  }

  async setOptimizerState(s: OptimizerState): Promise<void> {
    await this.guarded(() => this.writeRegion(1, s.state));
    this.pendingStep = s.step;
    if (this.snapshot) this.snapshot = { weights: this.snapshot.weights, opt: { step: s.step, state: s.state.slice() } };
  }

  private async sendLr(lr: number): Promise<void> {
    const p = new Uint8Array(8);
    view(p).setFloat64(0, lr, true);
    this.check(await this.pipe.request(Type.SET_LR, p), Type.SET_LR);
  }

  async setLr(lr: number): Promise<void> {
    await this.guarded(() => this.sendLr(lr));
    this.lr = lr;
  }

  /** Pulls the board's weights, optimizer state and step count. */
  private async pullSnapshot(): Promise<Snapshot> {
    const weights = await this.readRegion(0, this.params);
    const state = this.optFloats ? await this.readRegion(1, this.optFloats) : new Float32Array(0);
    const hello = await this.pipe.request(Type.HELLO);
    // HELLO restarted the sequence on the board: that is fine, it answers in order.
    return { weights, opt: { step: view(hello.payload).getUint32(28, true), state } };
  }

  private async takeSnapshot(): Promise<void> {
    this.snapshot = await this.pullSnapshot();
  }

  async train(job: TrainJob): Promise<BatchResult[]> {
    if (!this.snapshot) await this.guarded(() => this.takeSnapshot());
    // A restart anywhere in the epoch (or while pulling its result) restores
    // the epoch's starting point and plays the whole epoch again.
    return this.guarded(async () => {
      const results = await this.streamEpoch(job);
      // The next epoch's restart point, and the weights the session asks for.
      this.snapshot = await this.pullSnapshot();
      return results;
    });
  }

  private async streamEpoch(job: TrainJob): Promise<BatchResult[]> {
    // Frames: one per chunk; the chunk that ends a batch makes the board step.
    const reqs: Request[] = [];
    const batchOf: number[] = [];
    const rowBytes = (job.nIn + job.nT) * 4;
    for (let start = 0, b = 0; start < job.rows; start += job.batch, b++) {
      const end = Math.min(start + job.batch, job.rows);
      for (let r = start; r < end; r += job.chunk) {
        const n = Math.min(job.chunk, end - r);
        const p = new Uint8Array(8 + n * rowBytes);
        const v = view(p);
        let flags = r + n === end ? 1 : 0;
        if (this.pendingStep !== null && reqs.length === 0) { flags |= 4; v.setUint32(4, this.pendingStep, true); }
        v.setUint8(0, flags);
        v.setUint16(2, n, true);
        packRows(p, 8, job.x, job.t, r, n, job.nIn, job.nT);
        reqs.push({ type: Type.BATCH, payload: p });
        batchOf.push(b);
      }
    }
    const results: BatchResult[] = [];
    let lossSum = 0, rows = 0, status: number = Status.OK, busyAtBatchStart = this.lastBusyMicros;
    await this.pipe.send(reqs, (i, f) => {
      if (i === 0) this.pendingStep = null;
      if (f.type === Type.ERROR) { status = f.payload[0]; }
      else {
        this.check(f, Type.BATCH);
        const v = view(f.payload);
        if (v.getUint8(0) !== Status.OK) status = v.getUint8(0);
        rows += v.getUint16(2, true);
        lossSum += v.getFloat64(8, true);
        this.lastBusyMicros = v.getUint32(4, true);
      }
      const ends = i === reqs.length - 1 || batchOf[i + 1] !== batchOf[i] || status !== Status.OK;
      if (!ends) return true;
      const v = f.type === Type.ERROR ? null : view(f.payload);
      const norms = new Float32Array(this.layers);
      if (v) for (let l = 0; l < this.layers; l++) norms[l] = v.getFloat32(24 + 4 * l, true);
      const r: BatchResult = {
        index: batchOf[i], rows, lossSum, status, gradNorms: norms,
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

  async evaluate(x: Float32Array, t: Float32Array | null, rows: number, nIn: number, nT: number, chunk: number): Promise<EvalResult> {
    const per = Math.max(1, Math.min(chunk, Math.floor((TX_PAYLOAD - 16) / (4 * this.nOut))));
    const outputs = new Float32Array(rows * this.nOut);
    let lossSum = 0;
    const reqs: Request[] = [];
    const starts: number[] = [];
    const width = nIn + (t ? nT : 0);
    for (let r = 0; r < rows; r += per) {
      const n = Math.min(per, rows - r);
      const p = new Uint8Array(8 + n * width * 4);
      const v = view(p);
      v.setUint8(0, t ? 2 : 0);
      v.setUint16(2, n, true);
      packRows(p, 8, x, t, r, n, nIn, t ? nT : 0);
      reqs.push({ type: Type.EVAL, payload: p });
      starts.push(r);
    }
    await this.guarded(() => this.pipe.send(reqs, (i, f) => {
      this.check(f, Type.EVAL);
      const v = view(f.payload);
      const n = v.getUint16(2, true);
      lossSum += v.getFloat64(8, true);
      for (let k = 0; k < n * this.nOut; k++) outputs[starts[i] * this.nOut + k] = v.getFloat32(16 + 4 * k, true);
    }));
    return { lossSum, outputs };
  }

  async close(): Promise<void> {
    await this.link.close();
  }
}
