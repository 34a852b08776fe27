// A hostile session as bytes on a board's serial input: HELLO, then CONFIGUREs
// with extreme layer sizes and chunks (u16 maxima, products near 2^32, wide
// activations with large chunks) interleaved with small models that fit, each
// followed by SET/GET_WEIGHTS at extreme offsets and counts, BATCH/EVAL with
// extreme row counts and SET_LR with non-finite rates, STORE and TRAIN_STORE
// with extreme flags, row counts, positions and lengths on sample stores of
// extreme capacities (none, one row, products past 2^32); a HELLO at the end.
// Every request carries the next sequence number, so every one executes.
import { encodeFrame } from "../../host/protocol/frame";
import { optimizerDefaults, type Activation, type LossName, type RunConfig } from "../../host/model/config";
import { encodeConfig } from "../../host/protocol/config-block";
import { dv, prng, randInt, T } from "../protocol/support";

export interface Sent { type: number; seq: number; payload: Uint8Array }

export interface Session {
  bytes: Uint8Array;
  requests: Sent[];
  /** Every CONFIGURE's run config, by its seq. */
  configs: Map<number, RunConfig>;
  finalHelloSeq: number;
}

const EXTREME_WIDTHS = [1, 2, 255, 256, 4095, 4096, 16383, 16384, 32767, 32768, 65534, 65535];
const EXTREME_CHUNKS = [1, 2, 255, 4096, 32767, 32768, 65535];
// Offsets (in floats) that wrap when multiplied by 4 or added to a size.
const EXTREME_OFFSETS = [0, 1, 0x3fffffff, 0x40000000, 1073610036, 0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff];
// Sample-store capacities: none, tiny, and ones whose bytes wrap 32 bits.
const EXTREME_STORE_ROWS = [0, 1, 2, 3, 1000, 0x3fffffff, 0x40000000, 0x7fffffff, 0xffffffff];
const LOSSES: LossName[] = ["mse", "ce", "bce"];
const OPTS = ["sgd", "adagrad", "rmsprop", "adam", "adamw"];

function run(sizes: number[], chunk: number, loss: LossName, opt: string, extra: Partial<RunConfig["optimizer"]> = {}, storeRows = 0): RunConfig {
  const L = sizes.length - 1;
  return {
    sizes, loss, chunk, clipNorm: 0, init: "pytorch", seed: 5, storeRows,
    activations: Array.from({ length: L }, (_, l) => (l === L - 1 ? "identity" : "relu")) as Activation[],
    optimizer: { ...optimizerDefaults(opt), ...extra },
  };
}

/** The configs every run covers, then `random` more drawn from the extremes. */
export function extremeConfigs(seed: number, random: number): RunConfig[] {
  const fixed: RunConfig[] = [
    run([32767, 32768], 1, "mse", "sgd"), //          4 x 32767 x 32769: just past 2^32 (the trap of issue 14)
    run([65535, 65535], 1, "mse", "sgd"), //          params_bytes wraps to 4,294,705,152 / total 790,312
    run([16383, 65535], 1, "mse", "sgd"), //          4 x 65535 x 16384 = 2^32 - 2^18
    run([65535, 16383], 1, "mse", "sgd"),
    run([21845, 16383], 1, "mse", "rmsprop", { centered: true, momentum: 0.9 }), // 3 slots x ~2^30.4 bytes
    run([65535, 65535, 65535, 65535, 65535, 65535, 65535, 65535, 65535], 65535, "bce", "adam"),
    run([65535, 1], 65535, "mse", "sgd"), //           rx payload 4 x 65535 x 65536
    run([1, 65535], 65535, "mse", "sgd"),
    run([4096, 4096], 4096, "mse", "sgd"), //          activations 4 x 4096 x 8192 = 2^27
    run([16384, 16384, 16384], 65535, "ce", "adam"), // activations 4 x 65535 x 49153: past 2^33
    run([1, 65535], 1, "mse", "adam"), //              fits: 131,070 parameters
    run([2, 2], 65535, "mse", "sgd"), //               fits: the largest chunk, a large rx buffer
    run([3, 4, 2], 8, "ce", "adam"), //                an ordinary model
    run([2, 1], 1, "mse", "sgd"),
    run([3, 4, 2], 2, "mse", "adam", {}, 3), //          a store that fits and wraps as a ring
    run([2, 3], 8, "ce", "sgd", {}, 1), //               a one-row store
    run([2, 1], 1, "mse", "sgd", {}, 0xffffffff), //     4 x 2^32 x 3 store bytes: past 2^32, refused
    run([65535, 1], 1, "mse", "sgd", {}, 0x40000000), // store bytes 2^30 x 4 x 65536: past 2^48
    run([1, 1], 1, "mse", "sgd", {}, 0x3fffffff), //     store rows wrap to a small size in 32 bits
  ];
  const r = prng(seed);
  const pick = <T>(a: readonly T[]) => a[randInt(r, a.length)];
  for (let i = 0; i < random; i++) {
    const L = 1 + randInt(r, 8);
    const sizes = Array.from({ length: L + 1 }, () => (r() < 0.7 ? pick(EXTREME_WIDTHS) : 1 + randInt(r, 64)));
    const loss = pick(LOSSES);
    if (loss === "ce" && sizes[L] < 2) sizes[L] = 2;
    const chunk = r() < 0.7 ? pick(EXTREME_CHUNKS) : 1 + randInt(r, 64);
    const storeRows = r() < 0.5 ? 0 : r() < 0.6 ? pick(EXTREME_STORE_ROWS) : 1 + randInt(r, 64);
    fixed.push(run(sizes, chunk, loss, pick(OPTS), { momentum: r() < 0.5 ? 0 : 0.9, centered: r() < 0.3 }, storeRows));
  }
  // int16 (docs/int16.md): its extra plan bytes at the extremes too. Drawn from a generator of
  // its own, so the configurations above are the ones they always were.
  const q = prng(seed ^ 0x1616);
  fixed.push({ ...run([65535, 65535], 65535, "mse", "sgd"), precision: "int16" }); // int16 weights 2 x 65535^2: past 2^33
  fixed.push({ ...run([3, 4, 2], 8, "ce", "adam"), precision: "int16" });
  for (const c of fixed.slice(0, fixed.length - 2)) if (q() < 0.3) fixed.push({ ...c, precision: "int16" });
  return fixed;
}

function region(which: number, offset: number, tail: Uint8Array): Uint8Array {
  const p = new Uint8Array(8 + tail.length);
  dv(p).setUint8(0, which);
  dv(p).setUint32(4, offset >>> 0, true);
  p.set(tail, 8);
  return p;
}

function u16(n: number): Uint8Array {
  const b = new Uint8Array(2);
  dv(b).setUint16(0, n, true);
  return b;
}

// Row bytes after the BATCH header: short enough for the smallest rx buffer.
const MAX_ROW_BYTES = 120;

function batchHeader(flags: number, rows: number, extra: number): Uint8Array {
  const p = new Uint8Array(8 + Math.min(extra, MAX_ROW_BYTES));
  dv(p).setUint8(0, flags);
  dv(p).setUint16(2, rows, true);
  dv(p).setUint32(4, 0xffffffff, true);
  for (let i = 8; i < p.length; i++) p[i] = 0x3f;
  return p;
}

/** The requests that follow each CONFIGURE: extreme regions, rows and rates. */
function probes(c: RunConfig): { type: number; payload: Uint8Array }[] {
  const out: { type: number; payload: Uint8Array }[] = [];
  const nIn = c.sizes[0];
  let params = 0;
  for (let l = 1; l < c.sizes.length; l++) params += c.sizes[l] * (c.sizes[l - 1] + 1);
  const offsets = [...EXTREME_OFFSETS, params - 1, params, params + 1].filter((o) => o >= 0);
  const floats = new Uint8Array(16).fill(0x41);
  for (const which of [0, 1, 2, 3, 4, 255]) { // 3: CONFIG, read-only
    for (const off of offsets) {
      out.push({ type: T.SET_WEIGHTS, payload: region(which, off, which < 2 && off % 3 === 0 ? floats.subarray(0, 4) : floats) });
      for (const count of [0, 1, 46, 47, 0xffff]) out.push({ type: T.GET_WEIGHTS, payload: region(which, off, u16(count)) });
    }
  }
  out.push({ type: T.SET_WEIGHTS, payload: region(0, 0, floats.subarray(0, 6)) }); // not whole floats
  for (const rows of [0, 1, c.chunk, c.chunk + 1, 0xffff]) {
    for (const flags of [0, 1, 2, 3, 4, 0xff]) {
      out.push({ type: T.BATCH, payload: batchHeader(flags, rows, 4 * (nIn + 1)) });
      out.push({ type: T.EVAL, payload: batchHeader(flags, rows, 4 * nIn) });
    }
  }
  out.push(...storeProbes(c));
  for (const lr of [NaN, Infinity, -1, 1e308]) {
    const p = new Uint8Array(8);
    dv(p).setFloat64(0, lr, true);
    out.push({ type: T.SET_LR, payload: p });
  }
  return out;
}

function storeHeader(flags: number, rows: number, dataBytes: number): Uint8Array {
  const p = new Uint8Array(8 + Math.min(dataBytes, MAX_ROW_BYTES));
  dv(p).setUint8(0, flags);
  dv(p).setUint16(2, rows, true);
  dv(p).setUint32(4, 0xffffffff, true);
  for (let i = 8; i < p.length; i++) p[i] = 0x3f;
  return p;
}

function trainStore(bytes: number, flags: number, first: number, rows: number, epoch: number): Uint8Array {
  const p = new Uint8Array(bytes);
  const v = dv(p);
  if (bytes >= 1) v.setUint8(0, flags);
  for (const [at, value] of [[4, first], [8, rows], [12, epoch], [16, 0xffffffff]]) if (at + 4 <= bytes) v.setUint32(at, value >>> 0, true);
  return p;
}

const TRAIN_STORE_BYTES = 20;

/** STORE and TRAIN_STORE at the edges: flags, counts, lengths, positions past what is held, and real steps. */
function storeProbes(c: RunConfig): { type: number; payload: Uint8Array }[] {
  const out: { type: number; payload: Uint8Array }[] = [];
  const rowBytes = 4 * (c.sizes[0] + (c.loss === "ce" ? 1 : c.sizes[c.sizes.length - 1]));
  const trains = () => {
    for (const flags of [0, 1, 2, 3, 5, 7, 8, 0xff]) {
      for (const [first, rows] of [[0, 1], [0, 2], [1, 1], [0, 0], [0, 0xffff], [0, 0x10000], [0xffffffff, 1], [1, 0xffffffff], [0x80000000, 0x80000000]]) {
        out.push({ type: T.TRAIN_STORE, payload: trainStore(TRAIN_STORE_BYTES, flags, first, rows, flags === 3 ? 0xffffffff : 1) });
      }
    }
  };
  trains(); // on an empty store (or none)
  for (const bytes of [0, 1, 8, 16, 19, 21, 64]) out.push({ type: T.TRAIN_STORE, payload: trainStore(bytes, 3, 0, 1, 0) });
  // Rows that fit the frame (one or two, or none when a row is too long), with every flag and wrong counts.
  const whole = Math.min(2, Math.floor(MAX_ROW_BYTES / rowBytes));
  for (const flags of [0, 1, 2, 0xff]) {
    for (const rows of [whole, whole + 1, 0, 0xffff]) out.push({ type: T.STORE, payload: storeHeader(flags, rows, whole * rowBytes) });
  }
  for (const bytes of [0, 1, 7]) out.push({ type: T.STORE, payload: new Uint8Array(bytes) });
  // Fill the store past its capacity (a ring), then step over what it holds.
  for (let i = 0; i < 3; i++) out.push({ type: T.STORE, payload: storeHeader(i === 0 ? 1 : 0, whole, whole * rowBytes) });
  trains();
  return out;
}

/** The session's bytes; `random` extra random extreme configs. */
export function extremeSession(seed = 14, random = 40): Session {
  const requests: Sent[] = [];
  const configs = new Map<number, RunConfig>();
  let seq = 100;
  const push = (type: number, payload: Uint8Array) => requests.push({ type, seq: seq++ & 0xffff, payload });
  // A CONFIGURE or RESET that shrinks rx drops what was read behind it (the
  // host's pipeline sends it again); a blind stream has no host, so after
  // each one that may shrink a large rx, 0x00s (empty frames, ignored) take
  // the loss instead of requests.
  const parts: Uint8Array[] = [];
  const send = (type: number, payload: Uint8Array) => { push(type, payload); parts.push(encodeFrame(requests[requests.length - 1])); };
  // (Only where rx shrinks: empty frames in a large rx cost a move of it each.)
  let shrinkable = 0;
  const pad = (next: number) => { if (shrinkable > next) parts.push(new Uint8Array(shrinkable)); };
  const rxOf = (c: RunConfig) => (exactPlanTotal(c, 0, 192, 160) <= MAX_MEMORY ? rxBytes(c) : 0);
  send(T.HELLO, new Uint8Array(0));
  for (const c of extremeConfigs(seed, random)) {
    configs.set(seq & 0xffff, c);
    send(T.CONFIGURE, encodeConfig(c));
    pad(rxOf(c));
    shrinkable = rxOf(c);
    for (const p of probes(c)) send(p.type, p.payload);
  }
  send(T.RESET, new Uint8Array(0));
  pad(0);
  const finalHelloSeq = seq & 0xffff;
  send(T.HELLO, new Uint8Array(0));
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { bytes.set(p, at); at += p.length; }
  return { bytes, requests, configs, finalHelloSeq };
}

// The largest memory a module is built with (64 pages).
const MAX_MEMORY = 64 * 65536;

/** Bytes an rx buffer planned for `c` may hold. */
function rxBytes(c: RunConfig): number {
  const targets = c.loss === "ce" ? 1 : c.sizes[c.sizes.length - 1];
  return 2 * (8 + c.chunk * 4 * (c.sizes[0] + targets)) + 1024;
}

/** The exact plan total (no 32-bit wrap) the module must compare with its memory limit. */
export function exactPlanTotal(c: RunConfig, staticBytes: number, txPayload: number, minRxPayload: number): number {
  const align8 = (n: number) => Math.ceil(n / 8) * 8;
  const frame = (payload: number) => { const raw = 9 + payload; return align8(raw + Math.floor((raw + 253) / 254) + 1); };
  const L = c.sizes.length - 1;
  let params = 0;
  for (let l = 1; l <= L; l++) params += c.sizes[l] * (c.sizes[l - 1] + 1);
  const targets = c.loss === "ce" ? 1 : c.sizes[L];
  const o = c.optimizer;
  const slots = o.name === "sgd" ? (o.momentum !== 0 ? 1 : 0) : o.name === "adagrad" ? 1
    : o.name === "rmsprop" ? 1 + (o.centered ? 1 : 0) + (o.momentum > 0 ? 1 : 0) : 2;
  const p = align8(4 * params);
  const levels = c.sizes.reduce((a, b) => a + b, 0);
  const rx = Math.max(minRxPayload, 8 + c.chunk * 4 * (c.sizes[0] + targets));
  const store = align8(4 * (c.storeRows ?? 0) * (c.sizes[0] + targets)) + align8(4 * (c.storeRows ?? 0));
  // int16 (docs/int16.md §7): int16 weights, a chunk of int16 deltas, the i64 bias scratch, 2 x 9 i32 scales.
  let weights = 0, widest = 0;
  for (let l = 1; l <= L; l++) { weights += c.sizes[l] * c.sizes[l - 1]; widest = Math.max(widest, c.sizes[l]); }
  const int16 = c.precision === "int16" ? align8(2 * weights) + align8(2 * c.chunk * widest) + align8(8 * widest) + 72 : 0;
  return align8(staticBytes) + frame(rx) + frame(txPayload) + 2 * p + slots * p + align8(4 * c.chunk * (levels + targets)) + store + int16;
}
