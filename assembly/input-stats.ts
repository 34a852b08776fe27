// Input normalisation on the board (config C_INPUT_FLAGS bit NORMALIZE): every
// input value entering level 0 becomes (x - mean[i]) / std[i], one float32
// subtraction then one float32 division, so raw sensor values can be fed and
// the result is bit for bit what a host gets from
// fround(fround(x - mean) / std). The statistics live in the arena
// (arena.inputStats: mean[nIn] then std[nIn]); configure sets them to 0 and 1
// (the identity), the host writes them as region INPUT_STATS of SET_WEIGHTS.
import { normalizesInputs, width } from "./config";
import { inputStats, level } from "./arena";

/** Floats in the statistics region: 2 * nIn when normalising, else 0. */
export function inputStatsCount(): i32 {
  return normalizesInputs() ? 2 * width(0) : 0;
}

/** mean 0, std 1: what a configured model normalises with until the host says otherwise. */
export function resetInputStats(): void {
  if (!normalizesInputs()) return; // no region (plan 0 bytes): nothing to write
  const n = width(0);
  const std = inputStats + (<usize>n << 2);
  for (let i = 0; i < n; i++) {
    store<f32>(inputStats + (<usize>i << 2), 0);
    store<f32>(std + (<usize>i << 2), 1);
  }
}

/**
 * Normalises one row of nIn raw inputs in place. The one definition of the
 * normalised input: every path that feeds rows to level 0 (BATCH, EVAL, the
 * direct link's train_chunk/eval_chunk, rows trained from a sample store)
 * goes through it, once per row, and only when normalising.
 */
export function normalizeInputRow(row: usize): void {
  const n = width(0);
  const std = inputStats + (<usize>n << 2);
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const x = load<f32>(row + o);
    store<f32>(row + o, (x - load<f32>(inputStats + o)) / load<f32>(std + o));
  }
}

/** Normalises the chunk's `rows` rows staged at level 0, if the configuration says so. */
export function normalizeStagedRows(rows: i32): void {
  if (!normalizesInputs()) return;
  const rowBytes = <usize>width(0) << 2;
  let row = level(0);
  for (let r = 0; r < rows; r++, row += rowBytes) normalizeInputRow(row);
}
