// data/wine.csv is the UCI Wine data with text class labels (data/README.md):
// the checks that say it is that data set, read by the CSV reader.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readCsv } from "../../host/data/csv";
import { splitTable } from "../../host/data/dataset";
import { repoRoot } from "../helpers/paths";

describe("data/wine.csv", () => {
  it("178 wines, 13 measurements, classes class_0..class_2 with 59/71/48 rows; scikit-learn's column means", () => {
    const d = splitTable(readCsv(join(repoRoot, "data", "wine.csv")));
    expect(d.rows).toBe(178);
    expect(d.inputNames).toEqual(["alcohol", "malic_acid", "ash", "alcalinity_of_ash", "magnesium", "total_phenols", "flavanoids",
      "nonflavanoid_phenols", "proanthocyanins", "color_intensity", "hue", "od280/od315_of_diluted_wines", "proline"]);
    expect(d.targetNames).toEqual(["class"]);
    expect(d.classes).toEqual(["class_0", "class_1", "class_2"]);
    expect([0, 1, 2].map((k) => d.t.filter((v) => v === k).length)).toEqual([59, 71, 48]);
    const mean = (i: number) => { let s = 0; for (let r = 0; r < d.rows; r++) s += d.x[r * 13 + i]; return s / d.rows; };
    expect(mean(0)).toBeCloseTo(13.0006, 4);
    expect(mean(4)).toBeCloseTo(99.7416, 4);
    expect(mean(12)).toBeCloseTo(746.8933, 4);
    const readme = readFileSync(join(repoRoot, "data", "README.md"), "utf8");
    expect(readme).toMatch(/## wine\.csv[\s\S]*UCI Machine Learning Repository[\s\S]*CC BY 4\.0/);
  });
});
