// The reply cache behind exactly-once: the last REPLAY_DEPTH small replies
// (every BATCH, CONFIGURE, SET_WEIGHTS, SET_LR, RESET and ERROR reply fits),
// kept with the request's sequence number and type. A request that comes
// again because its reply was lost is answered from here, never re-executed.
export const REPLAY_DEPTH = 4;
const PAYLOAD = 56; // a BATCH reply with 8 layers; CONFIGURE's is 36
// An entry: seq u16, reply type u8 (0 = empty), request type u8, len u16, pad u16, payload.
const E_SEQ = 0;
const E_REPLY_TYPE = 2;
const E_REQUEST_TYPE = 3;
const E_LEN = 4;
const E_PAYLOAD = 8;
const ENTRY = E_PAYLOAD + PAYLOAD;
const entries: usize = memory.data(REPLAY_DEPTH * ENTRY, 8);
let next: i32 = 0;

export function clearReplies(): void {
  for (let i = 0; i < REPLAY_DEPTH; i++) store<u8>(entries + <usize>(i * ENTRY), 0, E_REPLY_TYPE);
}

/** Keeps a reply (if small enough) for a repeat of request (seq, requestType). */
export function rememberReply(seq: u16, requestType: u8, replyType: u8, payload: usize, len: i32): void {
  if (len > PAYLOAD) return;
  const e = entries + <usize>(next * ENTRY);
  store<u16>(e, seq, E_SEQ);
  store<u8>(e, replyType, E_REPLY_TYPE);
  store<u8>(e, requestType, E_REQUEST_TYPE);
  store<u16>(e, <u16>len, E_LEN);
  copyBytes(e + E_PAYLOAD, payload, len);
  next = (next + 1) % REPLAY_DEPTH;
}

/** The cached reply to this request, or 0. A repeat must match number and type. */
export function findReply(seq: u16, requestType: u8): usize {
  for (let i = 0; i < REPLAY_DEPTH; i++) {
    const e = entries + <usize>(i * ENTRY);
    if (load<u8>(e, E_REPLY_TYPE) != 0 && load<u16>(e, E_SEQ) == seq && load<u8>(e, E_REQUEST_TYPE) == requestType) return e;
  }
  return 0;
}

@inline export function replyType(e: usize): u8 { return load<u8>(e, E_REPLY_TYPE); }
@inline export function replyLength(e: usize): i32 { return <i32>load<u16>(e, E_LEN); }

export function copyReply(e: usize, dst: usize): void {
  copyBytes(dst, e + E_PAYLOAD, replyLength(e));
}

/**
 * Copies len bytes; both ends are word-aligned (an entry's payload, and a
 * reply's payload in the transmit buffer, sit at multiples of 8), so whole
 * words, then the last bytes.
 */
function copyBytes(dst: usize, src: usize, len: i32): void {
  let i = 0;
  for (; i + 4 <= len; i += 4) store<u32>(dst + <usize>i, load<u32>(src + <usize>i));
  for (; i < len; i++) store<u8>(dst + <usize>i, load<u8>(src + <usize>i));
}
