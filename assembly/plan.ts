// The memory plan: how many bytes each part of a training run needs, computed
// from the configuration block alone, before anything is laid out. The host
// computes the same numbers (host/model/plan.ts); tests hold the two together.
//
// Arena layout, in this order, each part 8-byte aligned:
//   rx buffer | tx buffer | parameters | gradients | optimizer state | activations
//   | input statistics | sample store | int16 weights, deltas, bias scratch
// where activations = every level's outputs for one chunk of rows (input
// included) and the chunk's targets. Backprop overwrites each level with its
// delta, so there are no delta buffers. Gradients and optimizer state cover
// the trained layers only (K+1..L, K = C_FROZEN): the parameters of layers
// K+1..L are the tail of the parameter region, so one contiguous range of
// parameters pairs with the gradients and each optimizer slot.
import {
  C_CHUNK, C_FLAGS, C_LOSS, C_MOMENTUM, C_OPT, C_STORE_ROWS, Loss,
  cfgF64, cfgU16, cfgU32, cfgU8, frozenLayers, layerCount, normalizesInputs, optimizerSlots, width,
} from "./config";
import { int16BytesWide } from "./int16/plan16";

// Frame sizes (see protocol/frame.ts): type u8, seq u16, len u16, payload, crc32,
// COBS-encoded (one extra byte per 254) and a 0x00 delimiter.
export const FRAME_OVERHEAD: i32 = 9;
export const MIN_RX_PAYLOAD: i32 = 160; // fits CONFIGURE (160, version 2) and every command
export const TX_PAYLOAD: i32 = 192; //   the largest reply (GET_WEIGHTS pieces)
export const BATCH_HEADER: i32 = 8; //   flags, rows, reserved, before the rows

@inline export function align8(n: i32): i32 { return (n + 7) & ~7; }

export function encodedFrameBytes(payload: i32): i32 {
  const raw = FRAME_OVERHEAD + payload;
  return align8(raw + (raw + 253) / 254 + 1);
}

/** Parameters of a planned model (exact only once its plan fits memory). */
export function paramCount(): i32 {
  let n = 0;
  for (let l = 1; l <= layerCount(); l++) n += width(l) * (width(l - 1) + 1);
  return n;
}

/** Parameters of the trained layers K+1..L (exact only once the plan fits memory). */
export function trainedParamCount(): i32 {
  let n = 0;
  for (let l = frozenLayers() + 1; l <= layerCount(); l++) n += width(l) * (width(l - 1) + 1);
  return n;
}

export function targetColumns(): i32 {
  return cfgU8(C_LOSS) == Loss.CE ? 1 : width(layerCount());
}

/** The receive payload of a planned model (exact only once its plan fits memory). */
export function rxPayloadBytes(): i32 {
  const rowBytes = 4 * (width(0) + targetColumns());
  const batch = BATCH_HEADER + <i32>cfgU16(C_CHUNK) * rowBytes;
  return batch > MIN_RX_PAYLOAD ? batch : MIN_RX_PAYLOAD;
}

// Every size is computed in u64 first: u16 widths and chunks make products
// past 2^32 (65535 x 65536 x 4 parameters), which u32 arithmetic would wrap
// into a small, "fitting" plan. A plan part past PLAN_SATURATED cannot fit
// any wasm32 memory; it is reported as PLAN_SATURATED.
export const PLAN_SATURATED: u64 = 0x7fffffff;

@inline function align8Wide(n: u64): u64 { return (n + 7) & ~<u64>7; }

function encodedFrameBytesWide(payload: u64): u64 {
  const raw = <u64>FRAME_OVERHEAD + payload;
  return align8Wide(raw + (raw + 253) / 254 + 1);
}

function paramCountWide(): u64 {
  let n: u64 = 0;
  for (let l = 1; l <= layerCount(); l++) n += <u64>width(l) * <u64>(width(l - 1) + 1);
  return n;
}

function trainedParamCountWide(): u64 {
  let n: u64 = 0;
  for (let l = frozenLayers() + 1; l <= layerCount(); l++) n += <u64>width(l) * <u64>(width(l - 1) + 1);
  return n;
}

function rxPayloadBytesWide(): u64 {
  const rowBytes = 4 * <u64>(width(0) + targetColumns());
  const batch = <u64>BATCH_HEADER + <u64>cfgU16(C_CHUNK) * rowBytes;
  return batch > <u64>MIN_RX_PAYLOAD ? batch : <u64>MIN_RX_PAYLOAD;
}

// The sample store (store.ts): C_STORE_ROWS rows of inputs and targets, then
// the epoch's order, a u32 per row; 0 bytes without a store.
export function storeRowsBytes(rows: u32): u64 {
  return align8Wide(4 * <u64>rows * <u64>(width(0) + targetColumns()));
}
export function storeOrderBytes(rows: u32): u64 {
  return align8Wide(4 * <u64>rows);
}

@inline function saturated(n: u64): i32 { return <i32>(n > PLAN_SATURATED ? PLAN_SATURATED : n); }

export let planParams: i32 = 0;
export let planGrads: i32 = 0;
export let planOptimizer: i32 = 0;
export let planActivations: i32 = 0;
export let planInputStats: i32 = 0;
export let planStore: i32 = 0;
/** The int16 mode's extra bytes (int16/plan16.ts), 0 in f32. */
export let planInt16: i32 = 0;
export let planBuffers: i32 = 0;
export let planStatic: i32 = 0;
export let planTotal: i32 = 0;

/** The exact total of the last plan (planTotal saturates). */
export let planTotalWide: u64 = 0;

/**
 * Fills the plan from the configuration block; returns the exact total bytes.
 * The part sizes are exact whenever the total is at most PLAN_SATURATED.
 */
export function computePlan(staticBytes: i32): u64 {
  const chunk = <u64>cfgU16(C_CHUNK);
  let levels: u64 = 0;
  for (let k = 0; k <= layerCount(); k++) levels += <u64>width(k);
  const params = align8Wide(4 * paramCountWide());
  const grads = align8Wide(4 * trainedParamCountWide());
  const optimizer = <u64>optimizerSlots(cfgU8(C_OPT), cfgU8(C_FLAGS), cfgF64(C_MOMENTUM)) * grads;
  const activations = align8Wide(4 * chunk * (levels + <u64>targetColumns()));
  // mean[nIn] then std[nIn], f32 (input-stats.ts)
  const inputStats: u64 = normalizesInputs() ? align8Wide(8 * <u64>width(0)) : 0;
  const sampleStore = storeRowsBytes(cfgU32(C_STORE_ROWS)) + storeOrderBytes(cfgU32(C_STORE_ROWS));
  const buffers = encodedFrameBytesWide(rxPayloadBytesWide()) + encodedFrameBytesWide(<u64>TX_PAYLOAD);
  const statics = align8Wide(<u64>staticBytes);
  const int16 = int16BytesWide();
  planTotalWide = statics + buffers + params + grads + optimizer + activations + inputStats + sampleStore + int16;
  planInt16 = saturated(int16);
  planParams = saturated(params);
  planGrads = saturated(grads);
  planOptimizer = saturated(optimizer);
  planInputStats = saturated(inputStats);
  planStore = saturated(sampleStore);
  planActivations = saturated(activations);
  planBuffers = saturated(buffers);
  planStatic = saturated(statics);
  planTotal = saturated(planTotalWide);
  return planTotalWide;
}
