// --link direct: the module's exports called in-process, no protocol. The
// reference every other link must match bit for bit, and the fastest path.
import type {
  Board, BoardInfo, BatchResult, EvalResult, InputStats, LinkStats, OptimizerState, StoreInfo, StoreRowsOptions,
  StoredTrainJob, TrainJob,
} from "./board.js";
import { BoardError, Status, statusName } from "../protocol/status.js";
import { type EngineExports, instantiate } from "./engine.js";
import type { Plan } from "../model/plan.js";
import { CONFIG_BYTES, configChunk, configureRefusal, decodeShape } from "../protocol/config-block.js";
import { modelWidths, NO_WIDTHS } from "../model/config.js";
import { checkStoredRowWidths, noStoreError, withStoreNumbers } from "./sample-store.js";

export class DirectBoard implements Board {
  readonly description = "in-process module (direct)";
  readonly e: EngineExports;
  private widths = NO_WIDTHS;

  constructor(modulePath?: string, memoryLimit = 0) {
    this.e = instantiate(modulePath);
    if (memoryLimit > 0) this.e.set_memory_limit(memoryLimit);
  }

  private f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.e.memory.buffer, ptr, n);
  }

  stats(): LinkStats {
    return { bytesSent: 0, bytesReceived: 0, boardMicros: 0, lineSeconds: 0, retransmits: 0 };
  }

  async hello(): Promise<BoardInfo> {
    return { protocol: 0, buildId: 0, bootId: 0, memoryLimit: this.e.memory_limit(), maxChunk: 0xffff };
  }

  async configure(block: Uint8Array): Promise<Plan> {
    new Uint8Array(this.e.memory.buffer, this.e.config_ptr(), block.length).set(block);
    const status = this.e.configure();
    const plan = readPlan(this.e, block);
    if (status !== Status.OK) {
      throw withStoreNumbers(configureRefusal(status, this.e.config_detail(), plan.total_bytes, `the limit is ${this.e.memory_limit()}`), plan, block);
    }
    this.widths = modelWidths(decodeShape(block));
    return plan;
  }

  async setWeights(w: Float32Array): Promise<void> {
    const n = this.e.param_count();
    if (w.length !== n) throw new BoardError(Status.BAD_RANGE, `expected ${n} weights, got ${w.length}`);
    this.f32(this.e.params_ptr(), n).set(w);
  }

  async getWeights(): Promise<Float32Array> {
    return this.f32(this.e.params_ptr(), this.e.param_count()).slice();
  }

  async getOptimizerState(): Promise<OptimizerState> {
    return { step: this.e.step_count(), state: this.f32(this.e.optimizer_state_ptr(), this.e.optimizer_state_bytes() / 4).slice() };
  }

  async setOptimizerState(s: OptimizerState): Promise<void> {
    this.f32(this.e.optimizer_state_ptr(), this.e.optimizer_state_bytes() / 4).set(s.state);
    this.e.set_step_count(s.step);
  }

  async setInputStats(mean: Float32Array, std: Float32Array): Promise<void> {
    const n = this.e.input_stats_count() / 2;
    if (n === 0) throw new BoardError(Status.BAD_RANGE, "the model was configured without input normalisation: no statistics to set");
    if (mean.length !== n || std.length !== n) throw new BoardError(Status.BAD_RANGE, `expected ${n} means and stds, got ${mean.length} and ${std.length}`);
    const region = this.f32(this.e.input_stats_ptr(), 2 * n);
    region.set(mean, 0);
    region.set(std, n);
  }

  async getInputStats(): Promise<InputStats> {
    const n = this.e.input_stats_count() / 2;
    if (n === 0) throw new BoardError(Status.BAD_RANGE, "the model was configured without input normalisation: no statistics to read");
    const region = this.f32(this.e.input_stats_ptr(), 2 * n);
    return { mean: region.slice(0, n), std: region.slice(n) };
  }

  async getConfigBlock(): Promise<Uint8Array> {
    if (!this.e.is_configured()) throw new BoardError(Status.NOT_CONFIGURED, "the module holds no model");
    return new Uint8Array(this.e.memory.buffer, this.e.config_ptr(), CONFIG_BYTES).slice();
  }

  async setLr(lr: number): Promise<void> {
    this.e.set_lr(lr);
  }

  async train(job: TrainJob): Promise<BatchResult[]> {
    const e = this.e;
    const input = this.f32(e.input_ptr(), job.chunk * job.nIn);
    const target = this.f32(e.target_ptr(), job.chunk * job.nT);
    const results: BatchResult[] = [];
    for (let start = 0, index = 0; start < job.rows; start += job.batch, index++) {
      const end = Math.min(start + job.batch, job.rows);
      if (job.lrs) e.set_lr(job.lrs[index]);
      let lossSum = 0;
      let status: number = Status.OK;
      for (let r = start; r < end && status === Status.OK; r += job.chunk) {
        const n = Math.min(job.chunk, end - r);
        input.set(job.x.subarray(r * job.nIn, (r + n) * job.nIn));
        target.set(job.t.subarray(r * job.nT, (r + n) * job.nT));
        status = e.train_chunk(n, r + n === end ? 1 : 0);
        lossSum += e.loss_sum();
      }
      if (!this.report(results, { index, rows: end - start, lossSum, status }, job.onBatch)) break;
    }
    return results;
  }

  /**
   * Adds a finished batch (with the module's gradient norms) to `results` and
   * reports it, a failed one included: the session decides. False: stop the epoch.
   */
  private report(results: BatchResult[], b: Pick<BatchResult, "index" | "rows" | "lossSum" | "status">,
    onBatch: ((r: BatchResult) => boolean | void) | undefined): boolean {
    const result: BatchResult = { ...b, gradNorms: this.f32(this.e.grad_norms_ptr(), this.widths.layers).slice(), micros: 0 };
    results.push(result);
    const goOn = onBatch?.(result) !== false;
    return b.status === Status.OK && goOn;
  }

  async storeRows(x: Float32Array, t: Float32Array, rows: number, nIn: number, nT: number, o: StoreRowsOptions = {}): Promise<StoreInfo> {
    const e = this.e;
    const capacity = e.store_capacity();
    if (capacity === 0) throw noStoreError();
    checkStoredRowWidths(this.widths, nIn, nT);
    if (o.clear) e.store_clear();
    for (let r = 0; r < rows; r++) {
      const row = this.f32(e.store_row_ptr(), nIn + nT);
      row.set(x.subarray(r * nIn, (r + 1) * nIn));
      row.set(t.subarray(r * nT, (r + 1) * nT), nIn);
      e.store_commit_row();
    }
    return { held: e.store_held(), capacity };
  }

  async trainStored(job: StoredTrainJob): Promise<BatchResult[]> {
    const e = this.e;
    const results: BatchResult[] = [];
    for (let first = 0, index = 0; first < job.rows; first += job.batch, index++) {
      const rows = Math.min(job.batch, job.rows - first);
      if (job.lrs) e.set_lr(job.lrs[index]);
      const status = e.store_train(first, rows, job.epoch, index === 0 ? 1 : 0, job.shuffle ? 1 : 0, 0, 0);
      if (e.store_refused()) {
        throw status === Status.BAD_RANGE && e.store_capacity() === 0 ? noStoreError()
          : new BoardError(status, `the board refused to train stored rows [${first}, +${rows}) of ${e.store_held()}: ${statusName(status)} (detail ${e.store_detail()})`, e.store_detail());
      }
      if (!this.report(results, { index, rows, lossSum: e.store_loss_sum(), status }, job.onBatch)) break;
    }
    return results;
  }

  async evaluate(x: Float32Array, t: Float32Array | null, rows: number, nIn: number, nT: number, chunk: number): Promise<EvalResult> {
    const e = this.e;
    const outputs = new Float32Array(rows * this.widths.outputs);
    let lossSum = 0;
    for (let r = 0; r < rows; r += chunk) {
      const n = Math.min(chunk, rows - r);
      this.f32(e.input_ptr(), n * nIn).set(x.subarray(r * nIn, (r + n) * nIn));
      if (t) this.f32(e.target_ptr(), n * nT).set(t.subarray(r * nT, (r + n) * nT));
      const status = e.eval_chunk(n, t ? 1 : 0);
      if (status !== Status.OK) throw new BoardError(status, statusName(status));
      lossSum += e.loss_sum();
      outputs.set(this.f32(e.output_ptr(), n * this.widths.outputs), r * this.widths.outputs);
    }
    return { lossSum, outputs };
  }

  async close(): Promise<void> { /* nothing held */ }
}

export function readPlan(e: EngineExports, block: Uint8Array): Plan {
  const total = e.plan_total();
  return {
    params_bytes: e.plan_params(), grads_bytes: e.plan_grads(), optimizer_bytes: e.plan_optimizer(),
    activations_bytes: e.plan_activations(), input_stats_bytes: e.plan_input_stats(), store_bytes: e.plan_store(),
    buffers_bytes: e.plan_buffers(), static_bytes: e.plan_static(),
    ...(e.plan_int16() > 0 ? { int16_bytes: e.plan_int16() } : {}),
    total_bytes: total, pages: Math.ceil(total / 65536),
    chunk: configChunk(block),
  };
}
