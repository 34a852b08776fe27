// Benchmark workloads shared by every peer (docs/benchmarks.md, "Workloads").
//
// Data generation is deterministic and dependency-free so that every tool
// (JavaScript, C, TensorFlow.js, edgeprop itself) trains on bit-identical data.
//
// PRNG: mulberry32 (32-bit state, one uint32 per call), seeded with `seed >>> 0`.
//   u = next() / 2^32                     in [0, 1)
//   uniform [-1, 1): Math.fround(2*u - 1)   (computed in double, rounded once to float32)
//   class label:     Math.floor(u * classes)
// Order of draws: first all inputs x, row-major (row 0: x0..x{n-1}, row 1: ...),
// then all targets, row-major (mse: rows*out values uniform [-1, 1); ce: rows labels).
// bench/peers/plain.c ports the same generator (keep the two in sync).

import { writeFileSync } from 'node:fs';

export const WORKLOADS = [
  {
    name: 'P1-seed-minibatch', id: 'P1', layers: [10, 1], act: 'identity', loss: 'mse',
    optimizer: { name: 'sgd', lr: 0.01 }, batch: 100, rows: 1000, epochs: 100,
  },
  {
    name: 'P2-mlp-small', id: 'P2', layers: [16, 32, 32, 4], act: 'relu', loss: 'ce',
    optimizer: { name: 'adam', lr: 0.001 }, batch: 32, rows: 2048, epochs: 20,
  },
  {
    name: 'P3-mlp-wide', id: 'P3', layers: [64, 128, 64, 10], act: 'relu', loss: 'ce',
    optimizer: { name: 'adam', lr: 0.001 }, batch: 32, rows: 4096, epochs: 5,
  },
];

/** Look a workload up by short id ('P2', 'p2') or full name ('P2-mlp-small'). */
export function getWorkload(key) {
  const k = String(key).toLowerCase();
  const w = WORKLOADS.find((w) => w.id.toLowerCase() === k || w.name.toLowerCase() === k);
  if (!w) throw new Error(`unknown workload '${key}' (known: ${WORKLOADS.map((w) => w.id + '|' + w.name).join(', ')})`);
  return w;
}

/** mulberry32: returns a function yielding uint32 values. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Uniform float in [0, 1) from a mulberry32 stream. */
export function uniform01(next) {
  return next() / 4294967296;
}

/**
 * Deterministic data for a workload.
 * Returns {x: Float32Array(rows*in), y: Float32Array} where y holds rows*out
 * targets for mse, or rows class indices (as floats) for ce.
 */
export function makeData(workload, seed = 1) {
  const nIn = workload.layers[0];
  const nOut = workload.layers[workload.layers.length - 1];
  const rows = workload.rows;
  const next = mulberry32(seed);
  const x = new Float32Array(rows * nIn);
  for (let i = 0; i < x.length; i++) x[i] = 2 * uniform01(next) - 1;
  let y;
  if (workload.loss === 'ce') {
    y = new Float32Array(rows);
    for (let r = 0; r < rows; r++) y[r] = Math.floor(uniform01(next) * nOut);
  } else {
    y = new Float32Array(rows * nOut);
    for (let i = 0; i < y.length; i++) y[i] = 2 * uniform01(next) - 1;
  }
  return { x, y };
}

/**
 * Write the workload's data (seed 1 unless given) as CSV: header x0..x{n-1},
 * then `y` (mse, one output) / `y0..yk` (mse, several outputs) or `label` (ce).
 * Floats are printed as the shortest decimal that round-trips the float32 value.
 */
export function writeCsv(workload, path, seed = 1) {
  const { x, y } = makeData(workload, seed);
  const nIn = workload.layers[0];
  const nOut = workload.layers[workload.layers.length - 1];
  const head = [];
  for (let i = 0; i < nIn; i++) head.push('x' + i);
  if (workload.loss === 'ce') head.push('label');
  else if (nOut === 1) head.push('y');
  else for (let k = 0; k < nOut; k++) head.push('y' + k);
  const lines = [head.join(',')];
  for (let r = 0; r < workload.rows; r++) {
    const cells = [];
    // Number(f32) of a Float32Array element is the exact float32 value; its
    // toString() is the shortest decimal that parses back to that double, hence
    // to the same float32.
    for (let i = 0; i < nIn; i++) cells.push(String(x[r * nIn + i]));
    if (workload.loss === 'ce') cells.push(String(y[r] | 0));
    else for (let k = 0; k < nOut; k++) cells.push(String(y[r * nOut + k]));
    lines.push(cells.join(','));
  }
  writeFileSync(path, lines.join('\n') + '\n');
}
