import { describe, expect, it } from "vitest";
import { scaleWarning } from "./scale-warning";
import type { Dataset } from "./dataset";

const data = (cols: number[][], names: string[]): Dataset => {
  const rows = cols[0].length, nIn = cols.length;
  const x = new Float32Array(rows * nIn);
  for (let r = 0; r < rows; r++) cols.forEach((c, i) => { x[r * nIn + i] = c[r]; });
  return { name: "t.csv", rows, nIn, nT: 1, x, t: new Float32Array(rows), inputNames: names, targetNames: ["y"] };
};

describe("scaleWarning", () => {
  it("names the widest and narrowest columns when their stds differ more than 10-fold", () => {
    const w = scaleWarning(data([[100, 300, 500, 700], [0.1, 0.2, 0.3, 0.4], [1, 2, 3, 4]], ["proline", "hue", "alcohol"]));
    expect(w).toMatch(/scales differ 2000-fold \(std of proline 224, of hue 0\.112\).*--normalize/);
  });

  it("is silent for similar scales and ignores constant columns", () => {
    expect(scaleWarning(data([[1, 2, 3, 4], [2, 4, 6, 8], [5, 5, 5, 5]], ["a", "b", "c"]))).toBeNull();
  });
});
