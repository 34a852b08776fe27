// Built-in data sets: deterministic generators and a checked copy of Iris.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DATASETS, makeDataset } from "../../host/data/datasets";
import { readCsv } from "../../host/data/csv";
import { jsonLines, ok, root, run, tmp } from "./util";

describe("data sets", () => {
  it("generators are deterministic for a seed and differ across seeds", () => {
    for (const d of DATASETS) {
      const a = makeDataset(d.name, 7), b = makeDataset(d.name, 7);
      expect(a.rows).toBe(d.rows);
      expect(a.nIn).toBe(d.inputs);
      expect(Buffer.from(a.x.buffer)).toEqual(Buffer.from(b.x.buffer));
      expect(Buffer.from(a.t.buffer)).toEqual(Buffer.from(b.t.buffer));
      expect(a.x.every(Number.isFinite) && a.t.every(Number.isFinite)).toBe(true);
      if (d.name !== "iris") expect(Buffer.from(makeDataset(d.name, 8).x.buffer)).not.toEqual(Buffer.from(a.x.buffer));
    }
  });

  it("the CLI writes the same CSV twice; randn is the course's 10 -> 1 regression", () => {
    const dir = tmp();
    ok(["datasets", "--write", "randn", "--out", join(dir, "a.csv")]);
    ok(["datasets", "--write", "randn", "--out", join(dir, "b.csv")]);
    expect(readFileSync(join(dir, "a.csv"), "utf8")).toBe(readFileSync(join(dir, "b.csv"), "utf8"));
    const t = readCsv(join(dir, "a.csv"));
    expect(t.rows).toBe(1000);
    expect(t.columns).toEqual(["x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "y"]);
    // inputs ~ N(0, 1)
    let s = 0, s2 = 0;
    for (let r = 0; r < t.rows; r++) for (let c = 0; c < 10; c++) { const v = t.values[r * 11 + c]; s += v; s2 += v * v; }
    expect(Math.abs(s / 10000)).toBeLessThan(0.05);
    expect(Math.abs(s2 / 10000 - 1)).toBeLessThan(0.05);
  });

  it("spiral has 3 classes of 100, xor is 0/1", () => {
    const sp = makeDataset("spiral");
    expect([0, 1, 2].map((k) => sp.t.filter((v) => v === k).length)).toEqual([100, 100, 100]);
    const x = makeDataset("xor");
    expect(x.t.every((v) => v === 0 || v === 1)).toBe(true);
  });

  it("iris: 150 rows, 50 per class, Fisher's per-class means", () => {
    const t = readCsv(join(root, "data", "iris.csv"));
    expect(t.rows).toBe(150);
    expect(t.columns).toEqual(["sepal_length", "sepal_width", "petal_length", "petal_width", "species"]);
    const means = [0, 1, 2].map((k) => {
      const rows = [...Array(t.rows).keys()].filter((r) => t.values[r * 5 + 4] === k);
      expect(rows).toHaveLength(50);
      return [0, 1, 2, 3].map((c) => rows.reduce((s, r) => s + t.values[r * 5 + c], 0) / 50);
    });
    const want = [[5.006, 3.428, 1.462, 0.246], [5.936, 2.770, 4.260, 1.326], [6.588, 2.974, 5.552, 2.026]];
    // The table holds float32 (csv.ts): the means of the file's values to float32's precision.
    means.forEach((m, k) => m.forEach((v, c) => expect(v).toBeCloseTo(want[k][c], 6)));
    expect(readFileSync(join(root, "data", "README.md"), "utf8")).toMatch(/CC BY 4\.0/);
  });

  it("edgeprop datasets lists them; sim --dataset picks the suggested model", () => {
    const list = ok(["datasets"]).stdout;
    for (const d of DATASETS) expect(list).toContain(d.name);
    expect(jsonLines(ok(["datasets", "--json"]).stdout).map((d) => d.name)).toEqual(DATASETS.map((d) => d.name));
    const r = ok(["sim", "--dataset", "spiral", "--opt", "adam", "--lr", "0.01", "--epochs", "2", "--json"]);
    expect(jsonLines(r.stdout).filter((e) => e.event === "epoch")).toHaveLength(2);
    const bad = run(["sim", "--dataset", "spirl"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/did you mean spiral/);
    const both = run(["sim", "--dataset", "xor", "--data", "x.csv"]);
    expect(both.code).toBe(2);
    expect(both.stderr.trim().split("\n")).toHaveLength(1);
  });
});
