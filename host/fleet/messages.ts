// The one binary schema of every fleet message (docs/fleet.md has the table).
// Little-endian throughout; every field at a fixed offset from the start, the
// weights at a 4-byte-aligned offset; a CRC-32 (protocol/crc32.ts, zlib's) of
// every byte before it closes the message.
//
//   off  size  field
//   0    4     magic "EPFL"
//   4    1     version (1)
//   5    1     kind: 1 HELLO (client -> coordinator), 2 ROUND (coordinator -> client), 3 UPDATE (client -> coordinator)
//   6    1     layer sizes L+1 (0 for HELLO)
//   7    1     weight encoding: 0 f32, 1 f16 (--compress f16; IEEE binary16, rounded to nearest even)
//   8    4     model version: CRC-32 of the model's configuration block (which model these weights are for)
//   12   4     round (1-based; 0 for HELLO)
//   16   8     learning rate (f64, as SET_LR carries it to the board; the round's lr in ROUND, 0 otherwise)
//   24   4     example count (the client's rows in UPDATE and HELLO, 0 in ROUND)
//   28   4     weight count W (0 for HELLO)
//   32   4*(L+1)  layer sizes (u32 each)
//   ..   4*W   weights: f32 (or 2*W: f16)
//   end  4     CRC-32 of every byte before it
//
// Decoding validates everything before a value is used: the length against
// the header, the CRC, the magic, version and kind, the shape and weight count
// against the model the reader expects, every weight finite, the example count
// within bounds, the round a positive integer.
import { crc32 } from "../protocol/crc32.js";
import { fromHalf, toHalf } from "./half.js";

export const FLEET_MAGIC = 0x4c465045; // "EPFL" read as a little-endian u32
export const FLEET_VERSION = 1;
export const HEADER_BYTES = 32;
export const CRC_BYTES = 4;
/** The most rows a client may claim (a claim above weighs a hostile update too heavily). */
export const MAX_EXAMPLES = 1 << 24;
/** The most layer sizes a message may carry (the engine's MAX_LAYERS dense layers + 1, with room; one byte). */
export const MAX_SIZES = 64;
/** The most weights a message may carry (64 MiB of f32). */
export const MAX_WEIGHTS = 1 << 24;

export const Kind = { HELLO: 1, ROUND: 2, UPDATE: 3 } as const;
export type MessageKind = (typeof Kind)[keyof typeof Kind];

/** How the weights travel: f32 (exact), or f16 (half the bytes; --compress f16). */
export type WeightEncoding = "f32" | "f16";
const ENCODINGS: readonly WeightEncoding[] = ["f32", "f16"];
const bytesPer = (e: WeightEncoding) => (e === "f16" ? 2 : 4);

export interface FleetMessage {
  kind: MessageKind;
  /** Default f32. */
  encoding?: WeightEncoding;
  modelVersion: number;
  round: number;
  lr: number;
  examples: number;
  sizes: number[];
  weights: Float32Array;
}

/** What a reader expects of a message: its model (version, shape, weight count). */
export interface Expected {
  modelVersion: number;
  sizes: readonly number[];
  weightCount: number;
}

/** Why a message was refused: one sentence for the log. */
export class MessageRefused extends Error {}

/** The message's bytes: header, sizes, weights, CRC. */
export function encodeMessage(m: FleetMessage): Uint8Array {
  const encoding = m.encoding ?? "f32";
  const bytes = new Uint8Array(HEADER_BYTES + 4 * m.sizes.length + bytesPer(encoding) * m.weights.length + CRC_BYTES);
  const v = new DataView(bytes.buffer);
  v.setUint32(0, FLEET_MAGIC, true);
  v.setUint8(4, FLEET_VERSION);
  v.setUint8(5, m.kind);
  v.setUint8(6, m.sizes.length);
  v.setUint8(7, ENCODINGS.indexOf(encoding));
  v.setUint32(8, m.modelVersion >>> 0, true);
  v.setUint32(12, m.round, true);
  v.setFloat64(16, m.lr, true);
  v.setUint32(24, m.examples, true);
  v.setUint32(28, m.weights.length, true);
  let off = HEADER_BYTES;
  for (const s of m.sizes) { v.setUint32(off, s, true); off += 4; }
  if (encoding === "f16") for (let i = 0; i < m.weights.length; i++) { v.setUint16(off, toHalf(m.weights[i] ?? NaN), true); off += 2; }
  else for (let i = 0; i < m.weights.length; i++) { v.setFloat32(off, m.weights[i] ?? NaN, true); off += 4; }
  v.setUint32(off, crc32(bytes.subarray(0, off)), true);
  return bytes;
}

/**
 * The message in `bytes`, checked against `expected` (HELLO carries no
 * model and is checked only for its framing and example count); throws
 * MessageRefused saying what is wrong.
 */
export function decodeMessage(bytes: Uint8Array, expected: Expected): FleetMessage {
  if (bytes.length < HEADER_BYTES + CRC_BYTES) throw new MessageRefused(`${bytes.length} bytes, shorter than a header (${HEADER_BYTES + CRC_BYTES})`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint32(0, true) !== FLEET_MAGIC) throw new MessageRefused("not a fleet message (bad magic)");
  const version = v.getUint8(4);
  if (version !== FLEET_VERSION) throw new MessageRefused(`message version ${version}, this host reads ${FLEET_VERSION}`);
  const kind = v.getUint8(5);
  if (kind !== Kind.HELLO && kind !== Kind.ROUND && kind !== Kind.UPDATE) throw new MessageRefused(`unknown message kind ${kind}`);
  const nSizes = v.getUint8(6);
  const encoding = ENCODINGS[v.getUint8(7)];
  if (encoding === undefined) throw new MessageRefused(`unknown weight encoding ${v.getUint8(7)}`);
  const weightCount = v.getUint32(28, true);
  if (nSizes > MAX_SIZES || weightCount > MAX_WEIGHTS) throw new MessageRefused(`${nSizes} layer sizes and ${weightCount} weights: over the bounds`);
  const length = HEADER_BYTES + 4 * nSizes + bytesPer(encoding) * weightCount + CRC_BYTES;
  if (bytes.length !== length) throw new MessageRefused(`${bytes.length} bytes, the header says ${length}`);
  const crcAt = length - CRC_BYTES;
  if (v.getUint32(crcAt, true) !== crc32(bytes.subarray(0, crcAt))) throw new MessageRefused("CRC mismatch");
  const round = v.getUint32(12, true);
  const lr = v.getFloat64(16, true);
  const examples = v.getUint32(24, true);
  const sizes: number[] = [];
  for (let i = 0; i < nSizes; i++) sizes.push(v.getUint32(HEADER_BYTES + 4 * i, true));
  const m: FleetMessage = { kind, encoding, modelVersion: v.getUint32(8, true), round, lr, examples, sizes, weights: new Float32Array(weightCount) };
  if (examples > MAX_EXAMPLES) throw new MessageRefused(`example count ${examples} over ${MAX_EXAMPLES}`);
  if (kind === Kind.HELLO) {
    if (nSizes !== 0 || weightCount !== 0 || round !== 0) throw new MessageRefused("a HELLO carries no model and no round");
    return m;
  }
  if (round < 1) throw new MessageRefused("round 0: rounds count from 1");
  if (kind === Kind.UPDATE && examples < 1) throw new MessageRefused("an update of 0 examples");
  if (!Number.isFinite(lr) || lr < 0) throw new MessageRefused(`learning rate ${lr}`);
  if (m.modelVersion !== expected.modelVersion >>> 0) {
    throw new MessageRefused(`model version ${hex(m.modelVersion)}, the fleet trains ${hex(expected.modelVersion)}`);
  }
  if (sizes.join(",") !== expected.sizes.join(",")) throw new MessageRefused(`shape ${sizes.join(",")}, the fleet's model is ${expected.sizes.join(",")}`);
  if (weightCount !== expected.weightCount) throw new MessageRefused(`${weightCount} weights, the model has ${expected.weightCount}`);
  const at = HEADER_BYTES + 4 * nSizes;
  for (let i = 0; i < weightCount; i++) {
    const w = encoding === "f16" ? fromHalf(v.getUint16(at + 2 * i, true)) : v.getFloat32(at + 4 * i, true);
    if (!Number.isFinite(w)) throw new MessageRefused(`weight ${i} is ${w}`);
    m.weights[i] = w;
  }
  return m;
}

/**
 * The model version of a run: CRC-32 of what gives the weights their meaning
 * (layer sizes, activations, loss, input normalization), so a client of
 * another model is refused however its shape happens to match.
 */
export function modelVersionOf(m: { sizes: readonly number[]; activations: readonly string[]; loss: string; normalizeInputs?: boolean }): number {
  const text = `${m.sizes.join(",")}|${m.activations.join(",")}|${m.loss}|${m.normalizeInputs ? "normalized" : "raw"}`;
  return crc32(new TextEncoder().encode(text));
}

/** A HELLO: a client announcing itself and its row count. */
export function helloMessage(examples: number): FleetMessage {
  return { kind: Kind.HELLO, modelVersion: 0, round: 0, lr: 0, examples, sizes: [], weights: new Float32Array(0) };
}

function hex(n: number): string {
  return "0x" + (n >>> 0).toString(16).padStart(8, "0");
}
