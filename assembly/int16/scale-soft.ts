// int16 precision's batch-mean scaling and squared norm of a layer's
// gradients (assembly/optim/optimizer.ts's scaleAndMeasure inner loop:
// g = g * scale, stored; sq += g * g) on assembly/int16/soft-f32.ts's
// operations: the same bits, without three libgcc calls per parameter on a
// core without an FPU.
import { addF32, mulF32 } from "./soft-f32";

/** Scales the f32 gradients in [p, end) by `scale` (bits) in place; returns the f32 sum of their squares (bits), summed in order from +0. */
export function scaleAndSumSquaresSoft(p: usize, end: usize, scale: u32): u32 {
  let sq: u32 = 0;
  for (; p < end; p += 4) {
    const g = mulF32(load<u32>(p), scale);
    store<u32>(p, g);
    sq = addF32(sq, mulF32(g, g));
  }
  return sq;
}
