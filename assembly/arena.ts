// Carves the one arena into the buffers the plan sized. No allocator: every
// pointer here is fixed when the model is configured, and nothing is written
// past arenaEnd.
import { C_CHUNK, cfgU16, frozenLayers, layerCount, width, MAX_LAYERS } from "./config";
import {
  encodedFrameBytes, rxPayloadBytes, TX_PAYLOAD, MIN_RX_PAYLOAD,
  planParams, planGrads, planOptimizer, planInputStats, align8, targetColumns,
} from "./plan";
import { layoutStore } from "./store";

export let rxBuf: usize = 0;
export let rxCap: i32 = 0;
export let txBuf: usize = 0;
export let txCap: i32 = 0;
export let params: usize = 0;
export let grads: usize = 0; //    the trained layers' (K+1..L) gradients only
export let optState: usize = 0; // slot s at optState + s * planGrads
export let targets: usize = 0;
export let inputStats: usize = 0; // mean[nIn] then std[nIn] (input-stats.ts), when normalising
/** Byte offset of layer K+1 (the first trained one) in the parameters: where the gradients' twin range starts. */
export let trainedOffset: u32 = 0;
export let arenaEnd: usize = 0;

// Per dense layer l (1..L): weight [out][in] then bias [out] in params; a
// trained layer's gradients at the same offset less trainedOffset in grads;
// level k's activations for the chunk.
export const weightOffset: usize = memory.data(4 * (MAX_LAYERS + 1), 8);
export const levelPtr: usize = memory.data(4 * (MAX_LAYERS + 1), 8);

@inline export function weightsOf(l: i32): usize { return params + <usize>load<u32>(weightOffset + (<usize>l << 2)); }
/** Only for a trained layer (l > K): frozen layers have no gradients. */
@inline export function gradsOf(l: i32): usize { return grads + <usize>(load<u32>(weightOffset + (<usize>l << 2)) - trainedOffset); }
/** The parameters the optimizer updates: layers K+1..L, paired element by element with grads. */
@inline export function trainedParams(): usize { return params + <usize>trainedOffset; }
@inline export function level(k: i32): usize { return <usize>load<u32>(levelPtr + (<usize>k << 2)); }

export function staticEnd(): usize {
  return (__heap_base + 7) & ~<usize>7;
}

/** The receive and transmit buffers an unconfigured board needs. */
export function layoutBuffers(payload: i32): void {
  rxBuf = staticEnd();
  rxCap = encodedFrameBytes(payload);
  txBuf = rxBuf + <usize>rxCap;
  txCap = encodedFrameBytes(TX_PAYLOAD);
  arenaEnd = txBuf + <usize>txCap;
}

export function layoutUnconfigured(): void {
  layoutBuffers(MIN_RX_PAYLOAD);
}

/** Lays out the arena for the configured model (plan already computed). */
export function layoutModel(): void {
  layoutBuffers(rxPayloadBytes());
  params = arenaEnd;
  grads = params + <usize>planParams;
  optState = grads + <usize>planGrads;
  let p = optState + <usize>planOptimizer;
  const chunk = <i32>cfgU16(C_CHUNK);
  let off: u32 = 0;
  for (let l = 1; l <= layerCount(); l++) {
    store<u32>(weightOffset + (<usize>l << 2), off);
    if (l == frozenLayers() + 1) trainedOffset = off;
    off += <u32>(4 * width(l) * (width(l - 1) + 1));
  }
  for (let k = 0; k <= layerCount(); k++) {
    store<u32>(levelPtr + (<usize>k << 2), <u32>p);
    p += <usize>(4 * chunk * width(k));
  }
  targets = p;
  inputStats = align8(<i32>(p + <usize>(4 * chunk * targetColumns()))) as usize;
  arenaEnd = layoutStore(inputStats + <usize>planInputStats);
}

/** Zeroes [from, to) with plain stores (no bulk-memory: wasm3 on old boards). */
export function zero(from: usize, to: usize): void {
  for (let p = from; p < to; p += 4) store<u32>(p, 0);
}
