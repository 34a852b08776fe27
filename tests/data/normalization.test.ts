// host/data/normalization.ts: the statistics are Keras Normalization's (mean,
// population std, std 0 -> 1), the normalised input is exactly float32
// (x - mean) / std (checked against WebAssembly's f32.sub and f32.div, the
// module's own arithmetic), and scaleWarning names the inputs far apart.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { readCsv } from "../../host/data/csv";
import { splitTable } from "../../host/data/dataset";
import { normalizeRows, normalizeValue, scaleWarning, zscoreStats } from "../../host/data/normalization";
import { repoRoot } from "../helpers/paths";
import { rng } from "../helpers/rng";

/** (func (param f32 f32 f32) (result f32) (f32.div (f32.sub x mean) std)), as WebAssembly bytes. */
const F32_NORMALIZE_WASM = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7d, 0x7d, 0x7d, 0x01, 0x7d, // type: (f32, f32, f32) -> f32
  0x03, 0x02, 0x01, 0x00, // one function of that type
  0x07, 0x05, 0x01, 0x01, 0x6e, 0x00, 0x00, // export "n"
  0x0a, 0x0c, 0x01, 0x0a, 0x00, 0x20, 0x00, 0x20, 0x01, 0x93, 0x20, 0x02, 0x95, 0x0b, // local.get 0 1 f32.sub, local.get 2 f32.div
]);

describe("z-score statistics", () => {
  it("mean and population std (divide by n), as float32; a constant column gets std 1", () => {
    const z = zscoreStats({ x: Float32Array.from([1, 5, 2, 5, 3, 5, 4, 5]), rows: 4, nIn: 2 });
    expect(z.mean).toEqual([2.5, 5]);
    expect(z.std).toEqual([Math.fround(Math.sqrt(1.25)), 1]);
  });

  it("on the wine data: Welford's float64 accumulation gives the two-pass float64 statistics, rounded to float32", () => {
    const d = splitTable(readCsv(join(repoRoot, "data", "wine.csv")));
    const z = zscoreStats(d);
    for (let i = 0; i < d.nIn; i++) {
      let s = 0;
      for (let r = 0; r < d.rows; r++) s += d.x[r * d.nIn + i];
      const mean = s / d.rows;
      let ss = 0;
      for (let r = 0; r < d.rows; r++) ss += (d.x[r * d.nIn + i] - mean) ** 2;
      expect(z.mean[i], d.inputNames[i]).toBe(Math.fround(mean));
      expect(z.std[i], d.inputNames[i]).toBe(Math.fround(Math.sqrt(ss / d.rows)));
    }
    expect(z.mean[12]).toBeCloseTo(746.8933, 3);
    expect(z.std[12]).toBeCloseTo(314.0217, 3);
  });
});

describe("the normalised input is float32 arithmetic", () => {
  it("normalizeValue equals WebAssembly f32.sub then f32.div bit for bit, across magnitudes", async () => {
    const { instance } = await WebAssembly.instantiate(F32_NORMALIZE_WASM);
    const f32 = instance.exports.n as (x: number, m: number, s: number) => number;
    const r = rng(17);
    const scale = () => 10 ** Math.floor(r() * 16 - 8);
    let different = 0;
    for (let k = 0; k < 100_000; k++) {
      const x = Math.fround((r() * 2 - 1) * scale()), mean = Math.fround((r() * 2 - 1) * scale()), std = Math.fround(r() * scale() + 1e-30);
      const want = f32(x, mean, std);
      if (!Object.is(normalizeValue(x, mean, std), want)) different++;
      // and it is not plain float64 arithmetic
      if (k < 10) expect(normalizeValue(x, mean, std)).toBe(Math.fround(want));
    }
    expect(different).toBe(0);
    expect(normalizeValue(0.1, 0.3, 0.7)).not.toBe((0.1 - 0.3) / 0.7);
  });

  it("normalizeRows applies each column's statistics", () => {
    const out = normalizeRows(Float32Array.from([1, 10, 3, 30]), 2, { mean: [2, 20], std: [1, 10] });
    expect(Array.from(out)).toEqual([-1, -1, 1, 1]);
  });
});

describe("scaleWarning", () => {
  it("wine: spreads 2530-fold apart and alcohol 16 stds from 0, named exactly", () => {
    const d = splitTable(readCsv(join(repoRoot, "data", "wine.csv")));
    expect(scaleWarning({ ...d, name: "wine.csv" })).toBe(
      "wine.csv: input spreads differ 2530-fold (std of 'proline' 314, of 'nonflavanoid_phenols' 0.124); " +
      "'alcohol' has mean 13, 16 stds from 0: training is slower and less accurate on such inputs; --normalize z-scores them (stored in the model)");
  });

  it("nothing to say about iris, or about a constant column beside well-scaled ones", () => {
    expect(scaleWarning(splitTable(readCsv(join(repoRoot, "data", "iris.csv"))))).toBeNull();
    const x = Float32Array.from([0.5, 7, -1, 7, 0.2, 7, 1.5, 7]);
    expect(scaleWarning({ x, rows: 4, nIn: 2, inputNames: ["a", "b"], name: "c.csv" })).toBeNull();
  });

  it("inputs far from 0 alone", () => {
    const x = Float32Array.from([1000, 0.5, 1001, -0.5, 1002, 0.25]);
    expect(scaleWarning({ x, rows: 3, nIn: 2, inputNames: ["year", "b"], name: "y.csv" })).toBe(
      "y.csv: 'year' has mean 1000, 1226 stds from 0: training is slower and less accurate on such inputs; --normalize z-scores them (stored in the model)");
  });
});
