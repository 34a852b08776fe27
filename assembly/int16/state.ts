// Where the int16 mode keeps its tensors (docs/int16.md §7) and their scales.
// Laid out after the rest of the arena once the plan fits; the activations'
// f32 levels are reused (i32 accumulators, then int16 values in their first
// half), so only the int16 weights, one chunk of deltas and one layer's bias
// scratch are extra.
import { MAX_LAYERS, layerCount, width } from "../config";
import { int16BiasBytesWide, int16DeltasBytesWide, int16WeightsBytesWide } from "./plan16";

/** Layer l's int16 weights [out][in] at w16Of(l). */
export let weights16: usize = 0;
export let deltas16: usize = 0; // dZ of the layer being walked back, [rows][out]
export let bias64: usize = 0; //   B[j] of the layer being computed forward, i64
// The scales live in the arena (plan16.ts counts them), not in static data:
// an f32 model's plan does not grow by a byte.
/** s_k: level k's int16 values are q 2^-s_k (docs/int16.md §5), then w_l: layer l's weights are q 2^-w_l. */
export let levelScale: usize = 0;
export let weightScale: usize = 0;
export let int16End: usize = 0;

// The int16 weights and their scales depend on the f32 master weights alone
// (docs/int16.md §3), so they are quantized again only after the weights
// changed, not every chunk: the same bits as quantizing every chunk, as long
// as every write of the weights calls weightsChanged(). The writers:
// configure (network.ts), the optimizer step (network.ts endChunk), the
// protocol's SET_WEIGHTS (protocol/board.ts region) and params_ptr()
// (index.ts: the direct link, the firmware's edgeprop_load), which a writer
// must call again after the last train_chunk/eval_chunk before writing.
// tests/int16/weights-cache.test.ts holds every path to it.
let weights16Current = false;
/** The f32 weights may have changed: quantize them again before they are next used. */
export function weightsChanged(): void { weights16Current = false; }
@inline export function weights16AreCurrent(): bool { return weights16Current; }
export function setWeights16Current(): void { weights16Current = true; }

export function w16Of(l: i32): usize {
  let off: usize = 0;
  for (let k = 1; k < l; k++) off += <usize>(2 * width(k) * width(k - 1));
  return weights16 + off;
}
@inline export function scaleOfLevel(k: i32): i32 { return load<i32>(levelScale + (<usize>k << 2)); }
@inline export function setScaleOfLevel(k: i32, s: i32): void { store<i32>(levelScale + (<usize>k << 2), s); }
@inline export function scaleOfWeights(l: i32): i32 { return load<i32>(weightScale + (<usize>l << 2)); }
@inline export function setScaleOfWeights(l: i32, s: i32): void { store<i32>(weightScale + (<usize>l << 2), s); }

/** Lays the int16 buffers out from `start` (the plan has counted them). */
export function layoutInt16(start: usize): void {
  weightsChanged();
  weights16 = start;
  deltas16 = weights16 + <usize>int16WeightsBytesWide();
  bias64 = deltas16 + <usize>int16DeltasBytesWide();
  levelScale = bias64 + <usize>int16BiasBytesWide();
  weightScale = levelScale + <usize>(4 * (MAX_LAYERS + 1));
  int16End = weightScale + <usize>(4 * (MAX_LAYERS + 1));
}
