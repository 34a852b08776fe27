// Input z-scoring (--normalize): the statistics of a data set's input
// columns, and the one float32 definition of a normalised input that the
// host's forward pass, predict/eval, the exported C header and the module all
// compute, so they agree to the bit:
//   normalized = fround(fround(x - mean) / std)      (f32 sub, then f32 div)
// The statistics are Keras Normalization's: the mean and the population
// standard deviation (divide by n, not n - 1), accumulated in float64 with
// Welford's method and rounded to float32 once at the end.
import type { Dataset } from "./dataset.js";
import { cut } from "../text/quote.js";

export interface ZScore {
  /** float32 values, one per input. */
  mean: number[];
  /** float32 values > 0, one per input (a constant input gets 1). */
  std: number[];
}

/**
 * The mean and population std of each input column of `d`. A column whose
 * std is 0 in float32 (constant, or nearly) gets std 1: its inputs become
 * x - mean, never a division by 0.
 */
export function zscoreStats(d: Pick<Dataset, "x" | "rows" | "nIn">): ZScore {
  const { x, rows, nIn } = d;
  const mean = new Float64Array(nIn), m2 = new Float64Array(nIn);
  for (let r = 0; r < rows; r++) {
    const n = r + 1;
    for (let i = 0; i < nIn; i++) {
      const v = x[r * nIn + i];
      const delta = v - mean[i];
      mean[i] += delta / n;
      m2[i] += delta * (v - mean[i]);
    }
  }
  const std = Array.from(m2, (s) => {
    const f = Math.fround(Math.sqrt(rows > 0 ? s / rows : 0));
    return f > 0 && Number.isFinite(f) ? f : 1;
  });
  return { mean: Array.from(mean, (m) => Math.fround(m)), std };
}

/** One normalised input, exactly as float32 arithmetic gives it: fround(fround(x - mean) / std). */
export function normalizeValue(x: number, mean: number, std: number): number {
  return Math.fround(Math.fround(x - mean) / std);
}

/** `rows` rows of `nIn` raw inputs, normalised (a new array; `x` is left as it is). */
export function normalizeRows(x: Float32Array, nIn: number, z: ZScore): Float32Array {
  const out = new Float32Array(x.length);
  for (let k = 0; k < x.length; k++) {
    const i = k % nIn;
    out[k] = normalizeValue(x[k], z.mean[i], z.std[i]);
  }
  return out;
}

/** Inputs whose spreads differ by more than this factor are "far apart in scale". */
export const SCALE_RATIO_LIMIT = 100;
/** A mean this many stds away from 0 means the input sits far from where the first layer's weights start. */
export const OFFSET_LIMIT = 10;

/**
 * A one-line warning when the inputs of `d` are far apart in scale (largest
 * std over smallest > SCALE_RATIO_LIMIT) or far from 0 (|mean| > OFFSET_LIMIT
 * stds): such inputs train poorly without --normalize. Null when they are fine.
 */
export function scaleWarning(d: Pick<Dataset, "x" | "rows" | "nIn" | "inputNames" | "name">): string | null {
  if (d.rows < 2 || d.nIn < 1) return null;
  const z = zscoreStats(d);
  const spread = z.std.map((s, i) => ({ s, i })).filter(({ i }) => !isConstant(d, i));
  const problems: string[] = [];
  if (spread.length >= 2) {
    const lo = spread.reduce((a, b) => (b.s < a.s ? b : a)), hi = spread.reduce((a, b) => (b.s > a.s ? b : a));
    if (hi.s / lo.s > SCALE_RATIO_LIMIT) {
      problems.push(`input spreads differ ${formatRatio(hi.s / lo.s)}-fold (std of '${cut(d.inputNames[hi.i], 30)}' ${fmt(hi.s)}, ` +
        `of '${cut(d.inputNames[lo.i], 30)}' ${fmt(lo.s)})`);
    }
  }
  const off = spread.map(({ i }) => ({ i, k: Math.abs(z.mean[i]) / z.std[i] })).reduce((a, b) => (b.k > a.k ? b : a), { i: -1, k: 0 });
  if (off.i >= 0 && off.k > OFFSET_LIMIT) {
    problems.push(`'${cut(d.inputNames[off.i], 30)}' has mean ${fmt(z.mean[off.i])}, ${formatRatio(off.k)} stds from 0`);
  }
  if (problems.length === 0) return null;
  return `${d.name}: ${problems.join("; ")}: training is slower and less accurate on such inputs; --normalize z-scores them (stored in the model)`;
}

function isConstant(d: Pick<Dataset, "x" | "rows" | "nIn">, i: number): boolean {
  const first = d.x[i];
  for (let r = 1; r < d.rows; r++) if (d.x[r * d.nIn + i] !== first) return false;
  return true;
}

const fmt = (v: number) => String(Number(v.toPrecision(3)));
const formatRatio = (v: number) => (v >= 1e6 ? v.toExponential(1) : String(Math.round(v)));
