// The memory plan, computed on the host exactly as the module computes it
// (assembly/plan.ts), so a model can be checked against a board before any
// byte is sent. Tests hold the two implementations together.
import { MAX_LAYERS, type RunConfig, optimizerSlots, paramCount, targetColumns } from "./config.js";

export const FRAME_OVERHEAD = 9;
export const MIN_RX_PAYLOAD = 160;
export const TX_PAYLOAD = 192;
export const BATCH_HEADER = 8;
/** Rows per chunk when nothing else decides: fits P2 + Adam under AIfES's 33,136 bytes. */
export const DEFAULT_CHUNK = 8;

export interface Plan {
  params_bytes: number;
  grads_bytes: number;
  optimizer_bytes: number;
  activations_bytes: number;
  /** mean and std per input (normalizeInputs), else 0. */
  input_stats_bytes: number;
  /** The sample store (storeRows), else 0. */
  store_bytes: number;
  /** int16 precision's int16 weights, deltas and bias scratch (docs/int16.md §7); absent in f32. */
  int16_bytes?: number;
  buffers_bytes: number;
  static_bytes: number;
  total_bytes: number;
  pages: number;
  chunk: number;
}

const align8 = (n: number) => (n + 7) & ~7;

/** Parameters of the layers that train: K+1..L with K = frozenLayers (gradients and optimizer state cover only these). */
export function trainedParamCount(c: Pick<RunConfig, "sizes" | "frozenLayers">): number {
  return paramCount(c.sizes) - paramCount(c.sizes.slice(0, (c.frozenLayers ?? 0) + 1));
}

/** Bytes of the gradients: the trained layers' parameters, 8-byte aligned (one optimizer slot is as large). */
export function gradientBytes(c: Pick<RunConfig, "sizes" | "frozenLayers">): number {
  return align8(4 * trainedParamCount(c));
}

/** The optimizer state's length in float32 values, as the module lays it out (what a checkpoint must hold). */
export function optimizerStateFloats(c: Pick<RunConfig, "sizes" | "optimizer" | "frozenLayers">): number {
  return (optimizerSlots(c.optimizer) * gradientBytes(c)) / 4;
}

/** Bytes of the input statistics (mean then std per input, float32) a normalising model holds. */
export function inputStatsBytes(c: Pick<RunConfig, "sizes" | "normalizeInputs">): number {
  return c.normalizeInputs ? align8(8 * c.sizes[0]) : 0;
}

/**
 * Bytes of the sample store (storeRows rows of inputs and targets, f32, then a
 * u32 per row for the epoch's order), as assembly/plan.ts sizes it; 0 without.
 */
export function storeBytes(c: Pick<RunConfig, "sizes" | "loss" | "storeRows">): number {
  const rows = c.storeRows ?? 0;
  return align8Big(4 * rows * (c.sizes[0] + targetColumns(c))) + align8Big(4 * rows);
}

/** align8 past 2^31 (a store can be asked for that no board holds; the refusal must still state its size). */
const align8Big = (n: number) => Math.ceil(n / 8) * 8;

export function encodedFrameBytes(payload: number): number {
  const raw = FRAME_OVERHEAD + payload;
  return align8(raw + Math.floor((raw + 253) / 254) + 1);
}

export function rxPayloadBytes(c: Pick<RunConfig, "sizes" | "loss" | "chunk">): number {
  const rowBytes = 4 * (c.sizes[0] + targetColumns(c));
  return Math.max(MIN_RX_PAYLOAD, BATCH_HEADER + c.chunk * rowBytes);
}

/** Rows per group of the int16 weight-gradient sums (assembly/int16/plan16.ts ROW_GROUP). */
export const INT16_ROW_GROUP = 32;

/** The int16 mode's extra bytes, as assembly/int16/plan16.ts counts them: 0 in f32. */
export function int16Bytes(c: Pick<RunConfig, "sizes" | "chunk" | "precision">): number {
  if (c.precision !== "int16") return 0;
  let weights = 0, widest = 0;
  for (let l = 1; l < c.sizes.length; l++) {
    weights += c.sizes[l] * c.sizes[l - 1];
    widest = Math.max(widest, c.sizes[l]);
  }
  // + the scales: an i32 per level and per layer, MAX_LAYERS + 1 of each
  return align8Big(2 * weights) + align8Big(2 * c.chunk * widest) + align8Big(8 * widest) + 8 * (MAX_LAYERS + 1);
}

/** `staticBytes`: the module's static data (its export static_bytes()). */
export function computePlan(c: RunConfig, staticBytes: number): Plan {
  const params = align8(4 * paramCount(c.sizes));
  const grads = gradientBytes(c);
  const levels = c.sizes.reduce((a, b) => a + b, 0);
  const plan = {
    params_bytes: params,
    grads_bytes: grads,
    optimizer_bytes: optimizerSlots(c.optimizer) * grads,
    activations_bytes: align8(4 * c.chunk * (levels + targetColumns(c))),
    input_stats_bytes: inputStatsBytes(c),
    store_bytes: storeBytes(c),
    buffers_bytes: encodedFrameBytes(rxPayloadBytes(c)) + encodedFrameBytes(TX_PAYLOAD),
    static_bytes: align8(staticBytes),
    ...(c.precision === "int16" ? { int16_bytes: int16Bytes(c) } : {}),
    total_bytes: 0,
    pages: 0,
    chunk: c.chunk,
  };
  plan.total_bytes = plan.static_bytes + plan.buffers_bytes + plan.params_bytes +
    plan.grads_bytes + plan.optimizer_bytes + plan.activations_bytes + plan.input_stats_bytes + plan.store_bytes + (plan.int16_bytes ?? 0);
  plan.pages = Math.ceil(plan.total_bytes / 65536);
  return plan;
}

/** The largest chunk (<= limit rows) whose plan fits `memoryLimit` bytes, or 0. */
export function largestChunk(c: RunConfig, staticBytes: number, memoryLimit: number, limit: number): number {
  let best = 0;
  for (let chunk = 1; chunk <= limit; chunk++) {
    if (computePlan({ ...c, chunk }, staticBytes).total_bytes > memoryLimit) break;
    best = chunk;
  }
  return best;
}
