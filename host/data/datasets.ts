// Built-in data sets for `--dataset NAME`: the course's regression and a few
// classic toy problems, generated from a seed (same seed, same rows, on every
// machine), plus Fisher's Iris from data/iris.csv. Each names the model that
// suits it, used when --layers/--loss are not given.
import { existsSync } from "node:fs";
import type { Dataset } from "./dataset.js";
import { readCsv } from "./csv.js";
import { splitTable } from "./dataset.js";
import { UsageError } from "../errors.js";
import { closest } from "../text/closest.js";
import { packagePath } from "../files/package-path.js";
import { mulberry32 } from "./rng.js";

export interface DatasetInfo {
  name: string;
  summary: string;
  rows: number;
  inputs: number;
  task: string;
  source: string;
  /** The model and settings that suit it (used when the flags don't say). */
  layers: string;
  act: string;
  loss: "mse" | "ce" | "bce";
  opt: string;
  lr: number;
  batch: string;
  epochs: number;
  make(seed: number): Dataset;
}

/** Standard normal numbers from a seeded uniform generator (Box-Muller). */
export function randn(seed: number): () => number {
  const u = mulberry32(seed);
  let spare: number | null = null;
  return () => {
    if (spare !== null) { const s = spare; spare = null; return s; }
    let a = u();
    while (a <= 1e-12) a = u();
    const b = u();
    const r = Math.sqrt(-2 * Math.log(a));
    spare = r * Math.sin(2 * Math.PI * b);
    return r * Math.cos(2 * Math.PI * b);
  };
}

function build(name: string, rows: number, nIn: number, nT: number, inputNames: string[], targetNames: string[],
  fill: (x: Float32Array, t: Float32Array) => void): Dataset {
  const x = new Float32Array(rows * nIn), t = new Float32Array(rows * nT);
  fill(x, t);
  return { name, rows, nIn, nT, x, t, inputNames, targetNames };
}

const xs = (n: number) => Array.from({ length: n }, (_, i) => `x${i}`);

/** The course's regression: y = x . w_true + 0.1 noise, x ~ N(0, 1), 10 inputs, 1000 rows. */
export function makeRandn(seed: number, rows = 1000, nIn = 10): Dataset {
  const g = randn(seed);
  const w = Array.from({ length: nIn }, () => g());
  return build("randn", rows, nIn, 1, xs(nIn), ["y"], (x, t) => {
    for (let r = 0; r < rows; r++) {
      let y = 0;
      for (let i = 0; i < nIn; i++) { const v = g(); x[r * nIn + i] = v; y += v * w[i]; }
      t[r] = y + 0.1 * g();
    }
  });
}

/** Two noisy inputs in [-1, 1); target 1 when their signs differ (XOR of the signs). */
export function makeXor(seed: number, rows = 400): Dataset {
  const u = mulberry32(seed);
  return build("xor", rows, 2, 1, ["x0", "x1"], ["y"], (x, t) => {
    for (let r = 0; r < rows; r++) {
      const a = 2 * u() - 1, b = 2 * u() - 1;
      x[2 * r] = a; x[2 * r + 1] = b;
      t[r] = (a > 0) !== (b > 0) ? 1 : 0;
    }
  });
}

/** CS231n's three-armed spiral: 100 points per class, class label 0..2. */
export function makeSpiral(seed: number, perClass = 100, classes = 3): Dataset {
  const g = randn(seed);
  const rows = perClass * classes;
  return build("spiral", rows, 2, 1, ["x0", "x1"], ["label"], (x, t) => {
    for (let k = 0; k < classes; k++) {
      for (let i = 0; i < perClass; i++) {
        const r = k * perClass + i;
        const radius = i / (perClass - 1);
        const theta = k * 4 + (4 * i) / (perClass - 1) + 0.2 * g();
        x[2 * r] = radius * Math.sin(theta);
        x[2 * r + 1] = radius * Math.cos(theta);
        t[r] = k;
      }
    }
  });
}

/** y = sin(x) + 0.05 noise, x uniform in [-pi, pi). */
export function makeSine(seed: number, rows = 500): Dataset {
  const u = mulberry32(seed);
  const g = randn(seed ^ 0x5bd1e995);
  return build("sine", rows, 1, 1, ["x"], ["y"], (x, t) => {
    for (let r = 0; r < rows; r++) {
      const v = (2 * u() - 1) * Math.PI;
      x[r] = v;
      t[r] = Math.sin(v) + 0.05 * g();
    }
  });
}

/** A file of the package's data/ (beside host/ and dist/). */
export function dataPath(file: string): string {
  const p = packagePath("data", file);
  if (!existsSync(p)) throw new UsageError(`cannot find data/${file} in the edgeprop package`);
  return p;
}

export function makeIris(): Dataset {
  const table = readCsv(dataPath("iris.csv"));
  return { ...splitTable(table, "species"), name: "iris" };
}

export const DATASETS: DatasetInfo[] = [
  {
    name: "randn", summary: "the course's regression: y = x.w_true + noise, x ~ N(0,1)", rows: 1000, inputs: 10,
    task: "regression (mse)", source: "generated (seeded)", layers: "10,1", act: "relu", loss: "mse", opt: "sgd", lr: 0.01,
    batch: "100", epochs: 20, make: (s) => makeRandn(s),
  },
  {
    name: "xor", summary: "two inputs in [-1,1); 1 when their signs differ", rows: 400, inputs: 2,
    task: "binary classification (bce)", source: "generated (seeded)", layers: "2,16,1", act: "relu", loss: "bce", opt: "adam", lr: 0.01,
    batch: "32", epochs: 50, make: (s) => makeXor(s),
  },
  {
    name: "spiral", summary: "three interleaved spiral arms (CS231n)", rows: 300, inputs: 2,
    task: "3-class classification (ce)", source: "generated (seeded)", layers: "2,32,3", act: "relu", loss: "ce", opt: "adam", lr: 0.01,
    batch: "32", epochs: 50, make: (s) => makeSpiral(s),
  },
  {
    name: "sine", summary: "y = sin(x) + noise on [-pi, pi)", rows: 500, inputs: 1,
    task: "regression (mse)", source: "generated (seeded)", layers: "1,32,1", act: "relu", loss: "mse", opt: "adam", lr: 0.01,
    batch: "32", epochs: 100, make: (s) => makeSine(s),
  },
  {
    name: "iris", summary: "Fisher's Iris: 4 flower measurements (cm), 3 species", rows: 150, inputs: 4,
    task: "3-class classification (ce)", source: "data/iris.csv: Fisher (1936), UCI ML Repository, CC BY 4.0", layers: "4,16,3", act: "relu", loss: "ce", opt: "adam", lr: 0.01,
    batch: "16", epochs: 100, make: () => makeIris(),
  },
];

export function findDataset(name: string): DatasetInfo {
  const d = DATASETS.find((x) => x.name === name);
  if (!d) {
    const guess = closest(name, DATASETS.map((x) => x.name));
    throw new UsageError(`--dataset ${name}: expected one of ${DATASETS.map((x) => x.name).join(", ")}${guess ? ` (did you mean ${guess}?)` : ""}`);
  }
  return d;
}

export function makeDataset(name: string, seed = 1): Dataset {
  return findDataset(name).make(seed);
}

/** The dataset as CSV text (header row, then the rows), for `edgeprop datasets --write`. */
export function datasetCsv(d: Dataset): string {
  const lines = [[...d.inputNames, ...d.targetNames].join(",")];
  for (let r = 0; r < d.rows; r++) {
    const row: number[] = [];
    for (let i = 0; i < d.nIn; i++) row.push(d.x[r * d.nIn + i]);
    for (let i = 0; i < d.nT; i++) row.push(d.t[r * d.nT + i]);
    lines.push(row.join(","));
  }
  return lines.join("\n") + "\n";
}
