// The int16 mode's extra memory (docs/int16.md §7), computed from the
// configuration block alone like the rest of the plan (host/model/plan.ts
// computes the same): the int16 weights, one chunk of int16 deltas and one
// layer's i64 bias scratch, and the scales (an i32 per level and per layer).
// The activations' f32 region is reused.
import { C_CHUNK, MAX_LAYERS, cfgU16, isInt16, layerCount, width } from "../config";

/** Rows per group of the weight-gradient sums (docs/int16.md §2, §6). */
export const ROW_GROUP: i32 = 32;

@inline function align8Wide(n: u64): u64 { return (n + 7) & ~<u64>7; }

export function int16WeightsBytesWide(): u64 {
  let n: u64 = 0;
  for (let l = 1; l <= layerCount(); l++) n += <u64>width(l) * <u64>width(l - 1);
  return align8Wide(2 * n);
}

/** s_k for levels 0..MAX_LAYERS and w_l for layers 0..MAX_LAYERS (0 unused), i32 each. */
export const INT16_SCALE_BYTES: u64 = 8 * (MAX_LAYERS + 1);

export function widestOutput(): i32 {
  let w = 0;
  for (let l = 1; l <= layerCount(); l++) if (width(l) > w) w = width(l);
  return w;
}

export function int16DeltasBytesWide(): u64 {
  return align8Wide(2 * <u64>cfgU16(C_CHUNK) * <u64>widestOutput());
}

export function int16BiasBytesWide(): u64 {
  return align8Wide(8 * <u64>widestOutput());
}

/** Every extra byte of the int16 mode; 0 in f32. */
export function int16BytesWide(): u64 {
  if (!isInt16()) return 0;
  return int16WeightsBytesWide() + int16DeltasBytesWide() + int16BiasBytesWide() + INT16_SCALE_BYTES;
}

/** Operand bits of layer l: every i32 product sum fits by construction (docs/int16.md §2). */
export function bitsOf(l: i32): i32 {
  let k = width(l - 1);
  if (width(l) > k) k = width(l);
  if (ROW_GROUP > k) k = ROW_GROUP;
  const c = 32 - <i32>clz(<u32>(k - 1)); // ceil(log2 k), k >= 2
  const b = (31 - c) >> 1;
  return b < 15 ? b : 15;
}
