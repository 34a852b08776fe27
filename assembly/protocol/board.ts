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
import { CONFIG_BYTES, configBlock, layerCount, width } from "../config";
import { rxBuf, rxCap, txBuf, level, params, optState, targets, layoutUnconfigured } from "../arena";
import { targetColumns, rxPayloadBytes, MIN_RX_PAYLOAD, planParams, planGrads, planOptimizer, planActivations, planBuffers, planStatic, planTotal, TX_PAYLOAD } from "../plan";
import { initNetwork, configureNetwork, trainChunk, evalChunk, configured, configDetail, lastLossSum, memoryLimit, setMemoryLimit, paramsCount } from "../network";
import * as network from "../network";
import * as optimizer from "../optim/optimizer";
import { Status } from "../status";
import { cobsDecode, cobsEncode } from "./cobs";
import { crc32 } from "./crc32";
import { HEADER, TRAILER, Type, PROTOCOL_VERSION } from "./frame";
import { writeBanner } from "./banner";
import { clearReplies, copyReply, findReply, rememberReply, replyLength, replyType, REPLAY_DEPTH } from "./replay";

// The raw reply is built this far into the transmit buffer, then COBS-encoded
// in place towards its start (see cobsEncode).
const RAW_AT: usize = 4;

let started = false;
let bootId: u32 = 0;
let rxFill: i32 = 0; //      bytes held in the receive buffer
let scanFrom: i32 = 0; //    where the search for the next delimiter resumes
let discarding = false; //   an over-long frame: drop bytes until the next 0x00
let session = false; //      a HELLO has set the sequence
let expected: u16 = 0;
let busyMicros: u32 = 0;
let rowsTrained: u32 = 0;

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
export function rx_capacity(): i32 { ensureStarted(); return rxCap - rxFill; }
export function tx_buffer(): usize { ensureStarted(); return txBuf; }
/** The firmware reports time spent inside rx(); BATCH replies and HELLO carry the total. */
export function add_busy_time(us: u32): void { busyMicros += us; }

/** Takes n new bytes; returns the length of a reply in tx, or 0 when idle. */
export function rx(n: i32): i32 {
  ensureStarted();
  if (n > 0) rxFill += min(n, rxCap - rxFill);
  while (scanFrom < rxFill) {
    // Skip a word at a time while it holds no 0x00 (the classic
    // (v - 0x01010101) & ~v & 0x80808080 test), then byte by byte.
    while (scanFrom + 4 <= rxFill) {
      const v = load<u32>(rxBuf + <usize>scanFrom);
      if (((v - 0x01010101) & ~v & 0x80808080) != 0) break;
      scanFrom += 4;
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

function consume(bytes: i32): void {
  const rest = rxFill - bytes;
  // Move what follows the frame to the front, a word at a time while it can
  // (the destination is below the source, so forward copying is safe).
  let i = 0;
  for (; i + 4 <= rest; i += 4) store<u32>(rxBuf + <usize>i, load<u32>(rxBuf + <usize>(bytes + i)));
  for (; i < rest; i++) store<u8>(rxBuf + <usize>i, load<u8>(rxBuf + <usize>(bytes + i)));
  // A reconfiguration that shrank rx loses what no longer fits; those frames
  // fail their CRC and the host sends them again.
  rxFill = min(rest, rxCap);
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
  const n = cobsDecode(rxBuf, encodedLen);
  if (n < HEADER + TRAILER) return 0;
  reqLen = <i32>load<u16>(rxBuf, 3);
  if (reqLen != n - HEADER - TRAILER) return 0;
  if (crc32(rxBuf, n - TRAILER) != load<u32>(rxBuf + <usize>(n - TRAILER))) return 0;
  reqType = load<u8>(rxBuf);
  reqSeq = load<u16>(rxBuf, 1);
  req = rxBuf + <usize>HEADER;
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
  if (reqType == Type.CONFIGURE) {
    const len = configure();
    return len < 0 ? error(Status.BAD_FRAME, reqLen) : seal(reqType | Type.REPLY, len);
  }
  if (reqType == Type.SET_WEIGHTS) return region(true);
  if (reqType == Type.GET_WEIGHTS) return region(false);
  if (reqType == Type.BATCH) return batch(false);
  if (reqType == Type.EVAL) return batch(true);
  if (reqType == Type.SET_LR) {
    if (reqLen != 8) return error(Status.BAD_FRAME, reqLen);
    const lr = load<f64>(req);
    if (!isFinite(lr) || lr < 0) return error(Status.BAD_CONFIG, 40);
    optimizer.learningRate = lr;
    store<u8>(out, 0);
    return seal(reqType | Type.REPLY, 1);
  }
  if (reqType == Type.RESET) {
    network.configured = false;
    layoutUnconfigured();
    out = txBuf + RAW_AT + <usize>HEADER;
    store<u8>(out, 0);
    return seal(reqType | Type.REPLY, 1);
  }
  return error(Status.BAD_FRAME, <i32>reqType);
}

/** Writes the reply header and CRC around `len` payload bytes at `out`; COBS; returns wire bytes. */
function seal(type: u8, len: i32): i32 {
  if (caching) rememberReply(reqSeq, reqType, type, out, len);
  const raw = txBuf + RAW_AT;
  store<u8>(raw, type);
  store<u16>(raw, reqSeq, 1);
  store<u16>(raw, <u16>len, 3);
  const n = HEADER + len;
  store<u32>(raw + <usize>n, crc32(raw, n));
  return cobsEncode(raw, n + TRAILER, txBuf);
}

function error(code: i32, detail: i32): i32 {
  store<u8>(out, <u8>code);
  store<u8>(out, reqType, 1);
  store<i16>(out, <i16>detail, 2);
  store<u32>(out, bootId, 4);
  return seal(Type.ERROR, 8);
}

// ---- commands ----------------------------------------------------------------

function hello(): i32 {
  store<u8>(out, PROTOCOL_VERSION);
  store<u8>(out, configured ? 1 : 0, 1);
  store<u16>(out, configured ? <u16>maxRows() : 0, 2);
  store<u32>(out, BUILD_ID, 4);
  store<u32>(out, bootId, 8);
  store<u32>(out, <u32>memoryLimit, 12);
  store<u16>(out, <u16>(configured ? rxPayloadBytes() : MIN_RX_PAYLOAD), 16);
  store<u16>(out, <u16>TX_PAYLOAD, 18);
  store<u32>(out, busyMicros, 20);
  store<u32>(out, rowsTrained, 24);
  store<u32>(out, <u32>optimizer.stepCount, 28);
  return 32;
}

function maxRows(): i32 {
  return <i32>load<u16>(configBlock, 6);
}

function configure(): i32 {
  if (reqLen != CONFIG_BYTES) return -1;
  // The request sits in rx, which configure may move: copy the block first.
  for (let i = 0; i < CONFIG_BYTES; i++) store<u8>(configBlock + <usize>i, load<u8>(req + <usize>i));
  const status = configureNetwork();
  rowsTrained = 0;
  out = txBuf + RAW_AT + <usize>HEADER; // the arena, and so tx, may have moved
  store<u8>(out, <u8>status);
  store<u8>(out, 0, 1);
  store<i16>(out, <i16>configDetail, 2);
  store<u32>(out, <u32>planParams, 4);
  store<u32>(out, <u32>planGrads, 8);
  store<u32>(out, <u32>planOptimizer, 12);
  store<u32>(out, <u32>planActivations, 16);
  store<u32>(out, <u32>planBuffers, 20);
  store<u32>(out, <u32>planStatic, 24);
  store<u32>(out, <u32>planTotal, 28);
  store<u32>(out, <u32>memoryLimit, 32);
  return 36;
}

/** SET_WEIGHTS / GET_WEIGHTS: [region u8][pad x3][offset u32][count u16 (get) | floats (set)]. */
function region(set: bool): i32 {
  if (!configured) return error(Status.NOT_CONFIGURED, 0);
  if (reqLen < 8) return error(Status.BAD_FRAME, reqLen);
  const which = load<u8>(req);
  const offset = load<u32>(req, 4);
  const base = which == 0 ? params : optState;
  const size = which == 0 ? <u32>paramsCount() : <u32>(planOptimizer >> 2);
  const count: u32 = set ? <u32>((reqLen - 8) >> 2) : (reqLen >= 10 ? <u32>load<u16>(req, 8) : 0);
  if (which > 1 || offset > size || count > size - offset
    || (set && ((reqLen - 8) & 3) != 0) || (!set && count > <u32>((TX_PAYLOAD - 8) >> 2))) {
    return error(Status.BAD_RANGE, <i32>count);
  }
  const at = base + (<usize>offset << 2);
  store<u8>(out, which);
  store<u8>(out, 0, 1);
  store<u16>(out, <u16>count, 2);
  store<u32>(out, offset, 4);
  if (set) {
    for (let i: u32 = 0; i < count; i++) store<u32>(at + (<usize>i << 2), load<u32>(req + 8 + (<usize>i << 2)));
    return seal(reqType | Type.REPLY, 8);
  }
  for (let i: u32 = 0; i < count; i++) store<u32>(out + 8 + (<usize>i << 2), load<u32>(at + (<usize>i << 2)));
  return seal(reqType | Type.REPLY, 8 + <i32>(count << 2));
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
  if (reqLen < 8) return error(Status.BAD_FRAME, reqLen);
  const flags = load<u8>(req);
  const rows = <i32>load<u16>(req, 2);
  const nIn = width(0);
  const nOut = width(layerCount());
  const withTargets = !evaluate || (flags & 2) != 0;
  const nT = withTargets ? targetColumns() : 0;
  if (reqLen != 8 + rows * (nIn + nT) * 4) return error(Status.BAD_FRAME, reqLen);
  if (evaluate && 16 + rows * nOut * 4 > TX_PAYLOAD) return error(Status.BAD_ROWS, rows);
  if (rows <= 0 || rows > maxRows()) return error(Status.BAD_ROWS, rows);
  if (!evaluate && (flags & 4) != 0) optimizer.stepCount = <i32>load<u32>(req, 4);
  let src = req + 8;
  let x = level(0);
  let t = targets;
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < nIn; i++, src += 4, x += 4) store<u32>(x, load<u32>(src));
    for (let i = 0; i < nT; i++, src += 4, t += 4) store<u32>(t, load<u32>(src));
  }
  if (evaluate) {
    const status = evalChunk(rows, withTargets);
    if (status != Status.OK) return error(status, 0);
    store<u8>(out, 0);
    store<u8>(out, 0, 1);
    store<u16>(out, <u16>rows, 2);
    store<u32>(out, busyMicros, 4);
    store<f64>(out, lastLossSum, 8);
    const y = level(layerCount());
    const n = rows * nOut;
    for (let i = 0; i < n; i++) store<u32>(out + 16 + (<usize>i << 2), load<u32>(y + (<usize>i << 2)));
    return seal(reqType | Type.REPLY, 16 + n * 4);
  }
  const ends = (flags & 1) != 0;
  const status = trainChunk(rows, ends);
  rowsTrained += <u32>rows;
  const L = layerCount();
  store<u8>(out, <u8>status);
  store<u8>(out, ends ? 1 : 0, 1);
  store<u16>(out, <u16>rows, 2);
  store<u32>(out, busyMicros, 4);
  store<f64>(out, lastLossSum, 8);
  store<u32>(out, <u32>optimizer.stepCount, 16);
  store<u8>(out, <u8>L, 20);
  store<u8>(out, 0, 21);
  store<u16>(out, 0, 22);
  for (let l = 0; l < L; l++) {
    store<f32>(out + 24 + (<usize>l << 2), ends ? load<f32>(optimizer.layerGradNorms + (<usize>l << 2)) : 0);
  }
  return seal(reqType | Type.REPLY, 24 + 4 * L);
}
