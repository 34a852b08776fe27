// The configuration block (assembly/config.ts; the byte table is in
// docs/protocol.md §4.2): one table of fields, from which the encoder, the
// shape decoder and the names used in refusals are all derived. Version 2
// (160 bytes) is version 1 (128 bytes) with every offset kept and 32 bytes
// appended: momentum_decay, clip_value, the frozen-layer count, the input
// flags, the sample store's rows and 8 reserved (zero) bytes. The host writes
// version 2; the module still takes version 1.
import {
  ACTIVATIONS, INITS, LOSSES, MAX_LAYERS, OPTIMIZERS, PRECISIONS,
  type LossName, type OptimizerConfig, type RunConfig,
} from "../model/config.js";
import { OPTIMIZER_FIELDS, offsetName, type OptimizerOffsetName } from "../model/optimizer-fields.js";
import { MalformedMessageError } from "./message-error.js";
import { BoardError, Status, statusName } from "./status.js";

export const CONFIG_BYTES = 160;
export const CONFIG_VERSION = 2;
/** Bytes of each version's block (the module takes both). */
export const CONFIG_BYTES_OF_VERSION: Record<number, number> = { 1: 128, 2: 160 };

/** The optimizer's f64 fields and flag bits, by their constant names (LR, WEIGHT_DECAY; NESTEROV), from its table. */
const OPTIMIZER_OFFSETS: Record<string, number> = {};
const OPTIMIZER_BITS: Record<string, number> = {};
for (const f of OPTIMIZER_FIELDS) {
  if ("f64" in f.block) OPTIMIZER_OFFSETS[offsetName(f)] = f.block.f64;
  else OPTIMIZER_BITS[offsetName(f)] = f.block.bit;
}
// Typed by name (ConfigOffset.LR, ...): the loop above gives every f64 row's
// OptimizerOffsetName an offset, and no other name.
const OPTIMIZER_OFFSETS_BY_NAME = OPTIMIZER_OFFSETS as Readonly<Record<OptimizerOffsetName, number>>;

/**
 * Byte offsets of the block's fields (assembly/config.ts names them C_*;
 * status.test.ts checks the two agree): the optimizer's hyper-parameters
 * (LR at 40 up to INITIAL_ACCUMULATOR at 112, MOMENTUM_DECAY at 128) come
 * from optimizer-fields.ts, the rest is written here.
 */
export const ConfigOffset = {
  VERSION: 0, LAYERS: 1, LOSS: 2, OPTIMIZER: 3, FLAGS: 4, INIT: 5, CHUNK: 6, SEED: 8,
  SIZES: 12, ACTIVATIONS: 30,
  ...OPTIMIZER_OFFSETS_BY_NAME,
  CLIP_NORM: 120,
  // version 2
  CLIP_VALUE: 136, FROZEN: 144, INPUT_FLAGS: 145, PAD_146: 146, STORE_ROWS: 148,
  PRECISION: 152, RESERVED: 153, RESERVED_END: 160,
} as const;

/** Bits of the flags byte (the optimizer's boolean fields). */
export const ConfigFlag: Record<string, number> = OPTIMIZER_BITS;
/** Bits of the input-flags byte. */
export const InputFlag = { NORMALIZE: 1 } as const;

type F64Field = { offset: number; name: string; read: (c: RunConfig) => number };

/** The block's f64 fields, each with its torch name and where its value comes from: the optimizer's, then the clipping limits. */
const F64_FIELDS: F64Field[] = [
  ...OPTIMIZER_FIELDS.flatMap((f): F64Field[] => "f64" in f.block
    ? [{ offset: f.block.f64, name: f.torch, read: (c) => c.optimizer[f.key] as number }] : []),
  { offset: ConfigOffset.CLIP_NORM, name: "clip_norm", read: (c) => c.clipNorm },
  { offset: ConfigOffset.CLIP_VALUE, name: "clip_value", read: (c) => c.clipValue ?? 0 },
];

/** What a refusal's detail (a byte offset) means, for the single-byte fields. */
const SCALAR_NAMES: Record<number, string> = {
  [ConfigOffset.VERSION]: "version", [ConfigOffset.LAYERS]: "layer count", [ConfigOffset.LOSS]: "loss",
  [ConfigOffset.OPTIMIZER]: "optimizer",
  [ConfigOffset.FLAGS]: "flags (nesterov needs momentum > 0 and dampening 0; amsgrad is for adam and adamw)",
  [ConfigOffset.INIT]: "init", [ConfigOffset.CHUNK]: "chunk",
  [ConfigOffset.FROZEN]: "frozen layers (0 up to one less than the layer count)",
  [ConfigOffset.INPUT_FLAGS]: "input flags (bit 0 normalize; the others must be 0)",
  [ConfigOffset.STORE_ROWS]: "sample-store rows",
  [ConfigOffset.PRECISION]: "precision (0 f32, 1 int16; a module older than docs/int16.md refuses 1)",
};

function flagsOf(o: OptimizerConfig): number {
  let flags = 0;
  for (const f of OPTIMIZER_FIELDS) if ("bit" in f.block && o[f.key]) flags |= f.block.bit;
  return flags;
}

export function encodeConfig(c: RunConfig): Uint8Array {
  const buf = new Uint8Array(CONFIG_BYTES);
  const v = new DataView(buf.buffer);
  v.setUint8(ConfigOffset.VERSION, CONFIG_VERSION);
  v.setUint8(ConfigOffset.LAYERS, c.sizes.length - 1);
  v.setUint8(ConfigOffset.LOSS, LOSSES.indexOf(c.loss));
  v.setUint8(ConfigOffset.OPTIMIZER, OPTIMIZERS.indexOf(c.optimizer.name));
  v.setUint8(ConfigOffset.FLAGS, flagsOf(c.optimizer));
  v.setUint8(ConfigOffset.INIT, INITS.indexOf(c.init));
  v.setUint16(ConfigOffset.CHUNK, c.chunk, true);
  v.setUint32(ConfigOffset.SEED, c.seed >>> 0, true);
  c.sizes.forEach((s, k) => v.setUint16(ConfigOffset.SIZES + 2 * k, s, true));
  c.activations.forEach((a, l) => v.setUint8(ConfigOffset.ACTIVATIONS + l, ACTIVATIONS.indexOf(a)));
  for (const f of F64_FIELDS) v.setFloat64(f.offset, f.read(c), true);
  v.setUint8(ConfigOffset.FROZEN, c.frozenLayers ?? 0);
  v.setUint8(ConfigOffset.INPUT_FLAGS, c.normalizeInputs ? InputFlag.NORMALIZE : 0);
  v.setUint32(ConfigOffset.STORE_ROWS, c.storeRows ?? 0, true);
  v.setUint8(ConfigOffset.PRECISION, PRECISIONS.indexOf(c.precision ?? "f32"));
  return buf;
}

export interface ConfigShape {
  sizes: number[];
  loss: LossName;
  chunk: number;
  /** Dense layers 1..K fixed (0: all train). */
  frozenLayers: number;
  normalizeInputs: boolean;
  /** Rows of the sample store (0: none). */
  storeRows: number;
}

/** The model's shape back out of a configuration block (what a board needs to size frames). */
export function decodeShape(block: Uint8Array): ConfigShape {
  const want = CONFIG_BYTES_OF_VERSION[block[ConfigOffset.VERSION]];
  if (block.length !== want) {
    throw new MalformedMessageError(want === undefined
      ? `configuration block: unknown version ${block[ConfigOffset.VERSION]} (${Object.keys(CONFIG_BYTES_OF_VERSION).join(", ")} are known)`
      : `a version-${block[ConfigOffset.VERSION]} configuration block is ${want} bytes, got ${block.length}`);
  }
  const v = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const layers = v.getUint8(ConfigOffset.LAYERS);
  if (layers < 1 || layers > MAX_LAYERS) throw new MalformedMessageError(`configuration block: ${layers} layers (1..${MAX_LAYERS})`);
  const loss = LOSSES[v.getUint8(ConfigOffset.LOSS)];
  if (loss === undefined) throw new MalformedMessageError(`configuration block: unknown loss ${v.getUint8(ConfigOffset.LOSS)}`);
  const sizes = Array.from({ length: layers + 1 }, (_, k) => v.getUint16(ConfigOffset.SIZES + 2 * k, true));
  // A version-1 block has neither field: they read as 0 (as the module reads them).
  const v2 = block.length > ConfigOffset.FROZEN;
  return {
    sizes, loss, chunk: v.getUint16(ConfigOffset.CHUNK, true),
    frozenLayers: v2 ? v.getUint8(ConfigOffset.FROZEN) : 0,
    normalizeInputs: v2 && (v.getUint8(ConfigOffset.INPUT_FLAGS) & InputFlag.NORMALIZE) !== 0,
    storeRows: configStoreRows(block),
  };
}

/** The sample-store rows a block asks for (0: no store; a version-1 block has none). Read before the board has accepted it, so unchecked. */
export function configStoreRows(block: Uint8Array): number {
  if (block.length < ConfigOffset.STORE_ROWS + 4) return 0;
  return new DataView(block.buffer, block.byteOffset, block.byteLength).getUint32(ConfigOffset.STORE_ROWS, true);
}

/** The rows per chunk a block asks for (read before the board has accepted it, so unchecked). */
export function configChunk(block: Uint8Array): number {
  return new DataView(block.buffer, block.byteOffset, block.byteLength).getUint16(ConfigOffset.CHUNK, true);
}

/** Names of the configuration block's fields by byte offset, for refusals. */
export function configFieldName(offset: number): string {
  if (offset >= ConfigOffset.SIZES && offset < ConfigOffset.ACTIVATIONS) return `size of level ${(offset - ConfigOffset.SIZES) / 2}`;
  if (offset >= ConfigOffset.ACTIVATIONS && offset < ConfigOffset.ACTIVATIONS + MAX_LAYERS) {
    return `activation of layer ${offset - ConfigOffset.ACTIVATIONS + 1}`;
  }
  if (offset === ConfigOffset.PAD_146 || offset === ConfigOffset.PAD_146 + 1
    || (offset >= ConfigOffset.RESERVED && offset < ConfigOffset.RESERVED_END)) return `reserved byte ${offset} (must be 0)`;
  return SCALAR_NAMES[offset] ?? F64_FIELDS.find((f) => f.offset === offset)?.name ?? `field at byte ${offset}`;
}

/**
 * The error for a CONFIGURE that was refused: which field (BAD_CONFIG), or
 * how much memory the plan needs against `limit` (TOO_BIG, e.g. "the board
 * allows 32768").
 */
export function configureRefusal(status: number, detail: number, neededBytes: number, limit: string): BoardError {
  const what = status === Status.BAD_CONFIG ? `: ${configFieldName(detail)}`
    : status === Status.TOO_BIG ? `: needs ${neededBytes} bytes, ${limit}` : "";
  return new BoardError(status, `${statusName(status)}${what}`, detail);
}
