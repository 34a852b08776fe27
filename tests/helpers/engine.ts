// The module driven directly through its exports (host/boards/engine.ts), for tests
// that need to see inside: weights, plan, memory.
import { instantiate, type EngineExports } from "../../host/boards/engine";
import {
  optimizerDefaults, type Activation, type InitName, type LossName,
  type OptimizerConfig, type RunConfig,
} from "../../host/model/config";
import { encodeConfig } from "../../host/protocol/config-block";
import { wasmPath } from "./paths";

export interface NetSpec {
  sizes: number[];
  /** Hidden activation (last layer identity) or one per layer. */
  act: Activation | Activation[];
  loss: LossName;
  opt?: string;
  optimizer?: Partial<OptimizerConfig>;
  clipNorm?: number;
  clipValue?: number;
  chunk: number;
  seed?: number;
  init?: InitName;
  /** Dense layers 1..K fixed (RunConfig.frozenLayers). */
  frozenLayers?: number;
  /** The module z-scores the inputs (RunConfig.normalizeInputs). */
  normalizeInputs?: boolean;
}

export function runConfig(s: NetSpec): RunConfig {
  const L = s.sizes.length - 1;
  const activations = Array.isArray(s.act) ? s.act
    : Array.from({ length: L }, (_, l) => (l === L - 1 ? "identity" : s.act)) as Activation[];
  return {
    sizes: s.sizes, activations, loss: s.loss,
    optimizer: { ...optimizerDefaults(s.opt ?? "sgd"), ...(s.optimizer ?? {}) },
    clipNorm: s.clipNorm ?? 0, clipValue: s.clipValue ?? 0, init: s.init ?? "pytorch", seed: s.seed ?? 1, chunk: s.chunk,
    frozenLayers: s.frozenLayers ?? 0, normalizeInputs: s.normalizeInputs ?? false,
  };
}

export const Status = { OK: 0, BAD_CONFIG: 1, TOO_BIG: 2, NOT_CONFIGURED: 3, BAD_ROWS: 4, BAD_LABEL: 6, NON_FINITE: 9 };

export class Net {
  readonly e: EngineExports;
  run!: RunConfig;
  status = -1;

  constructor(e?: EngineExports) {
    this.e = e ?? instantiate(wasmPath);
  }

  /** Writes the configuration block and calls configure(); returns its status. */
  configure(spec: NetSpec | RunConfig): number {
    this.run = "optimizer" in spec && "clipNorm" in spec && "activations" in spec ? spec as RunConfig : runConfig(spec as NetSpec);
    const block = encodeConfig(this.run);
    new Uint8Array(this.e.memory.buffer, this.e.config_ptr(), block.length).set(block);
    this.status = this.e.configure();
    return this.status;
  }

  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.e.memory.buffer, ptr, n);
  }

  get nIn(): number { return this.run.sizes[0]; }
  get nOut(): number { return this.run.sizes[this.run.sizes.length - 1]; }
  get nT(): number { return this.run.loss === "ce" ? 1 : this.nOut; }

  getWeights(): Float32Array {
    return this.f32(this.e.params_ptr(), this.e.param_count()).slice();
  }

  setWeights(w: ArrayLike<number>): void {
    const n = this.e.param_count();
    if (w.length !== n) throw new Error(`expected ${n} weights, got ${w.length}`);
    this.f32(this.e.params_ptr(), n).set(w);
  }

  /** The input statistics of a normalising model (mean, then std), written where the module reads them. */
  setInputStats(mean: ArrayLike<number>, std: ArrayLike<number>): void {
    const n = this.e.input_stats_count() / 2;
    if (mean.length !== n || std.length !== n) throw new Error(`expected ${n} means and stds, got ${mean.length} and ${std.length}`);
    const region = this.f32(this.e.input_stats_ptr(), 2 * n);
    region.set(mean, 0);
    region.set(std, n);
  }

  private stage(x: ArrayLike<number>, t: ArrayLike<number>, from: number, n: number): void {
    const nIn = this.nIn, nT = this.nT;
    const xi = this.f32(this.e.input_ptr(), n * nIn), ti = this.f32(this.e.target_ptr(), n * nT);
    for (let k = 0; k < n * nIn; k++) xi[k] = x[from * nIn + k];
    for (let k = 0; k < n * nT; k++) ti[k] = t[from * nT + k];
  }

  /**
   * One batch of `rows` rows (one optimizer step), staged `chunk` rows at a
   * time; returns the batch's summed per-sample loss. Throws on a bad status.
   */
  trainBatch(x: ArrayLike<number>, t: ArrayLike<number>, rows: number, chunk = this.run.chunk, start = 0): number {
    let loss = 0;
    for (let r = start; r < start + rows; r += chunk) {
      const n = Math.min(chunk, start + rows - r);
      this.stage(x, t, r, n);
      const st = this.e.train_chunk(n, r + n === start + rows ? 1 : 0);
      if (st !== Status.OK) throw new Error(`train_chunk status ${st}`);
      loss += this.e.loss_sum();
    }
    return loss;
  }

  /** Summed per-sample loss over `rows` rows, forward only. */
  evalLoss(x: ArrayLike<number>, t: ArrayLike<number>, rows: number, chunk = this.run.chunk): number {
    let loss = 0;
    for (let r = 0; r < rows; r += chunk) {
      const n = Math.min(chunk, rows - r);
      this.stage(x, t, r, n);
      const st = this.e.eval_chunk(n, 1);
      if (st !== Status.OK) throw new Error(`eval_chunk status ${st}`);
      loss += this.e.loss_sum();
    }
    return loss;
  }

  plan() {
    const e = this.e;
    return {
      params_bytes: e.plan_params(), grads_bytes: e.plan_grads(), optimizer_bytes: e.plan_optimizer(),
      activations_bytes: e.plan_activations(), input_stats_bytes: e.plan_input_stats(), store_bytes: e.plan_store(),
      buffers_bytes: e.plan_buffers(), static_bytes: e.plan_static(),
      ...(e.plan_int16() > 0 ? { int16_bytes: e.plan_int16() } : {}),
      total_bytes: e.plan_total(),
    };
  }
}

/** Random inputs and loss-appropriate targets (rounded to f32). */
export function randomData(r: () => number, rows: number, nIn: number, nOut: number, loss: LossName, scale = 1) {
  const x = new Float64Array(rows * nIn).map(() => Math.fround((r() * 2 - 1) * scale));
  const nT = loss === "ce" ? 1 : nOut;
  const t = new Float64Array(rows * nT).map(() =>
    loss === "ce" ? Math.floor(r() * nOut) : loss === "bce" ? (r() < 0.5 ? 0 : 1) : Math.fround(r() * 2 - 1));
  return { x, t };
}

export const CANARY = [0xde, 0xad, 0xbe, 0xef, 0x5a, 0xa5, 0x3c, 0xc3];

export function fillCanary(mem: WebAssembly.Memory, from: number, to = mem.buffer.byteLength): void {
  const b = new Uint8Array(mem.buffer);
  for (let i = from; i < to; i++) b[i] = CANARY[i & 7];
}

/** The first byte in [from, to) that is not the canary, or -1. */
export function firstCanaryDamage(mem: WebAssembly.Memory, from: number, to = mem.buffer.byteLength): number {
  const b = new Uint8Array(mem.buffer);
  for (let i = from; i < to; i++) if (b[i] !== CANARY[i & 7]) return i;
  return -1;
}
