// Unscaled inputs cost accuracy (issue 11: wine 82.9% raw, 97.1% z-scored):
// when the training inputs' standard deviations differ by more than
// SCALE_RATIO and --normalize is off, the run says so before it starts.
import type { Dataset } from "./dataset.js";
import { cut } from "./quote.js";

/** Largest / smallest column standard deviation above which a warning is given. */
export const SCALE_RATIO = 10;

/** The population standard deviation of each input column (float64). */
export function columnStds(d: Dataset): number[] {
  return Array.from({ length: d.nIn }, (_, i) => {
    let mean = 0;
    for (let r = 0; r < d.rows; r++) mean += d.x[r * d.nIn + i];
    mean /= d.rows;
    let v = 0;
    for (let r = 0; r < d.rows; r++) { const e = d.x[r * d.nIn + i] - mean; v += e * e; }
    return Math.sqrt(v / d.rows);
  });
}

/** The warning for inputs far apart in scale (constant columns aside), or null. */
export function scaleWarning(d: Dataset): string | null {
  if (d.rows < 2) return null;
  const stds = columnStds(d);
  const varying = stds.map((s, i) => [s, i] as const).filter(([s]) => s > 0);
  if (varying.length < 2) return null;
  const [lo, hi] = [varying.reduce((a, b) => (b[0] < a[0] ? b : a)), varying.reduce((a, b) => (b[0] > a[0] ? b : a))];
  const ratio = hi[0] / lo[0];
  if (ratio <= SCALE_RATIO) return null;
  const name = (i: number) => cut(d.inputNames[i] ?? `input ${i + 1}`, 30);
  return `the input columns' scales differ ${Math.round(ratio)}-fold (std of ${name(hi[1])} ${Number(hi[0].toPrecision(3))}, ` +
    `of ${name(lo[1])} ${Number(lo[0].toPrecision(3))}): unscaled inputs train worse; --normalize z-scores them with the training rows' statistics`;
}
