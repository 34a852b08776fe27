// Every frame payload the host sends or reads, one named encoder or decoder
// per message (docs/protocol.md §4 has the byte tables). Decoders check what
// they read (reply type, lengths, counts, offsets) and throw a
// MalformedMessageError rather than hand back numbers read past the end; an
// ERROR frame in place of a reply becomes a BoardError with its status.
import { Type, type Frame, typeName } from "./frame.js";
import { BoardError, Status, statusName } from "./status.js";
import { MalformedMessageError } from "./message-error.js";
import type { Plan } from "../model/plan.js";
import { CONFIG_BYTES } from "./config-block.js";

const EMPTY = new Uint8Array(0);
const F32 = 4;
const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

function expectLength(what: string, payload: Uint8Array, bytes: number): void {
  if (payload.length !== bytes) throw new MalformedMessageError(`${what}: expected ${bytes} bytes, got ${payload.length}`);
}

function expectAtLeast(what: string, payload: Uint8Array, bytes: number): void {
  if (payload.length < bytes) throw new MalformedMessageError(`${what}: expected at least ${bytes} bytes, got ${payload.length}`);
}

// ---- ERROR (0xFF) ---------------------------------------------------------

export const ErrorOffset = { CODE: 0, FOR_TYPE: 1, DETAIL: 2, BOOT_ID: 4, MESSAGE: 8 } as const;

export interface ErrorPayload {
  code: number;
  forType: number;
  /** Per code; OUT_OF_ORDER: the expected sequence number (read as `detail & 0xffff`). */
  detail: number;
  bootId: number;
  /** Firmware ERROR frames may append text (TRAP, LOAD_FAILED). */
  message: string;
}

export function decodeError(payload: Uint8Array): ErrorPayload {
  expectAtLeast("ERROR", payload, ErrorOffset.MESSAGE);
  const v = view(payload);
  return {
    code: v.getUint8(ErrorOffset.CODE), forType: v.getUint8(ErrorOffset.FOR_TYPE),
    detail: v.getInt16(ErrorOffset.DETAIL, true), bootId: v.getUint32(ErrorOffset.BOOT_ID, true),
    message: Buffer.from(payload.subarray(ErrorOffset.MESSAGE)).toString("latin1"),
  };
}

/** The payload of `f` as the reply to a `request`: an ERROR is the board's refusal. */
export function replyPayload(f: Frame, request: number): Uint8Array {
  if (f.type === Type.ERROR) {
    const e = decodeError(f.payload);
    throw new BoardError(e.code, `the board refused ${request.toString(16)}: ${statusName(e.code)} (detail ${e.detail})`, e.detail);
  }
  if (f.type !== (request | Type.REPLY)) {
    throw new MalformedMessageError(`unexpected reply type 0x${f.type.toString(16)} to 0x${request.toString(16)}`);
  }
  return f.payload;
}

// ---- HELLO (0x01) ---------------------------------------------------------

export const encodeHello = (): Uint8Array => EMPTY;

export const HELLO_REPLY_BYTES = 32;
export const HelloOffset = {
  PROTOCOL: 0, CONFIGURED: 1, CHUNK: 2, BUILD_ID: 4, BOOT_ID: 8, MEMORY_LIMIT: 12,
  RX_PAYLOAD: 16, TX_PAYLOAD: 18, BUSY_MICROS: 20, ROWS_TRAINED: 24, STEP: 28,
} as const;

export interface HelloReply {
  protocol: number;
  configured: boolean;
  chunk: number;
  buildId: number;
  bootId: number;
  memoryLimit: number;
  rxPayload: number;
  txPayload: number;
  busyMicros: number;
  rowsTrained: number;
  /** The optimizer's step count. */
  step: number;
}

export function decodeHelloReply(payload: Uint8Array): HelloReply {
  expectLength("HELLO_REPLY", payload, HELLO_REPLY_BYTES);
  const v = view(payload);
  const u32 = (o: number) => v.getUint32(o, true);
  return {
    protocol: v.getUint8(HelloOffset.PROTOCOL), configured: v.getUint8(HelloOffset.CONFIGURED) !== 0,
    chunk: v.getUint16(HelloOffset.CHUNK, true), buildId: u32(HelloOffset.BUILD_ID), bootId: u32(HelloOffset.BOOT_ID),
    memoryLimit: u32(HelloOffset.MEMORY_LIMIT), rxPayload: v.getUint16(HelloOffset.RX_PAYLOAD, true),
    txPayload: v.getUint16(HelloOffset.TX_PAYLOAD, true), busyMicros: u32(HelloOffset.BUSY_MICROS),
    rowsTrained: u32(HelloOffset.ROWS_TRAINED), step: u32(HelloOffset.STEP),
  };
}

// ---- CONFIGURE (0x02): the request is the configuration block (config-block.ts)

export const CONFIGURE_REPLY_BYTES = 44;
/** A module older than the input statistics and the sample store ends its reply after MEMORY_LIMIT: both read as 0. */
export const CONFIGURE_REPLY_V1_BYTES = 36;
export const ConfigureOffset = {
  STATUS: 0, DETAIL: 2, PARAMS: 4, GRADS: 8, OPTIMIZER: 12, ACTIVATIONS: 16, BUFFERS: 20,
  STATIC: 24, TOTAL: 28, MEMORY_LIMIT: 32, INPUT_STATS: 36, STORE: 40,
} as const;

export interface ConfigureReply {
  status: number;
  /** BAD_CONFIG: the byte offset of the refused field; otherwise -1. */
  detail: number;
  /** The plan (meaningful for OK and TOO_BIG), without the chunk. */
  plan: Omit<Plan, "chunk">;
  memoryLimit: number;
}

/** The most optimizer state tensors per parameter (RMSProp, centered, with momentum). */
export const MAX_OPTIMIZER_SLOTS = 3;

/** What the configured model's plan must hold, for checking an accepted CONFIGURE_REPLY. */
export interface ExpectedPlanShape {
  /** Parameters of the whole model. */
  params: number;
  /** Parameters of the layers that train (all of them unless layers are frozen): gradients and each optimizer slot. */
  trainedParams: number;
  /** Bytes of the input statistics (0 unless the model normalises its inputs). */
  inputStatsBytes: number;
}

/**
 * CONFIGURE_REPLY. `expect`, when given, is what the configured model needs:
 * an accepted plan must hold exactly that many parameters, gradients for the
 * trained ones, 0..MAX_OPTIMIZER_SLOTS tensors of optimizer state as large as
 * the gradients and the input statistics, within the memory limit it
 * reports; the host sizes its reads by it.
 */
export function decodeConfigureReply(payload: Uint8Array, expect?: ExpectedPlanShape): ConfigureReply {
  const r = decodeConfigureFields(payload);
  if (expect === undefined || r.status !== Status.OK) return r;
  const p = r.plan;
  const paramsBytes = (4 * expect.params + 7) & ~7;
  const gradsBytes = (4 * expect.trainedParams + 7) & ~7;
  const slots = p.optimizer_bytes / gradsBytes;
  const problem = p.params_bytes !== paramsBytes ? `parameters ${p.params_bytes} bytes, the model has ${paramsBytes}`
    : p.grads_bytes !== gradsBytes ? `gradients ${p.grads_bytes} bytes, the trained layers have ${gradsBytes}`
    : !Number.isInteger(slots) || slots > MAX_OPTIMIZER_SLOTS ? `optimizer state ${p.optimizer_bytes} bytes, not 0..${MAX_OPTIMIZER_SLOTS} x ${gradsBytes}`
    : p.input_stats_bytes !== expect.inputStatsBytes ? `input statistics ${p.input_stats_bytes} bytes, the model needs ${expect.inputStatsBytes}`
    : p.total_bytes > r.memoryLimit ? `total ${p.total_bytes} bytes over the memory limit ${r.memoryLimit} it accepted`
    : null;
  if (problem) throw new MalformedMessageError(`CONFIGURE_REPLY: a plan that cannot be this model's: ${problem}`);
  return r;
}

function decodeConfigureFields(payload: Uint8Array): ConfigureReply {
  if (payload.length !== CONFIGURE_REPLY_V1_BYTES) expectLength("CONFIGURE_REPLY", payload, CONFIGURE_REPLY_BYTES);
  const v = view(payload);
  const u32 = (o: number) => v.getUint32(o, true);
  const newer = (o: number) => (payload.length > o ? u32(o) : 0);
  return {
    status: v.getUint8(ConfigureOffset.STATUS), detail: v.getInt16(ConfigureOffset.DETAIL, true),
    plan: {
      params_bytes: u32(ConfigureOffset.PARAMS), grads_bytes: u32(ConfigureOffset.GRADS),
      optimizer_bytes: u32(ConfigureOffset.OPTIMIZER), activations_bytes: u32(ConfigureOffset.ACTIVATIONS),
      input_stats_bytes: newer(ConfigureOffset.INPUT_STATS), store_bytes: newer(ConfigureOffset.STORE),
      buffers_bytes: u32(ConfigureOffset.BUFFERS), static_bytes: u32(ConfigureOffset.STATIC),
      total_bytes: u32(ConfigureOffset.TOTAL), pages: Math.ceil(u32(ConfigureOffset.TOTAL) / 65536),
    },
    memoryLimit: u32(ConfigureOffset.MEMORY_LIMIT),
  };
}

// ---- SET_WEIGHTS (0x03) / GET_WEIGHTS (0x04) --------------------------------

/**
 * The regions a board holds, in 4-byte words: floats (INPUT_STATS: mean[nIn]
 * then std[nIn], empty unless the model normalises), and CONFIG, the
 * configuration block the model was configured with (read-only: a SET is
 * refused BAD_RANGE), whose words are raw bytes, not floats.
 */
export const Region = { PARAMETERS: 0, OPTIMIZER_STATE: 1, INPUT_STATS: 2, CONFIG: 3 } as const;
/** Words of region CONFIG. */
export const CONFIG_WORDS = CONFIG_BYTES / 4;

export const WeightsOffset = { REGION: 0, COUNT: 2, OFFSET: 4, VALUES: 8 } as const;
/** GET_WEIGHTS request: the count sits after the offset. */
export const GET_WEIGHTS_COUNT = 8;
export const GET_WEIGHTS_BYTES = 10;

export interface WeightsRange {
  region: number;
  /** In floats. */
  offset: number;
  count: number;
}

export function encodeSetWeights(region: number, offset: number, values: Float32Array): Uint8Array {
  const p = new Uint8Array(WeightsOffset.VALUES + values.length * F32);
  const v = view(p);
  v.setUint8(WeightsOffset.REGION, region);
  v.setUint32(WeightsOffset.OFFSET, offset, true);
  if (littleEndian) p.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), WeightsOffset.VALUES);
  else values.forEach((x, i) => v.setFloat32(WeightsOffset.VALUES + F32 * i, x, true));
  return p;
}

export function encodeGetWeights(r: WeightsRange): Uint8Array {
  const p = new Uint8Array(GET_WEIGHTS_BYTES);
  const v = view(p);
  v.setUint8(WeightsOffset.REGION, r.region);
  v.setUint32(WeightsOffset.OFFSET, r.offset, true);
  v.setUint16(GET_WEIGHTS_COUNT, r.count, true);
  return p;
}

function decodeRange(what: string, payload: Uint8Array): WeightsRange {
  expectAtLeast(what, payload, WeightsOffset.VALUES);
  const v = view(payload);
  return {
    region: v.getUint8(WeightsOffset.REGION), count: v.getUint16(WeightsOffset.COUNT, true),
    offset: v.getUint32(WeightsOffset.OFFSET, true),
  };
}

function expectRange(what: string, got: WeightsRange, want: WeightsRange): void {
  if (got.region !== want.region || got.offset !== want.offset || got.count !== want.count) {
    throw new MalformedMessageError(`${what}: answers region ${got.region} [${got.offset}, +${got.count}), ` +
      `asked for region ${want.region} [${want.offset}, +${want.count})`);
  }
}

/** SET_WEIGHTS_REPLY, checked against what was written. */
export function decodeSetWeightsReply(payload: Uint8Array, written: WeightsRange): WeightsRange {
  expectLength("SET_WEIGHTS_REPLY", payload, WeightsOffset.VALUES);
  const r = decodeRange("SET_WEIGHTS_REPLY", payload);
  expectRange("SET_WEIGHTS_REPLY", r, written);
  return r;
}

export interface WeightsReply extends WeightsRange {
  values: Float32Array;
}

/** GET_WEIGHTS_REPLY, checked against what was asked for. */
export function decodeGetWeightsReply(payload: Uint8Array, asked: WeightsRange): WeightsReply {
  const r = decodeRange("GET_WEIGHTS_REPLY", payload);
  expectLength("GET_WEIGHTS_REPLY", payload, WeightsOffset.VALUES + F32 * r.count);
  expectRange("GET_WEIGHTS_REPLY", r, asked);
  return { ...r, values: readFloats(payload, WeightsOffset.VALUES, r.count) };
}

/** The GET_WEIGHTS request for the whole configuration block (region CONFIG: one reply carries it). */
export function encodeGetConfigBlock(): Uint8Array {
  return encodeGetWeights({ region: Region.CONFIG, offset: 0, count: CONFIG_WORDS });
}

/**
 * Its reply: the 160 bytes as they are (never through floats, which would
 * quiet a signalling-NaN bit pattern of two config bytes).
 */
export function decodeConfigBlockReply(payload: Uint8Array): Uint8Array {
  const asked = { region: Region.CONFIG, offset: 0, count: CONFIG_WORDS };
  const r = decodeRange("GET_WEIGHTS_REPLY", payload);
  expectLength("GET_WEIGHTS_REPLY", payload, WeightsOffset.VALUES + F32 * r.count);
  expectRange("GET_WEIGHTS_REPLY", r, asked);
  return payload.slice(WeightsOffset.VALUES, WeightsOffset.VALUES + CONFIG_BYTES);
}

function readFloats(payload: Uint8Array, at: number, n: number): Float32Array {
  const v = view(payload);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = v.getFloat32(at + F32 * i, true);
  return out;
}

// ---- BATCH (0x05) / EVAL (0x06): rows of f32 after an 8-byte header --------

export const RowsOffset = { FLAGS: 0, ROWS: 2, STEP: 4, DATA: 8 } as const;
export const BatchFlag = { ENDS_BATCH: 1, SET_STEP: 4 } as const;
export const EvalFlag = { TARGETS: 2 } as const;

/** Rows [first, first + count) of x (and t): each row's inputs, then its targets. */
export interface RowSpan {
  x: Float32Array;
  t: Float32Array | null;
  first: number;
  count: number;
  nIn: number;
  /** Target columns copied per row (0: none). */
  nT: number;
}

export interface RowsHeader {
  flags: number;
  /** The header's row count (a well-formed request: span.count). */
  rows: number;
  /** BATCH with SET_STEP: the step count to set first; otherwise 0. */
  step: number;
}

function encodeRows(h: RowsHeader, s: RowSpan): Uint8Array {
  const width = s.nIn + (s.t ? s.nT : 0);
  const p = new Uint8Array(RowsOffset.DATA + s.count * width * F32);
  const v = view(p);
  v.setUint8(RowsOffset.FLAGS, h.flags);
  v.setUint16(RowsOffset.ROWS, h.rows, true);
  v.setUint32(RowsOffset.STEP, h.step, true);
  packRows(p, RowsOffset.DATA, s);
  return p;
}

function packRows(p: Uint8Array, at: number, s: RowSpan): void {
  const { x, t, first, count, nIn } = s;
  const nT = t ? s.nT : 0;
  if (littleEndian) {
    const f = new Float32Array(p.buffer, p.byteOffset + at, count * (nIn + nT));
    for (let row = first, o = 0; row < first + count; row++) {
      f.set(x.subarray(row * nIn, (row + 1) * nIn), o);
      o += nIn;
      if (t && nT) { f.set(t.subarray(row * nT, (row + 1) * nT), o); o += nT; }
    }
    return;
  }
  const v = view(p);
  let o = at;
  for (let row = first; row < first + count; row++) {
    for (let i = 0; i < nIn; i++, o += F32) v.setFloat32(o, x[row * nIn + i], true);
    if (t) for (let i = 0; i < nT; i++, o += F32) v.setFloat32(o, t[row * nT + i], true);
  }
}

export interface BatchRequest {
  endsBatch: boolean;
  /** Set the board's step count before training (replay after a restart). */
  setStep: number | null;
}

export function encodeBatch(b: BatchRequest, rows: RowSpan): Uint8Array {
  const flags = (b.endsBatch ? BatchFlag.ENDS_BATCH : 0) | (b.setStep !== null ? BatchFlag.SET_STEP : 0);
  return encodeRows({ flags, rows: rows.count, step: b.setStep ?? 0 }, rows);
}

/** A BATCH or EVAL payload with any header, well-formed or not (for tests of the board's checks). */
export const encodeRowsRaw = encodeRows;

export const BATCH_REPLY_BYTES = 24;
export const BatchReplyOffset = { STATUS: 0, STEPPED: 1, ROWS: 2, BUSY_MICROS: 4, LOSS_SUM: 8, STEP: 16, LAYERS: 20, GRAD_NORMS: 24 } as const;

export interface BatchReply {
  status: number;
  stepped: boolean;
  rows: number;
  busyMicros: number;
  lossSum: number;
  step: number;
  /** Per layer, the batch-mean gradient's L2 norm (0 unless stepped). */
  gradNorms: Float32Array;
}

/**
 * A reply's loss sum: every loss the module computes (mse, ce, bce with
 * targets in [0, 1]) is a sum of terms that are >= 0 even in floating point,
 * so a negative sum is a reply no board can honestly send. NaN and infinity
 * pass: they are the divergence the run reports.
 */
function lossSumOf(what: string, v: DataView, offset: number): number {
  const loss = v.getFloat64(offset, true);
  if (loss < 0) throw new MalformedMessageError(`${what}: loss sum ${loss} is negative (a loss is never below 0)`);
  return loss;
}

/**
 * BATCH_REPLY; `layers`, when given, is the configured model's, and `rows`
 * the chunk's row count (a reply that trained all of them must say so).
 */
export function decodeBatchReply(payload: Uint8Array, layers?: number, rows?: number, what = "BATCH_REPLY"): BatchReply {
  expectAtLeast(what, payload, BATCH_REPLY_BYTES);
  const v = view(payload);
  const L = v.getUint8(BatchReplyOffset.LAYERS);
  expectLength(what, payload, BATCH_REPLY_BYTES + F32 * L);
  if (layers !== undefined && L !== layers) throw new MalformedMessageError(`${what}: ${L} layers, the model has ${layers}`);
  const n = v.getUint16(BatchReplyOffset.ROWS, true);
  if (rows !== undefined && v.getUint8(BatchReplyOffset.STATUS) === Status.OK && n !== rows) {
    throw new MalformedMessageError(`${what}: ${n} rows trained, the ${what === "BATCH_REPLY" ? "chunk" : "step"} has ${rows}`);
  }
  return {
    status: v.getUint8(BatchReplyOffset.STATUS), stepped: v.getUint8(BatchReplyOffset.STEPPED) !== 0,
    rows: v.getUint16(BatchReplyOffset.ROWS, true), busyMicros: v.getUint32(BatchReplyOffset.BUSY_MICROS, true),
    lossSum: lossSumOf(what, v, BatchReplyOffset.LOSS_SUM), step: v.getUint32(BatchReplyOffset.STEP, true),
    gradNorms: readFloats(payload, BatchReplyOffset.GRAD_NORMS, L),
  };
}

export function encodeEval(withTargets: boolean, rows: RowSpan): Uint8Array {
  return encodeRows({ flags: withTargets ? EvalFlag.TARGETS : 0, rows: rows.count, step: 0 }, rows);
}

export const EVAL_REPLY_BYTES = 16;
export const EvalReplyOffset = { STATUS: 0, ROWS: 2, BUSY_MICROS: 4, LOSS_SUM: 8, OUTPUTS: 16 } as const;

export interface EvalReply {
  status: number;
  rows: number;
  busyMicros: number;
  lossSum: number;
  /** rows x outputs, row by row. */
  outputs: Float32Array;
}

/** EVAL_REPLY for a request of `rows` rows on a model with `outputs` outputs. */
export function decodeEvalReply(payload: Uint8Array, rows: number, outputs: number): EvalReply {
  expectAtLeast("EVAL_REPLY", payload, EVAL_REPLY_BYTES);
  const v = view(payload);
  const n = v.getUint16(EvalReplyOffset.ROWS, true);
  if (n !== rows) throw new MalformedMessageError(`EVAL_REPLY: ${n} rows, asked for ${rows}`);
  expectLength("EVAL_REPLY", payload, EVAL_REPLY_BYTES + F32 * n * outputs);
  const lossSum = lossSumOf("EVAL_REPLY", v, EvalReplyOffset.LOSS_SUM);
  const out = readFloats(payload, EvalReplyOffset.OUTPUTS, n * outputs);
  // The module sums the loss in f64 over float32 outputs and finite targets:
  // finite outputs cannot give a non-finite sum (non-finite outputs are the
  // model's divergence, which the run reports).
  if (!Number.isFinite(lossSum) && out.every(Number.isFinite)) {
    throw new MalformedMessageError(`EVAL_REPLY: loss sum ${lossSum} from finite outputs (no board computes that)`);
  }
  return { status: v.getUint8(EvalReplyOffset.STATUS), rows: n, busyMicros: v.getUint32(EvalReplyOffset.BUSY_MICROS, true), lossSum, outputs: out };
}

// ---- STORE (0x09): rows into the sample store, after an 8-byte header ------

export const StoreOffset = { FLAGS: 0, ROWS: 2, DATA: 8 } as const;
export const StoreFlag = { CLEAR: 1 } as const;
/** The most rows one STORE frame's u16 count can state. */
export const MAX_STORE_ROWS_PER_FRAME = 0xffff;

/** Rows appended to the board's sample store (`clear`: emptied first); same row layout as BATCH. */
export function encodeStore(clear: boolean, rows: RowSpan): Uint8Array {
  if (rows.count > MAX_STORE_ROWS_PER_FRAME) throw new RangeError(`STORE: ${rows.count} rows, at most ${MAX_STORE_ROWS_PER_FRAME} per frame`);
  const p = new Uint8Array(StoreOffset.DATA + rows.count * (rows.nIn + (rows.t ? rows.nT : 0)) * F32);
  const v = view(p);
  v.setUint8(StoreOffset.FLAGS, clear ? StoreFlag.CLEAR : 0);
  v.setUint16(StoreOffset.ROWS, rows.count, true);
  packRows(p, StoreOffset.DATA, rows);
  return p;
}

export const STORE_REPLY_BYTES = 12;
export const StoreReplyOffset = { STATUS: 0, HELD: 4, CAPACITY: 8 } as const;

export interface StoreReply {
  /** Rows in the store now. */
  held: number;
  /** Rows it holds at most (then it is a ring buffer: new rows overwrite the oldest). */
  capacity: number;
}

/**
 * STORE_REPLY. `expected`, when given, is what the store must hold after this
 * frame (the host knows: it counts what it sent since the last clear).
 */
export function decodeStoreReply(payload: Uint8Array, expected?: StoreReply): StoreReply {
  expectLength("STORE_REPLY", payload, STORE_REPLY_BYTES);
  const v = view(payload);
  const status = v.getUint8(StoreReplyOffset.STATUS);
  if (status !== Status.OK) throw new MalformedMessageError(`STORE_REPLY: status ${status}, expected 0 (a refusal comes as an ERROR frame)`);
  const r = { held: v.getUint32(StoreReplyOffset.HELD, true), capacity: v.getUint32(StoreReplyOffset.CAPACITY, true) };
  if (r.held > r.capacity) throw new MalformedMessageError(`STORE_REPLY: ${r.held} rows held in a store of ${r.capacity}`);
  if (expected && (r.held !== expected.held || r.capacity !== expected.capacity)) {
    throw new MalformedMessageError(`STORE_REPLY: ${r.held} of ${r.capacity} rows held, expected ${expected.held} of ${expected.capacity}`);
  }
  return r;
}

// ---- TRAIN_STORE (0x0A): one optimizer step over stored rows; the reply is a BATCH_REPLY

export const TRAIN_STORE_BYTES = 20;
export const TrainStoreOffset = { FLAGS: 0, FIRST: 4, ROWS: 8, EPOCH: 12, STEP: 16 } as const;
export const TrainStoreFlag = { START_EPOCH: 1, SHUFFLE: 2, SET_STEP: 4 } as const;
/** The most rows of one step (BATCH_REPLY's row count is a u16). */
export const MAX_TRAIN_STORE_ROWS = 0xffff;

export interface TrainStoreRequest {
  /** Position of the step's first row in the epoch's order. */
  first: number;
  /** Rows of the step: one whole batch. */
  rows: number;
  /** 0-based epoch (seeds the shuffle). */
  epoch: number;
  /** Compute the epoch's order of the rows held first (the epoch's first step). */
  startEpoch: boolean;
  /** That order is the seeded shuffle (host/data/shuffle.ts epochOrder); else the rows in store order. */
  shuffle: boolean;
  /** Set the board's step count before training (replay after a restart). */
  setStep: number | null;
}

export function encodeTrainStore(r: TrainStoreRequest): Uint8Array {
  if (r.rows < 1 || r.rows > MAX_TRAIN_STORE_ROWS) throw new RangeError(`TRAIN_STORE: ${r.rows} rows, expected 1..${MAX_TRAIN_STORE_ROWS}`);
  const p = new Uint8Array(TRAIN_STORE_BYTES);
  const v = view(p);
  const flags = (r.startEpoch ? TrainStoreFlag.START_EPOCH : 0) | (r.shuffle ? TrainStoreFlag.SHUFFLE : 0)
    | (r.setStep !== null ? TrainStoreFlag.SET_STEP : 0);
  v.setUint8(TrainStoreOffset.FLAGS, flags);
  v.setUint32(TrainStoreOffset.FIRST, r.first, true);
  v.setUint32(TrainStoreOffset.ROWS, r.rows, true);
  v.setUint32(TrainStoreOffset.EPOCH, r.epoch >>> 0, true);
  v.setUint32(TrainStoreOffset.STEP, r.setStep ?? 0, true);
  return p;
}

/** TRAIN_STORE_REPLY: BATCH_REPLY's layout for the whole step (`rows`: the step's rows). */
export function decodeTrainStoreReply(payload: Uint8Array, layers?: number, rows?: number): BatchReply {
  const r = decodeBatchReply(payload, layers, rows, "TRAIN_STORE_REPLY");
  if (r.status === Status.OK && !r.stepped) throw new MalformedMessageError("TRAIN_STORE_REPLY: status OK but the optimizer did not step");
  return r;
}

// ---- SET_LR (0x07) / RESET (0x08) ---------------------------------------------

export const SET_LR_BYTES = 8;

export function encodeSetLr(lr: number): Uint8Array {
  const p = new Uint8Array(SET_LR_BYTES);
  view(p).setFloat64(0, lr, true);
  return p;
}

export const encodeReset = (): Uint8Array => EMPTY;

/** SET_LR_REPLY and RESET_REPLY: one byte, 0. */
export const ACK_BYTES = 1;

export function decodeAck(payload: Uint8Array, request: number): void {
  const what = `${typeName(request | Type.REPLY)}`;
  expectLength(what, payload, ACK_BYTES);
  if (payload[0] !== 0) throw new MalformedMessageError(`${what}: status ${payload[0]}, expected 0`);
}
