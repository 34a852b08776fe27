// The board side of the serial protocol. The firmware only moves bytes: it
// writes what the UART received at rx_buffer(), calls rx(n), and sends the
// rx(n) bytes that appear at tx_buffer(), calling rx(0) again until it
// returns 0. Everything else - framing, checks, exactly-once, training -
// happens here, so the code tested on a PC is the code on the board.
//
// Exactly once: requests carry a sequence number. The board executes only the
// expected one; a repeat of one of the last REPLAY_DEPTH requests (its reply
// was lost) is answered from the reply cache (replay.ts), never executed twice; a
// request from the future (one before it was lost) is refused with
// OUT_OF_ORDER naming the expected number, and the host goes back to it.
import { C_CHUNK, C_LR, CONFIG_BYTES, CONFIG_V1_BYTES, cfgU16, configBlock, layerCount, width } from "../config";
import { rxBuf, rxCap, txBuf, level, params, optState, targets, layoutUnconfigured } from "../arena";
import { targetColumns, rxPayloadBytes, MIN_RX_PAYLOAD, planParams, planGrads, planOptimizer, planActivations, planBuffers, planStatic, planTotal, TX_PAYLOAD } from "../plan";
import { planInputStats, planStore } from "../plan";
import { inputStats } from "../arena";
import { inputStatsCount } from "../input-stats";
import { initNetwork, configureNetwork, trainChunk, evalChunk, configured, configDetail, lastLossSum, memoryLimit, setMemoryLimit, paramsCount } from "../network";
import * as network from "../network";
import * as optimizer from "../optim/optimizer";
import { Status } from "../status";
import { weightsChanged } from "../int16/state";
import { cobsDecodeSkipping, cobsEncode, head } from "./cobs";
import { crc32, crc32Bytes, crc32Update } from "./crc32";
import { HEADER, H_LEN, H_SEQ, H_TYPE, TRAILER, Type, PROTOCOL_VERSION } from "./frame";
import {
  BatchFlag, BatchReply, BatchRequest, ConfigureReply, ErrorPayload, EvalReply, HelloReply, Region,
  SetLr, StatusReply, StoreFlag, StoreReply, StoreRequest, TrainStoreFlag, TrainStoreRequest,
} from "./payload";
import { appendRow, capacity, clearStore, held, rowFloats } from "../store";
import { stepDetail, stepLossSum, stepRefused, stepped, trainStoredStep } from "../store-training";
import { writeBanner } from "./banner";
import { clearReplies, copyReply, findReply, rememberReply, replyLength, replyType, REPLAY_DEPTH } from "./replay";

// The raw reply is built this far into the transmit buffer, then COBS-encoded
// in place towards its start (see cobsEncode; replies are at most TX_PAYLOAD
// bytes, so one byte of lead is enough). At 3 the 5-byte header puts the
// sequence and length (u16) and the payload on their natural alignment.
const RAW_AT: usize = 3;
// A request's payload is decoded to the start of rx (cobsDecodeSkipping keeps
// the 5-byte header aside), so that its fields sit on their natural
// alignment (f64s at multiples of 8) as the replies' do.

let started = false;
let bootId: u32 = 0;
let rxFill: i32 = 0; //      bytes held in the receive buffer
let scanFrom: i32 = 0; //    where the search for the next delimiter resumes
let discarding = false; //   an over-long frame: drop bytes until the next 0x00
let session = false; //      a HELLO has set the sequence
let expected: u16 = 0;
let busyMicros: u32 = 0;
let rowsTrained: u32 = 0;
// Requests that may change the model (CONFIGURE, SET_WEIGHTS, BATCH,
// TRAIN_STORE, SET_LR, RESET) executed since boot, accepted or refused: how
// a firmware training on its own (boards/common/edgeprop.h) learns that a
// host pushed or trained a model, whatever its configuration block says.
let modelWrites: u32 = 0;

export function modelWriteCount(): u32 { return modelWrites; }

export function ensureStarted(): void {
  if (!started) { started = true; initNetwork(); }
}

// ---- the firmware's interface -------------------------------------------

/** Called once at power-up; returns the length of the banner line in tx. */
export function boot(id: u32, memoryLimitBytes: i32): i32 {
  ensureStarted();
  bootId = id;
  if (memoryLimitBytes > 0) setMemoryLimit(memoryLimitBytes);
  return writeBanner(txBuf, <u32>memoryLimit, BUILD_ID, bootId);
}
export function rx_buffer(): usize { ensureStarted(); return rxBuf + <usize>rxFill; }
export function rx_capacity(): i32 { ensureStarted(); keepFillInside(); return rxCap - rxFill; }
export function tx_buffer(): usize { ensureStarted(); return txBuf; }
/** The firmware reports time spent inside rx(); BATCH replies and HELLO carry the total. */
export function add_busy_time(us: u32): void { busyMicros += us; }

/** Takes n new bytes; returns the length of a reply in tx, or 0 when idle. */
export function rx(n: i32): i32 {
  ensureStarted();
  keepFillInside();
  if (n > 0) rxFill += min(n, rxCap - rxFill);
  while (scanFrom < rxFill) {
    // Skip an aligned word at a time while it holds no 0x00 (the classic
    // (v - 0x01010101) & ~v & 0x80808080 test), then byte by byte: every
    // access naturally aligned (the board's loads assume it).
    if ((scanFrom & 3) == 0) {
      // Addresses in locals, the end of the whole words computed once: the
      // loop is a load, the test and a step (the global is written after).
      let at = rxBuf + <usize>scanFrom;
      const words = rxBuf + <usize>(rxFill & ~3);
      for (; at < words; at += 4) {
        const v = load<u32>(at);
        if (((v - 0x01010101) & ~v & 0x80808080) != 0) break;
      }
      scanFrom = <i32>(at - rxBuf);
    }
    if (scanFrom >= rxFill) break;
    const p = rxBuf + <usize>scanFrom;
    if (load<u8>(p) != 0) { scanFrom++; continue; }
    // A frame ends at scanFrom: [0, scanFrom).
    const frameLen = scanFrom;
    const wasDiscarding = discarding;
    discarding = false;
    let reply = 0;
    if (!wasDiscarding && frameLen > 0) reply = handleFrame(frameLen);
    consume(frameLen + 1);
    if (reply > 0) return reply;
  }
  if (rxFill == rxCap) {
    // No delimiter in a full buffer: no legal frame is this long.
    discarding = true;
    rxFill = 0;
    scanFrom = 0;
  }
  return 0;
}

/**
 * A configure() or RESET through the direct exports can shrink rx under bytes
 * already held; what no longer fits is dropped (it fails its CRC and the host
 * sends it again), so rx_capacity() is never negative.
 */
function keepFillInside(): void {
  if (rxFill > rxCap) rxFill = rxCap;
  if (scanFrom > rxFill) scanFrom = 0;
}

function consume(bytes: i32): void {
  // A reconfiguration that shrank rx keeps only the bytes that were inside the
  // new rx: past it lie the new tx (which holds the reply just sent, a valid
  // frame the board would read as a request) and the fresh parameters.
  const rest = max(min(rxFill, rxCap) - bytes, 0);
  // Move what follows the frame to the front, a word at a time when the
  // source is aligned as the destination is (every access naturally
  // aligned), else byte by byte (the destination is below the source, so
  // forward copying is safe).
  let i = 0;
  if ((bytes & 3) == 0) {
    for (; i + 4 <= rest; i += 4) store<u32>(rxBuf + <usize>i, load<u32>(rxBuf + <usize>(bytes + i)));
  }
  for (; i < rest; i++) store<u8>(rxBuf + <usize>i, load<u8>(rxBuf + <usize>(bytes + i)));
  // Frames past the new rx are lost; they fail their CRC and the host sends them again.
  rxFill = rest;
  scanFrom = 0;
}

// ---- frames ----------------------------------------------------------------

let reqType: u8 = 0;
let reqSeq: u16 = 0;
let reqLen: i32 = 0;
let req: usize = 0; //  the request's payload, decoded in place in rx
let out: usize = 0; //  the reply's payload, in tx past its header
let caching = false; // set while executing a new request: its reply is remembered

function handleFrame(encodedLen: i32): i32 {
  // Decoded in place with the header kept aside: the payload lands at rxBuf
  // itself, aligned, in the same pass (no second pass moves it there).
  const n = cobsDecodeSkipping(rxBuf, encodedLen, HEADER);
  if (n < HEADER + TRAILER) return 0;
  reqLen = <i32>(<u32>(head >>> (<u64>H_LEN << 3)) & 0xffff);
  if (reqLen != n - HEADER - TRAILER) return 0;
  // The CRC covers the header, then the payload; the trailer follows the payload at any offset: read by bytes.
  const crc = crc32Update(crc32Bytes(0xffffffff, head, HEADER), rxBuf, reqLen) ^ 0xffffffff;
  if (crc != loadU32Bytes(rxBuf + <usize>reqLen)) return 0;
  reqType = <u8>(head >>> (<u64>H_TYPE << 3));
  reqSeq = <u16>(head >>> (<u64>H_SEQ << 3));
  req = rxBuf;
  out = txBuf + RAW_AT + <usize>HEADER;

  if (reqType == Type.HELLO) {
    session = true;
    expected = reqSeq + 1;
    clearReplies();
    return seal(Type.HELLO | Type.REPLY, hello());
  }
  if (!session) return error(Status.NO_SESSION, 0);
  if (reqSeq != expected) {
    const cached = findReply(reqSeq, reqType);
    if (cached) {
      copyReply(cached, out);
      return seal(replyType(cached), replyLength(cached));
    }
    const behind = <u16>(expected - reqSeq);
    // Reads are safe to repeat; anything else out of order is refused.
    if (behind <= <u16>REPLAY_DEPTH && (reqType == Type.GET_WEIGHTS || reqType == Type.EVAL)) {
      return execute();
    }
    return error(Status.OUT_OF_ORDER, <i32>expected);
  }
  expected++;
  caching = true;
  const len = execute();
  caching = false;
  return len;
}

function execute(): i32 {
  if (reqType == Type.CONFIGURE || reqType == Type.SET_WEIGHTS || reqType == Type.BATCH ||
      reqType == Type.TRAIN_STORE || reqType == Type.SET_LR || reqType == Type.RESET) modelWrites++;
  if (reqType == Type.CONFIGURE) {
    const len = configure();
    return len < 0 ? error(Status.BAD_FRAME, reqLen) : seal(reqType | Type.REPLY, len);
  }
  if (reqType == Type.SET_WEIGHTS) return region(true);
  if (reqType == Type.GET_WEIGHTS) return region(false);
  if (reqType == Type.BATCH) return batch(false);
  if (reqType == Type.EVAL) return batch(true);
  if (reqType == Type.STORE) return storeRows();
  if (reqType == Type.TRAIN_STORE) return trainStore();
  if (reqType == Type.SET_LR) {
    if (reqLen != SetLr.BYTES) return error(Status.BAD_FRAME, reqLen);
    const lr = load<f64>(req, SetLr.LR);
    if (!isFinite(lr) || lr < 0) return error(Status.BAD_CONFIG, C_LR);
    optimizer.learningRate = lr;
    store<u8>(out, <u8>Status.OK, StatusReply.STATUS);
    return seal(reqType | Type.REPLY, StatusReply.BYTES);
  }
  if (reqType == Type.RESET) {
    network.configured = false;
    layoutUnconfigured();
    out = txBuf + RAW_AT + <usize>HEADER;
    store<u8>(out, <u8>Status.OK, StatusReply.STATUS);
    return seal(reqType | Type.REPLY, StatusReply.BYTES);
  }
  return error(Status.BAD_FRAME, <i32>reqType);
}

function loadU32Bytes(p: usize): u32 {
  return <u32>load<u8>(p) | (<u32>load<u8>(p, 1) << 8) | (<u32>load<u8>(p, 2) << 16) | (<u32>load<u8>(p, 3) << 24);
}

/** Writes the reply header and CRC around `len` payload bytes at `out`; COBS; returns wire bytes. */
function seal(type: u8, len: i32): i32 {
  if (caching) rememberReply(reqSeq, reqType, type, out, len);
  const raw = txBuf + RAW_AT;
  store<u8>(raw, type, H_TYPE);
  store<u16>(raw, reqSeq, H_SEQ);
  store<u16>(raw, <u16>len, H_LEN);
  const n = HEADER + len;
  // The CRC follows the payload at any offset: stored by bytes.
  const crc = crc32(raw, n);
  const at = raw + <usize>n;
  store<u8>(at, <u8>crc);
  store<u8>(at, <u8>(crc >>> 8), 1);
  store<u8>(at, <u8>(crc >>> 16), 2);
  store<u8>(at, <u8>(crc >>> 24), 3);
  return cobsEncode(raw, n + TRAILER, txBuf);
}

// detail is 16 bits, read as i16 (a config offset, -1) or u16 (a sequence
// number, a length): only its low 16 bits are sent.
function error(code: i32, detail: i32): i32 {
  store<u8>(out, <u8>code, ErrorPayload.CODE);
  store<u8>(out, reqType, ErrorPayload.FOR_TYPE);
  store<i16>(out, <i16>detail, ErrorPayload.DETAIL);
  store<u32>(out, bootId, ErrorPayload.BOOT_ID);
  return seal(Type.ERROR, ErrorPayload.BYTES);
}

// ---- commands ----------------------------------------------------------------

// The largest request payload a frame's u16 length can state.
const MAX_PAYLOAD_FIELD: i32 = 0xffff;

function hello(): i32 {
  const rxPayload = configured ? rxPayloadBytes() : MIN_RX_PAYLOAD;
  store<u8>(out, PROTOCOL_VERSION, HelloReply.VERSION);
  store<u8>(out, configured ? 1 : 0, HelloReply.CONFIGURED);
  store<u16>(out, configured ? <u16>maxRows() : 0, HelloReply.MAX_ROWS);
  store<u32>(out, BUILD_ID, HelloReply.BUILD_ID);
  store<u32>(out, bootId, HelloReply.BOOT_ID);
  store<u32>(out, <u32>memoryLimit, HelloReply.MEMORY_LIMIT);
  store<u16>(out, <u16>min(rxPayload, MAX_PAYLOAD_FIELD), HelloReply.RX_PAYLOAD);
  store<u16>(out, <u16>TX_PAYLOAD, HelloReply.TX_PAYLOAD);
  store<u32>(out, busyMicros, HelloReply.BUSY_US);
  store<u32>(out, rowsTrained, HelloReply.ROWS_TRAINED);
  store<u32>(out, <u32>optimizer.stepCount, HelloReply.STEPS);
  return HelloReply.BYTES;
}

function maxRows(): i32 {
  return <i32>cfgU16(C_CHUNK);
}

function configure(): i32 {
  // A version-1 (128-byte) or version-2 (160-byte) block; configureNetwork
  // refuses one whose version byte says otherwise.
  if (reqLen != CONFIG_V1_BYTES && reqLen != CONFIG_BYTES) return -1;
  // The request sits in rx, which configure may move: copy the block first.
  for (let i = 0; i < reqLen; i++) store<u8>(configBlock + <usize>i, load<u8>(req + <usize>i));
  const status = configureNetwork(reqLen);
  rowsTrained = 0;
  out = txBuf + RAW_AT + <usize>HEADER; // the arena, and so tx, may have moved
  store<u8>(out, <u8>status, ConfigureReply.STATUS);
  store<u8>(out, 0, ConfigureReply.STATUS + 1);
  store<i16>(out, <i16>configDetail, ConfigureReply.DETAIL);
  store<u32>(out, <u32>planParams, ConfigureReply.PARAMS);
  store<u32>(out, <u32>planGrads, ConfigureReply.GRADS);
  store<u32>(out, <u32>planOptimizer, ConfigureReply.OPTIMIZER);
  store<u32>(out, <u32>planActivations, ConfigureReply.ACTIVATIONS);
  store<u32>(out, <u32>planBuffers, ConfigureReply.BUFFERS);
  store<u32>(out, <u32>planStatic, ConfigureReply.STATIC);
  store<u32>(out, <u32>planTotal, ConfigureReply.TOTAL);
  store<u32>(out, <u32>memoryLimit, ConfigureReply.MEMORY_LIMIT);
  store<u32>(out, <u32>planInputStats, ConfigureReply.INPUT_STATS);
  store<u32>(out, <u32>planStore, ConfigureReply.STORE);
  return ConfigureReply.BYTES;
}

/** SET_WEIGHTS / GET_WEIGHTS: [region u8][pad x3][offset u32][count u16 (get) | floats (set)]. */
function region(set: bool): i32 {
  if (!configured) return error(Status.NOT_CONFIGURED, 0);
  if (reqLen < Region.HEADER) return error(Status.BAD_FRAME, reqLen);
  const which = load<u8>(req, Region.WHICH);
  const offset = load<u32>(req, Region.OFFSET);
  const base = which == Region.PARAMS ? params : which == Region.OPTIMIZER ? optState
    : which == Region.INPUT_STATS ? inputStats : configBlock;
  // The sizes are exact: the model's plan fits memory (configure checked it).
  const size = which == Region.PARAMS ? <u32>paramsCount()
    : which == Region.OPTIMIZER ? <u32>(planOptimizer >> 2)
    : which == Region.INPUT_STATS ? <u32>inputStatsCount() : <u32>(CONFIG_BYTES >> 2);
  const data = reqLen - Region.HEADER;
  const count: u32 = set ? <u32>(data >> 2) : (reqLen >= Region.GET_BYTES ? <u32>load<u16>(req, Region.GET_COUNT) : 0);
  // The configuration block is only read: a new one goes through CONFIGURE, which checks and plans it.
  if (which > Region.CONFIG || (set && which == Region.CONFIG) || offset > size || count > size - offset
    || (set && (data & 3) != 0) || (!set && count > <u32>((TX_PAYLOAD - Region.DATA) >> 2))) {
    return error(Status.BAD_RANGE, <i32>count);
  }
  const at = base + (<usize>offset << 2);
  store<u8>(out, which, Region.WHICH);
  store<u8>(out, 0, Region.WHICH + 1);
  store<u16>(out, <u16>count, Region.COUNT);
  store<u32>(out, offset, Region.OFFSET);
  if (set) {
    const src = req + <usize>Region.DATA;
    for (let i: u32 = 0; i < count; i++) store<u32>(at + (<usize>i << 2), load<u32>(src + (<usize>i << 2)));
    // int16 keeps a quantized copy of the weights between optimizer steps: new weights make it stale.
    if (which == Region.PARAMS) weightsChanged();
    return seal(reqType | Type.REPLY, Region.HEADER);
  }
  const dst = out + <usize>Region.DATA;
  for (let i: u32 = 0; i < count; i++) store<u32>(dst + (<usize>i << 2), load<u32>(at + (<usize>i << 2)));
  return seal(reqType | Type.REPLY, Region.DATA + <i32>(count << 2));
}

/**
 * BATCH / EVAL: [flags u8][pad][rows u16][step u32 (set the step count when
 * flag 4)][rows x (inputs, targets) f32]. BATCH flags: 1 = this chunk ends
 * the batch. EVAL flags: 2 = targets present. The reply:
 * [status u8][stepped u8][rows u16][busy us u32][loss sum f64][steps u32]
 * [layers u8][pad x3][grad norm f32 per layer]; EVAL replies carry the
 * outputs (rows x outputs f32) after the loss instead.
 */
function batch(evaluate: bool): i32 {
  if (!configured) return error(Status.NOT_CONFIGURED, 0);
  if (reqLen < BatchRequest.DATA) return error(Status.BAD_FRAME, reqLen);
  const flags = load<u8>(req, BatchRequest.FLAGS);
  const rows = <i32>load<u16>(req, BatchRequest.ROWS);
  const nIn = width(0);
  const nOut = width(layerCount());
  const withTargets = !evaluate || (flags & BatchFlag.WITH_TARGETS) != 0;
  const nT = withTargets ? targetColumns() : 0;
  // Sizes in u64: rows and widths are u16s from the wire, and their product
  // must not wrap into a length that happens to match.
  if (<u64>reqLen != <u64>BatchRequest.DATA + <u64>rows * <u64>(nIn + nT) * 4) return error(Status.BAD_FRAME, reqLen);
  if (evaluate && <u64>EvalReply.OUTPUTS + <u64>rows * <u64>nOut * 4 > <u64>TX_PAYLOAD) return error(Status.BAD_ROWS, rows);
  if (rows <= 0 || rows > maxRows()) return error(Status.BAD_ROWS, rows);
  if (!evaluate && (flags & BatchFlag.SET_STEP) != 0) optimizer.stepCount = <i32>load<u32>(req, BatchRequest.STEP);
  let src = req + <usize>BatchRequest.DATA;
  let x = level(0);
  let t = targets;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < nIn; i++, src += 4, x += 4) store<u32>(x, load<u32>(src));
    for (let i = 0; i < nT; i++, src += 4, t += 4) store<u32>(t, load<u32>(src));
  }
  if (evaluate) {
    const status = evalChunk(rows, withTargets);
    if (status != Status.OK) return error(status, 0);
    store<u8>(out, <u8>Status.OK, EvalReply.STATUS);
    store<u8>(out, 0, EvalReply.PAD);
    store<u16>(out, <u16>rows, EvalReply.ROWS);
    store<u32>(out, busyMicros, EvalReply.BUSY_US);
    store<f64>(out, lastLossSum, EvalReply.LOSS_SUM);
    const y = level(layerCount());
    const dst = out + <usize>EvalReply.OUTPUTS;
    const n = rows * nOut;
    for (let i = 0; i < n; i++) store<u32>(dst + (<usize>i << 2), load<u32>(y + (<usize>i << 2)));
    return seal(reqType | Type.REPLY, EvalReply.OUTPUTS + n * 4);
  }
  const ends = (flags & BatchFlag.ENDS_BATCH) != 0;
  const status = trainChunk(rows, ends);
  rowsTrained += <u32>rows;
  return batchReply(status, ends, rows, lastLossSum);
}

/** BATCH_REPLY (also TRAIN_STORE's reply): the gradient norms only when the optimizer was asked to step. */
function batchReply(status: i32, ends: bool, rows: i32, lossSum: f64): i32 {
  const L = layerCount();
  store<u8>(out, <u8>status, BatchReply.STATUS);
  store<u8>(out, ends ? 1 : 0, BatchReply.STEPPED);
  store<u16>(out, <u16>rows, BatchReply.ROWS);
  store<u32>(out, busyMicros, BatchReply.BUSY_US);
  store<f64>(out, lossSum, BatchReply.LOSS_SUM);
  store<u32>(out, <u32>optimizer.stepCount, BatchReply.STEPS);
  store<u8>(out, <u8>L, BatchReply.LAYERS);
  store<u8>(out, 0, BatchReply.PAD);
  store<u16>(out, 0, BatchReply.PAD + 1);
  const norms = out + <usize>BatchReply.NORMS;
  for (let l = 0; l < L; l++) {
    store<f32>(norms + (<usize>l << 2), ends ? load<f32>(optimizer.layerGradNorms + (<usize>l << 2)) : 0);
  }
  return seal(reqType | Type.REPLY, BatchReply.NORMS + 4 * L);
}

/**
 * STORE: [flags u8][pad][rows u16][pad u32][rows x (inputs, targets) f32],
 * appended to the sample store (flag CLEAR: emptied first). Reply: [status
 * u8][pad x3][held u32][capacity u32].
 */
function storeRows(): i32 {
  if (!configured) return error(Status.NOT_CONFIGURED, 0);
  if (reqLen < StoreRequest.DATA) return error(Status.BAD_FRAME, reqLen);
  const flags = load<u8>(req, StoreRequest.FLAGS);
  if ((flags & ~StoreFlag.ALL) != 0) return error(Status.BAD_FRAME, <i32>flags);
  if (capacity == 0) return error(Status.BAD_RANGE, 0);
  const rows = <i32>load<u16>(req, StoreRequest.ROWS);
  const rowBytes = 4 * rowFloats();
  if (<u64>reqLen != <u64>StoreRequest.DATA + <u64>rows * <u64>rowBytes) return error(Status.BAD_FRAME, reqLen);
  if ((flags & StoreFlag.CLEAR) != 0) clearStore();
  let src = req + <usize>StoreRequest.DATA;
  for (let r = 0; r < rows; r++, src += <usize>rowBytes) appendRow(src);
  store<u8>(out, <u8>Status.OK, StoreReply.STATUS);
  store<u8>(out, 0, StoreReply.STATUS + 1);
  store<u16>(out, 0, StoreReply.STATUS + 2);
  store<u32>(out, held, StoreReply.HELD);
  store<u32>(out, capacity, StoreReply.CAPACITY);
  return seal(reqType | Type.REPLY, StoreReply.BYTES);
}

/**
 * TRAIN_STORE: [flags u8][pad x3][first u32][rows u32][epoch u32][step u32]:
 * one optimizer step over order[first .. first + rows) (store-training.ts).
 * The reply is a BATCH_REPLY for the whole step.
 */
function trainStore(): i32 {
  if (!configured) return error(Status.NOT_CONFIGURED, 0);
  if (reqLen != TrainStoreRequest.BYTES) return error(Status.BAD_FRAME, reqLen);
  const flags = load<u8>(req, TrainStoreRequest.FLAGS);
  if ((flags & ~TrainStoreFlag.ALL) != 0) return error(Status.BAD_FRAME, <i32>flags);
  const rows = load<u32>(req, TrainStoreRequest.ROWS);
  const status = trainStoredStep(load<u32>(req, TrainStoreRequest.FIRST), rows,
    (flags & TrainStoreFlag.START_EPOCH) != 0, load<u32>(req, TrainStoreRequest.EPOCH),
    (flags & TrainStoreFlag.SHUFFLE) != 0, (flags & TrainStoreFlag.SET_STEP) != 0,
    load<u32>(req, TrainStoreRequest.STEP));
  if (stepRefused) return error(status, <i32>stepDetail);
  rowsTrained += rows;
  return batchReply(status, stepped, <i32>rows, stepLossSum);
}
