// Federated averaging (McMahan et al. 2017; Flower's FedAvg): the new global
// model is the average of the clients' models weighted by their example
// counts. The updates are summed in client-id order in float64 and rounded
// once to float32, so the result does not depend on the order they arrived
// in; n_i * w_i is exact in float64 (a 24-bit mantissa times a count under
// 2^24), which makes one client's model, or N identical ones, come back bit
// for bit.
//
// The norm bound: an update whose distance from the round's global model
// (L2, over all weights) exceeds `maxUpdateNorm` is left out (and named),
// so one hostile or diverged client cannot drag the model arbitrarily far.

export interface ClientUpdate {
  id: string;
  examples: number;
  weights: Float32Array;
}

export interface FedAvgResult {
  /** The new global model; the old one when no update was kept. */
  weights: Float32Array;
  /** The ids averaged, in the order they were summed. */
  used: string[];
  /** Updates left out by the norm bound, with their norm. */
  rejected: { id: string; norm: number }[];
}

/** L2 norm of a - b, in float64. */
export function updateNorm(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) { const d = (a[i] ?? 0) - (b[i] ?? 0); s += d * d; }
  return Math.sqrt(s);
}

function byId(a: ClientUpdate, b: ClientUpdate): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function fedAvg(global: Float32Array, updates: readonly ClientUpdate[], maxUpdateNorm: number): FedAvgResult {
  const sorted = [...updates].sort(byId);
  const sum = new Float64Array(global.length);
  let total = 0;
  const used: string[] = [];
  const rejected: { id: string; norm: number }[] = [];
  for (const u of sorted) {
    if (u.weights.length !== global.length) throw new Error(`update of ${u.id}: ${u.weights.length} weights, the model has ${global.length}`);
    const norm = updateNorm(u.weights, global);
    if (!(norm <= maxUpdateNorm)) { rejected.push({ id: u.id, norm }); continue; }
    for (let i = 0; i < sum.length; i++) sum[i] += u.examples * (u.weights[i] ?? 0);
    total += u.examples;
    used.push(u.id);
  }
  if (total === 0) return { weights: Float32Array.from(global), used, rejected };
  const weights = new Float32Array(global.length);
  for (let i = 0; i < weights.length; i++) weights[i] = (sum[i] ?? 0) / total;
  return { weights, used, rejected };
}
