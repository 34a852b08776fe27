// Seeded shuffling of row order per epoch (mulberry32 + Fisher-Yates), so a
// shuffled run is reproducible from its seed on every link and engine.
import { mulberry32 } from "./rng.js";

export function epochOrder(rows: number, seed: number, epoch: number): Uint32Array {
  const order = new Uint32Array(rows);
  for (let i = 0; i < rows; i++) order[i] = i;
  const rand = mulberry32((seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0);
  for (let i = rows - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const tmp = order[i]; order[i] = order[j]; order[j] = tmp;
  }
  return order;
}

export function permuteRows(src: Float32Array, width: number, order: Uint32Array, dst: Float32Array): void {
  for (let i = 0; i < order.length; i++) {
    const from = order[i] * width;
    dst.set(src.subarray(from, from + width), i * width);
  }
}
