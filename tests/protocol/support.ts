// Shared by the protocol tests: the module driven byte by byte exactly as a
// board's firmware drives it (write at rx_buffer(), rx(n), read tx_buffer(),
// rx(0) until 0), hand-made request payloads, and a seeded PRNG.
import path from "node:path";
import { mulberry32 } from "../../host/data/rng";
import { fileURLToPath } from "node:url";
import { instantiate, type EngineExports } from "../../host/boards/engine";
import { decodeFrame, encodeFrame, Type, type Frame } from "../../host/protocol/frame";
import { Status } from "../../host/protocol/status";
import { decodeGetWeightsReply, encodeGetWeights, encodeRowsRaw, encodeSetLr, WeightsOffset } from "../../host/protocol/codec";
import { optimizerDefaults, type Activation, type LossName, type OptimizerConfig, type RunConfig } from "../../host/model/config";
import { encodeConfig } from "../../host/protocol/config-block";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export { goldenDir } from "../helpers/paths";
export const cliPath = path.join(repoRoot, "bin", "edgeprop.js");
export const wasmPath = path.join(repoRoot, "build", "edgeprop.wasm");

/** Frame types and status codes: the host's tables (host/protocol/status.test.ts checks them against the module's). */
export const T = Type;
export const S = Status;

/** mulberry32 (the host's): small, seeded, reproducible. */
export const prng = mulberry32;
export const randInt = (r: () => number, n: number) => Math.floor(r() * n);
export function randBytes(r: () => number, n: number, nonZero = false): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = nonZero ? 1 + randInt(r, 255) : randInt(r, 256);
  return b;
}

export function dv(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

/** Decodes one reply as it came out of tx (COBS bytes ending in the one 0x00). */
export function decodeWire(wire: Uint8Array): Frame | null {
  if (wire.length < 2 || wire[wire.length - 1] !== 0) return null;
  if (wire.subarray(0, wire.length - 1).includes(0)) return null;
  return decodeFrame(wire.subarray(0, wire.length - 1));
}

/** The module behind its firmware interface, with nothing in between. */
export class ModuleBoard {
  readonly e: EngineExports;
  readonly banner: Uint8Array;

  constructor(readonly bootId = 0x1234abcd, memoryLimit = 0) {
    this.e = instantiate(wasmPath);
    const n = this.e.boot(bootId, memoryLimit);
    this.banner = new Uint8Array(this.e.memory.buffer, this.e.tx_buffer(), n).slice();
  }

  /** Feeds bytes as the firmware would; returns every reply (wire bytes) in order. */
  feed(bytes: Uint8Array): Uint8Array[] {
    const e = this.e;
    const out: Uint8Array[] = [];
    let off = 0;
    do {
      const cap = e.rx_capacity();
      const n = Math.min(cap, bytes.length - off);
      if (n <= 0 && bytes.length - off > 0) throw new Error(`rx_capacity() is ${cap} with ${bytes.length - off} bytes to deliver`);
      new Uint8Array(e.memory.buffer, e.rx_buffer(), n).set(bytes.subarray(off, off + n));
      off += n;
      let r = e.rx(n);
      while (r > 0) {
        out.push(new Uint8Array(e.memory.buffer, e.tx_buffer(), r).slice());
        r = e.rx(0);
      }
    } while (off < bytes.length);
    return out;
  }

  /** Sends one frame; returns the decoded replies (throws on a malformed one). */
  send(type: number, seq: number, payload: Uint8Array = new Uint8Array(0)): Frame[] {
    return this.feed(encodeFrame({ type, seq, payload })).map((w) => {
      const f = decodeWire(w);
      if (!f) throw new Error(`malformed reply ${hex(w)}`);
      return f;
    });
  }

  /** Sends one frame that must get exactly one reply. */
  one(type: number, seq: number, payload: Uint8Array = new Uint8Array(0)): Frame {
    const r = this.send(type, seq, payload);
    if (r.length !== 1) throw new Error(`expected one reply to type 0x${type.toString(16)} seq ${seq}, got ${r.length}`);
    return r[0];
  }

  params(): Float32Array {
    return new Float32Array(this.e.memory.buffer, this.e.params_ptr(), this.e.param_count()).slice();
  }

  /** Parameters and optimizer state as raw bytes (bitwise comparisons). */
  modelBytes(): Uint8Array {
    const e = this.e;
    const p = new Uint8Array(e.memory.buffer, e.params_ptr(), e.param_count() * 4);
    const o = new Uint8Array(e.memory.buffer, e.optimizer_state_ptr(), e.optimizer_state_bytes());
    const out = new Uint8Array(p.length + o.length + 8);
    out.set(p, 0);
    out.set(o, p.length);
    dv(out).setUint32(p.length + o.length, e.step_count(), true);
    dv(out).setUint32(p.length + o.length + 4, e.is_configured(), true);
    return out;
  }
}

export interface NetSpec {
  sizes: number[];
  act?: Activation;
  loss: LossName;
  opt?: string;
  optimizer?: Partial<OptimizerConfig>;
  chunk: number;
  seed?: number;
}

export function runConfig(s: NetSpec): RunConfig {
  const L = s.sizes.length - 1;
  return {
    sizes: s.sizes,
    activations: Array.from({ length: L }, (_, l) => (l === L - 1 ? "identity" : s.act ?? "tanh")) as Activation[],
    loss: s.loss,
    optimizer: { ...optimizerDefaults(s.opt ?? "sgd"), ...(s.optimizer ?? {}) },
    clipNorm: 0, init: "pytorch", seed: s.seed ?? 7, chunk: s.chunk,
  };
}

export function configBlock(s: NetSpec): Uint8Array {
  return encodeConfig(runConfig(s));
}

// ---- request payloads (assembly/protocol/board.ts) -------------------------

export function getWeightsPayload(region: number, offset: number, count: number): Uint8Array {
  return encodeGetWeights({ region, offset, count });
}

/** SET_WEIGHTS with raw value bytes (any length: the board's checks are under test). */
export function setWeightsPayload(region: number, offset: number, data: Uint8Array): Uint8Array {
  const p = new Uint8Array(WeightsOffset.VALUES + data.length);
  dv(p).setUint8(WeightsOffset.REGION, region);
  dv(p).setUint32(WeightsOffset.OFFSET, offset, true);
  p.set(data, WeightsOffset.VALUES);
  return p;
}

/** rows x (inputs, targets) f32, after [flags u8][pad][rows u16][step u32]; any header, well-formed or not. */
export function batchPayload(flags: number, rows: number, values: ArrayLike<number>, step = 0): Uint8Array {
  const x = Float32Array.from(values);
  return encodeRowsRaw({ flags, rows, step }, { x, t: null, first: 0, count: 1, nIn: x.length, nT: 0 });
}

export function lrPayload(lr: number): Uint8Array {
  return encodeSetLr(lr);
}

/** Rows of random inputs in [-1, 1) and mse targets. */
export function randomRows(r: () => number, rows: number, width: number): number[] {
  return Array.from({ length: rows * width }, () => Math.fround(r() * 2 - 1));
}

/** Weights out of a run of GET_WEIGHTS replies (as the host reads them). */
export function readAllWeights(b: ModuleBoard, seq: number, count: number): { floats: Float32Array; next: number } {
  const out = new Float32Array(count);
  for (let off = 0; off < count; off += 46) {
    const n = Math.min(46, count - off);
    const f = b.one(T.GET_WEIGHTS, seq, getWeightsPayload(0, off, n));
    if (f.type !== (T.GET_WEIGHTS | T.REPLY)) throw new Error(`GET_WEIGHTS answered with type 0x${f.type.toString(16)} code ${f.payload[0]}`);
    seq++;
    out.set(decodeGetWeightsReply(f.payload, { region: 0, offset: off, count: n }).values, off);
  }
  return { floats: out, next: seq };
}

/** A bit-at-a-time CRC-32 (reflected 0xEDB88320): the definition, independent of the host's and the module's tables. */
export function crcBitwise(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}
