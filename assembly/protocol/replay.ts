// The reply cache behind exactly-once: the last REPLAY_DEPTH small replies
// (every BATCH, CONFIGURE, SET_WEIGHTS, SET_LR, RESET and ERROR reply fits),
// kept with the request's sequence number and type. A request that comes
// again because its reply was lost is answered from here, never re-executed.
export const REPLAY_DEPTH = 4;
const PAYLOAD = 56; // a BATCH reply with 8 layers; CONFIGURE's is 36
// seq u16, reply type u8, request type u8, len u16, pad u16, payload
const ENTRY = 8 + PAYLOAD;
const entries: usize = memory.data(REPLAY_DEPTH * ENTRY, 8);
let next: i32 = 0;

export function clearReplies(): void {
  for (let i = 0; i < REPLAY_DEPTH; i++) store<u8>(entries + <usize>(i * ENTRY), 0, 2);
}

/** Keeps a reply (if small enough) for a repeat of request (seq, requestType). */
export function rememberReply(seq: u16, requestType: u8, replyType: u8, payload: usize, len: i32): void {
  if (len > PAYLOAD) return;
  const e = entries + <usize>(next * ENTRY);
  store<u16>(e, seq);
  store<u8>(e, replyType, 2);
  store<u8>(e, requestType, 3);
  store<u16>(e, <u16>len, 4);
  for (let i = 0; i < len; i++) store<u8>(e + 8 + <usize>i, load<u8>(payload + <usize>i));
  next = (next + 1) % REPLAY_DEPTH;
}

/** The cached reply to this request, or 0. A repeat must match number and type. */
export function findReply(seq: u16, requestType: u8): usize {
  for (let i = 0; i < REPLAY_DEPTH; i++) {
    const e = entries + <usize>(i * ENTRY);
    if (load<u8>(e, 2) != 0 && load<u16>(e) == seq && load<u8>(e, 3) == requestType) return e;
  }
  return 0;
}

@inline export function replyType(e: usize): u8 { return load<u8>(e, 2); }
@inline export function replyLength(e: usize): i32 { return <i32>load<u16>(e, 4); }

export function copyReply(e: usize, dst: usize): void {
  const len = replyLength(e);
  for (let i = 0; i < len; i++) store<u8>(dst + <usize>i, load<u8>(e + 8 + <usize>i));
}
