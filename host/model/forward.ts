// The host's forward pass of a saved model, in float64: what `edgeprop
// predict` prints, on this machine, without a board. Parameters are laid out
// as the module's region 0 (docs/protocol.md §4.3): per layer the weight
// matrix [out][in] row-major, then the bias.
// A model with "normalization" takes raw inputs: each is z-scored first,
// exactly as the module and the exported header do (host/data/normalization.ts).
import type { ModelFile } from "./model-file.js";
import { activate } from "./activations.js";
import { normalizeValue } from "../data/normalization.js";

/** The outputs of the model for `rows` rows of raw inputs `x`: raw outputs (logits for ce/bce). */
export function forward(m: Pick<ModelFile, "sizes" | "activations" | "weights" | "normalization">, x: Float32Array, rows: number): Float32Array {
  const nIn = m.sizes[0], nOut = m.sizes[m.sizes.length - 1];
  const out = new Float32Array(rows * nOut);
  let cur = new Float64Array(Math.max(...m.sizes)), next = new Float64Array(cur.length);
  for (let r = 0; r < rows; r++) {
    const z = m.normalization;
    for (let i = 0; i < nIn; i++) cur[i] = z ? normalizeValue(x[r * nIn + i], z.mean[i], z.std[i]) : x[r * nIn + i];
    let p = 0;
    for (let l = 1; l < m.sizes.length; l++) {
      const a = m.sizes[l - 1], b = m.sizes[l];
      const bias = p + a * b;
      for (let j = 0; j < b; j++) {
        let s = m.weights[bias + j];
        for (let i = 0; i < a; i++) s += m.weights[p + j * a + i] * cur[i];
        next[j] = activate(m.activations[l - 1], s);
      }
      p = bias + b;
      [cur, next] = [next, cur];
    }
    for (let k = 0; k < nOut; k++) out[r * nOut + k] = cur[k];
  }
  return out;
}
