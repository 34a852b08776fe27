// The memory plan: how many bytes each part of a training run needs, computed
// from the configuration block alone, before anything is laid out. The host
// computes the same numbers (host/plan.ts); tests hold the two together.
//
// Arena layout, in this order, each part 8-byte aligned:
//   rx buffer | tx buffer | parameters | gradients | optimizer state | activations
// where activations = every level's outputs for one chunk of rows (input
// included) and the chunk's targets. Backprop overwrites each level with its
// delta, so there are no delta buffers.
import {
  C_CHUNK, C_FLAGS, C_LOSS, C_MOMENTUM, C_OPT, Loss,
  cfgF64, cfgU16, cfgU8, layerCount, optimizerSlots, width,
} from "./config";

// Frame sizes (see protocol/frame.ts): type u8, seq u16, len u16, payload, crc32,
// COBS-encoded (one extra byte per 254) and a 0x00 delimiter.
export const FRAME_OVERHEAD: i32 = 9;
export const MIN_RX_PAYLOAD: i32 = 160; // fits CONFIGURE (128) and every command
export const TX_PAYLOAD: i32 = 192; //   the largest reply (GET_WEIGHTS pieces)
export const BATCH_HEADER: i32 = 8; //   flags, rows, reserved, before the rows

@inline export function align8(n: i32): i32 { return (n + 7) & ~7; }

export function encodedFrameBytes(payload: i32): i32 {
  const raw = FRAME_OVERHEAD + payload;
  return align8(raw + (raw + 253) / 254 + 1);
}

export function paramCount(): i32 {
  let n = 0;
  for (let l = 1; l <= layerCount(); l++) n += width(l) * (width(l - 1) + 1);
  return n;
}

export function targetColumns(): i32 {
  return cfgU8(C_LOSS) == Loss.CE ? 1 : width(layerCount());
}

export function rxPayloadBytes(): i32 {
  const rowBytes = 4 * (width(0) + targetColumns());
  const batch = BATCH_HEADER + <i32>cfgU16(C_CHUNK) * rowBytes;
  return batch > MIN_RX_PAYLOAD ? batch : MIN_RX_PAYLOAD;
}

export let planParams: i32 = 0;
export let planGrads: i32 = 0;
export let planOptimizer: i32 = 0;
export let planActivations: i32 = 0;
export let planBuffers: i32 = 0;
export let planStatic: i32 = 0;
export let planTotal: i32 = 0;

/** Fills the plan from the configuration block; returns total bytes. */
export function computePlan(staticBytes: i32): i32 {
  const chunk = <i32>cfgU16(C_CHUNK);
  const params = paramCount();
  let levels = 0;
  for (let k = 0; k <= layerCount(); k++) levels += width(k);
  planParams = align8(4 * params);
  planGrads = planParams;
  planOptimizer = optimizerSlots(cfgU8(C_OPT), cfgU8(C_FLAGS), cfgF64(C_MOMENTUM)) * planParams;
  planActivations = align8(4 * chunk * (levels + targetColumns()));
  planBuffers = encodedFrameBytes(rxPayloadBytes()) + encodedFrameBytes(TX_PAYLOAD);
  planStatic = align8(staticBytes);
  planTotal = planStatic + planBuffers + planParams + planGrads + planOptimizer + planActivations;
  return planTotal;
}
