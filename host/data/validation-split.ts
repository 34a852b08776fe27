// --val-split F: held-out rows taken from the training data, deterministic
// from the seed. For ce the split is stratified: each class gives
// round(F x its rows) rows (at least one when it has two or more), so the
// validation rows have the training rows' class mix. Otherwise round(F x rows)
// rows. Which rows: a seeded Fisher-Yates order of each class's rows (of all
// rows), the first ones taken; both parts keep the file's row order.
import type { Dataset } from "./dataset.js";
import type { LossName } from "../model/config.js";
import { UsageError } from "../errors.js";
import { mulberry32 } from "./rng.js";

/** Keeps the split's random stream apart from the epoch shuffles' (shuffle.ts) for the same --seed. */
const SPLIT_STREAM = 0x5a17_c0de;

export interface SplitData {
  train: Dataset;
  validation: Dataset;
}

/** The rows of `d` at `rows` (ascending), as a data set of their own named `name`. */
export function pickRows(d: Dataset, rows: number[], name: string): Dataset {
  const x = new Float32Array(rows.length * d.nIn), t = new Float32Array(rows.length * d.nT);
  rows.forEach((r, i) => {
    x.set(d.x.subarray(r * d.nIn, (r + 1) * d.nIn), i * d.nIn);
    t.set(d.t.subarray(r * d.nT, (r + 1) * d.nT), i * d.nT);
  });
  return { ...d, name, rows: rows.length, x, t };
}

/** How many of `n` rows a fraction holds out. */
function heldOut(n: number, fraction: number, stratum: boolean): number {
  const k = Math.round(n * fraction);
  return stratum && k === 0 && n >= 2 && fraction > 0 ? 1 : k;
}

/** The validation rows (ascending) of a split of `d` by `fraction`, seeded by `seed`. */
export function validationRows(d: Dataset, fraction: number, seed: number, loss: LossName): number[] {
  const rand = mulberry32((seed ^ SPLIT_STREAM) >>> 0);
  const strata = new Map<number, number[]>();
  for (let r = 0; r < d.rows; r++) {
    const key = loss === "ce" ? d.t[r * d.nT] : 0;
    const list = strata.get(key);
    if (list) list.push(r); else strata.set(key, [r]);
  }
  const picked: number[] = [];
  for (const key of [...strata.keys()].sort((a, b) => a - b)) {
    const rows = strata.get(key)!;
    for (let i = rows.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      const tmp = rows[i]; rows[i] = rows[j]; rows[j] = tmp;
    }
    picked.push(...rows.slice(0, heldOut(rows.length, fraction, loss === "ce")));
  }
  return picked.sort((a, b) => a - b);
}

/** Splits `d` into training and validation rows; refused (exit 2) when either part would be empty. */
export function splitValidation(d: Dataset, fraction: number, seed: number, loss: LossName): SplitData {
  const held = validationRows(d, fraction, seed, loss);
  if (held.length === 0) {
    throw new UsageError(`--val-split ${fraction}: holds out no row of the ${d.rows} in ${d.name} (give a larger fraction or --val FILE.csv)`);
  }
  if (held.length >= d.rows) throw new UsageError(`--val-split ${fraction}: leaves no training row of the ${d.rows} in ${d.name}`);
  const isHeld = new Uint8Array(d.rows);
  for (const r of held) isHeld[r] = 1;
  const kept: number[] = [];
  for (let r = 0; r < d.rows; r++) if (!isHeld[r]) kept.push(r);
  return { train: pickRows(d, kept, d.name), validation: pickRows(d, held, `${d.name} (validation split ${fraction})`) };
}
