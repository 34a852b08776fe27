// Frames: [type u8][seq u16][len u16][payload][crc32], little-endian, CRC over
// type..payload, COBS-encoded with a 0x00 delimiter. docs/protocol.md has the
// byte tables of every payload.
import { cobsDecode, cobsEncode } from "./cobs.js";
import { crc32 } from "./crc32.js";

export const Type = {
  HELLO: 0x01, CONFIGURE: 0x02, SET_WEIGHTS: 0x03, GET_WEIGHTS: 0x04, BATCH: 0x05,
  EVAL: 0x06, SET_LR: 0x07, RESET: 0x08, STORE: 0x09, TRAIN_STORE: 0x0a, REPLY: 0x80, ERROR: 0xff,
} as const;

const TYPE_NAMES = new Map<number, string>(Object.entries(Type).map(([name, code]) => [code, name]));

/** HELLO, HELLO_REPLY, ERROR; the number for a type the protocol does not have. */
export function typeName(t: number): string {
  if (t === Type.ERROR) return "ERROR";
  const base = TYPE_NAMES.get(t & ~Type.REPLY) ?? `0x${t.toString(16)}`;
  return t & Type.REPLY ? `${base}_REPLY` : base;
}

export interface Frame {
  type: number;
  seq: number;
  payload: Uint8Array;
}

export const HEADER = 5;
export const TRAILER = 4;

export function encodeFrame(f: Frame): Uint8Array {
  const raw = new Uint8Array(HEADER + f.payload.length + TRAILER);
  const v = new DataView(raw.buffer);
  v.setUint8(0, f.type);
  v.setUint16(1, f.seq & 0xffff, true);
  v.setUint16(3, f.payload.length, true);
  raw.set(f.payload, HEADER);
  v.setUint32(HEADER + f.payload.length, crc32(raw.subarray(0, HEADER + f.payload.length)), true);
  return cobsEncode(raw);
}

/** Decodes one delimited chunk; null when it is not a well-formed frame. */
export function decodeFrame(encoded: Uint8Array): Frame | null {
  const raw = cobsDecode(encoded);
  if (!raw || raw.length < HEADER + TRAILER) return null;
  const v = new DataView(raw.buffer, raw.byteOffset, raw.length);
  const len = v.getUint16(3, true);
  if (len !== raw.length - HEADER - TRAILER) return null;
  if (crc32(raw.subarray(0, HEADER + len)) !== v.getUint32(HEADER + len, true)) return null;
  return { type: raw[0], seq: v.getUint16(1, true), payload: raw.slice(HEADER, HEADER + len) };
}
