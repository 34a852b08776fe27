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

/** One matrix of rows: `width` values per row, row-major. */
export interface RowMatrix {
  data: Float32Array;
  width: number;
}

/** A row index with this bit set has been moved (rows stay below 2^31: a typed array holds fewer). */
const MOVED = 0x8000_0000;

/**
 * Row i of every matrix becomes the row that was at `order[i]`, in place,
 * following each cycle of the permutation with one row set aside: a data set
 * shuffled without a second copy of it. `order` is left as it was given.
 */
export function gatherRowsInPlace(matrices: readonly RowMatrix[], order: Uint32Array): void {
  const saved = matrices.map((m) => new Float32Array(m.width));
  for (let i = 0; i < order.length; i++) {
    if (order[i] & MOVED) continue;
    if (order[i] === i) { order[i] |= MOVED; continue; }
    matrices.forEach((m, k) => saved[k].set(m.data.subarray(i * m.width, (i + 1) * m.width)));
    for (let j = i; ;) {
      const from = order[j];
      order[j] = from | MOVED;
      if (from === i) {
        matrices.forEach((m, k) => m.data.set(saved[k], j * m.width));
        break;
      }
      for (const m of matrices) m.data.copyWithin(j * m.width, from * m.width, (from + 1) * m.width);
      j = from;
    }
  }
  for (let i = 0; i < order.length; i++) order[i] &= ~MOVED;
}

/**
 * The rows of `matrices` in an epoch's `order`, in place (what permuteRows
 * gives in a second buffer); returns the call that puts them back in their
 * first order, bit for bit.
 */
export function permuteInPlace(matrices: readonly RowMatrix[], order: Uint32Array): () => void {
  gatherRowsInPlace(matrices, order);
  return () => scatterRowsInPlace(matrices, order);
}

/**
 * The inverse of gatherRowsInPlace with the same `order`: the row at i goes
 * back to order[i], following each cycle the other way (no inverse array).
 */
export function scatterRowsInPlace(matrices: readonly RowMatrix[], order: Uint32Array): void {
  const held = matrices.map((m) => new Float32Array(m.width));
  const spare = matrices.map((m) => new Float32Array(m.width));
  for (let i = 0; i < order.length; i++) {
    if (order[i] & MOVED) continue;
    // Carry row i to order[i], the row there to its own place, and so on round the cycle back to i.
    matrices.forEach((m, k) => held[k].set(m.data.subarray(i * m.width, (i + 1) * m.width)));
    for (let j = i; ;) {
      const to = order[j];
      order[j] = to | MOVED;
      if (to === i) {
        matrices.forEach((m, k) => m.data.set(held[k], i * m.width));
        break;
      }
      matrices.forEach((m, k) => {
        spare[k].set(m.data.subarray(to * m.width, (to + 1) * m.width));
        m.data.set(held[k], to * m.width);
        held[k].set(spare[k]);
      });
      j = to;
    }
  }
  for (let i = 0; i < order.length; i++) order[i] &= ~MOVED;
}
