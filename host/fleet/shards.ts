// How `fleet sim` deals one data set out to N clients, seeded (the same
// flags give the same shards):
//   iid          the rows shuffled, then cut into N near-equal parts;
//   dirichlet:A  label skew as in Hsu et al. 2019 (and Flower's
//                DirichletPartitioner): for each class, the shares of the N
//                clients drawn from Dirichlet(A, ..., A) and its rows cut
//                accordingly; a small A gives each client few classes. Needs
//                class labels (ce: the class index; bce: target >= 0.5).
//   by:COLUMN    a natural partition (Flower's NaturalIdPartitioner): one
//                client per value of the column (a machine, a person, a
//                site), holding every row with that value. The column may be
//                an input, the target, or a column left out (--drop).
// A client may get no rows under a strong skew: it is left out (shardRows says so).
import type { Dataset } from "../data/dataset.js";
import { mulberry32 } from "../data/rng.js";
import { UsageError } from "../errors.js";

export type Split = { kind: "iid" } | { kind: "dirichlet"; alpha: number } | { kind: "by"; column: string };

export function parseSplit(text: string): Split {
  if (text === "iid") return { kind: "iid" };
  if (text.startsWith("by:")) {
    const column = text.slice(3);
    if (column.trim() === "") throw new UsageError(`--split ${text.slice(0, 40)}: expected by:COLUMN, a column of the data file`);
    return { kind: "by", column };
  }
  const m = /^dirichlet:([0-9]*\.?[0-9]+(?:e[-+]?[0-9]+)?)$/i.exec(text);
  const alpha = m ? Number(m[1]) : NaN;
  if (!m || !(alpha > 0) || !Number.isFinite(alpha)) throw new UsageError(`--split ${text.slice(0, 40)}: expected iid, dirichlet:ALPHA (ALPHA > 0, e.g. dirichlet:0.5) or by:COLUMN`);
  return { kind: "dirichlet", alpha };
}

/** by:COLUMN's shards: the value of each row -> the rows with it (ascending), the values in natural order ("2" before "10"). */
export function shardsByValue(values: readonly string[]): { value: string; rows: number[] }[] {
  const byValue = new Map<string, number[]>();
  values.forEach((v, r) => {
    const list = byValue.get(v) ?? [];
    list.push(r);
    byValue.set(v, list);
  });
  return [...byValue.keys()].sort((a, b) => a.localeCompare(b, "en", { numeric: true }))
    .map((value) => ({ value, rows: byValue.get(value) ?? [] }));
}

/** Row indices of each of `n` clients (each ascending); iid and dirichlet (by:COLUMN is shardsByValue). */
export function shardRows(data: Dataset, n: number, split: Split, seed: number, loss: string): number[][] {
  if (split.kind === "by") throw new Error("shardRows: by:COLUMN shards by the column's values (shardsByValue)");
  const rand = mulberry32(seed ^ 0x5eed5eed);
  const shards: number[][] = Array.from({ length: n }, () => []);
  if (split.kind === "iid") {
    const order = shuffled(data.rows, rand);
    for (let c = 0; c < n; c++) {
      const from = Math.floor((c * data.rows) / n), to = Math.floor(((c + 1) * data.rows) / n);
      shards[c]?.push(...order.slice(from, to));
    }
  } else {
    if (loss !== "ce" && loss !== "bce") throw new UsageError("--split dirichlet:ALPHA deals out rows by class: it needs --loss ce or bce");
    const byClass = new Map<number, number[]>();
    for (let r = 0; r < data.rows; r++) {
      const label = loss === "ce" ? (data.t[r * data.nT] ?? 0) : (data.t[r * data.nT] ?? 0) >= 0.5 ? 1 : 0;
      const list = byClass.get(label) ?? [];
      list.push(r);
      byClass.set(label, list);
    }
    for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
      const rows = byClass.get(label) ?? [];
      const order = shuffled(rows.length, rand).map((i) => rows[i] as number);
      const shares = dirichlet(n, split.alpha, rand);
      let cum = 0, from = 0;
      for (let c = 0; c < n; c++) {
        cum += shares[c] ?? 0;
        const to = c === n - 1 ? order.length : Math.min(order.length, Math.round(cum * order.length));
        shards[c]?.push(...order.slice(from, to));
        from = Math.max(from, to);
      }
    }
  }
  return shards.map((s) => s.sort((a, b) => a - b));
}

/** The rows `rows` of `data`, in that order, as a data set of their own. */
export function subset(data: Dataset, rows: readonly number[], name: string): Dataset {
  const x = new Float32Array(rows.length * data.nIn), t = new Float32Array(rows.length * data.nT);
  rows.forEach((r, i) => {
    x.set(data.x.subarray(r * data.nIn, (r + 1) * data.nIn), i * data.nIn);
    t.set(data.t.subarray(r * data.nT, (r + 1) * data.nT), i * data.nT);
  });
  return { ...data, name, rows: rows.length, x, t };
}

function shuffled(n: number, rand: () => number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i] as number; a[i] = a[j] as number; a[j] = t;
  }
  return a;
}

/** One draw of Dirichlet(alpha, ..., alpha) over n: normalized Gamma(alpha) draws (Marsaglia-Tsang; boosted for alpha < 1). */
function dirichlet(n: number, alpha: number, rand: () => number): number[] {
  const g = Array.from({ length: n }, () => gamma(alpha, rand));
  const s = g.reduce((a, b) => a + b, 0);
  return s > 0 ? g.map((v) => v / s) : g.map(() => 1 / n);
}

function gamma(alpha: number, rand: () => number): number {
  if (alpha < 1) return gamma(alpha + 1, rand) * Math.pow(1 - rand(), 1 / alpha);
  const d = alpha - 1 / 3, c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    do {
      // Box-Muller: a standard normal from two uniforms.
      x = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rand();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}
