// The memory plan, computed on the host exactly as the module computes it
// (assembly/plan.ts), so a model can be checked against a board before any
// byte is sent. Tests hold the two implementations together.
import { type RunConfig, optimizerSlots, paramCount, targetColumns } from "./config.js";

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
  buffers_bytes: number;
  static_bytes: number;
  total_bytes: number;
  pages: number;
  chunk: number;
}

const align8 = (n: number) => (n + 7) & ~7;

/** The optimizer state's length in float32 values, as the module lays it out (what a checkpoint must hold). */
export function optimizerStateFloats(c: Pick<RunConfig, "sizes" | "optimizer">): number {
  return (optimizerSlots(c.optimizer) * align8(4 * paramCount(c.sizes))) / 4;
}

export function encodedFrameBytes(payload: number): number {
  const raw = FRAME_OVERHEAD + payload;
  return align8(raw + Math.floor((raw + 253) / 254) + 1);
}

export function rxPayloadBytes(c: Pick<RunConfig, "sizes" | "loss" | "chunk">): number {
  const rowBytes = 4 * (c.sizes[0] + targetColumns(c));
  return Math.max(MIN_RX_PAYLOAD, BATCH_HEADER + c.chunk * rowBytes);
}

/** `staticBytes`: the module's static data (its export static_bytes()). */
export function computePlan(c: RunConfig, staticBytes: number): Plan {
  const params = align8(4 * paramCount(c.sizes));
  const levels = c.sizes.reduce((a, b) => a + b, 0);
  const plan = {
    params_bytes: params,
    grads_bytes: params,
    optimizer_bytes: optimizerSlots(c.optimizer) * params,
    activations_bytes: align8(4 * c.chunk * (levels + targetColumns(c))),
    buffers_bytes: encodedFrameBytes(rxPayloadBytes(c)) + encodedFrameBytes(TX_PAYLOAD),
    static_bytes: align8(staticBytes),
    total_bytes: 0,
    pages: 0,
    chunk: c.chunk,
  };
  plan.total_bytes = plan.static_bytes + plan.buffers_bytes + plan.params_bytes +
    plan.grads_bytes + plan.optimizer_bytes + plan.activations_bytes;
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
