import { describe, expect, it } from "vitest";
import { splitValidation, validationRows } from "./validation-split";
import { makeIris, makeRandn } from "./datasets";

describe("--val-split", () => {
  it("ce: stratified, each class gives round(F x its rows); deterministic from the seed; both parts keep file order", () => {
    const iris = makeIris(); // 50 rows of each of 3 classes
    const held = validationRows(iris, 0.2, 1, "ce");
    expect(held).toHaveLength(30);
    const perClass = [0, 1, 2].map((k) => held.filter((r) => iris.t[r] === k).length);
    expect(perClass).toEqual([10, 10, 10]);
    expect(validationRows(iris, 0.2, 1, "ce")).toEqual(held);
    expect(validationRows(iris, 0.2, 2, "ce")).not.toEqual(held);
    expect([...held].sort((a, b) => a - b)).toEqual(held);
    const { train, validation } = splitValidation(iris, 0.2, 1, "ce");
    expect(train.rows).toBe(120);
    expect(validation.rows).toBe(30);
    // the validation rows are the held rows, in file order; the training rows the others
    expect(Array.from(validation.x.subarray(0, 4))).toEqual(Array.from(iris.x.subarray(held[0] * 4, held[0] * 4 + 4)));
    const firstKept = [...Array(150).keys()].find((r) => !held.includes(r))!;
    expect(Array.from(train.x.subarray(0, 4))).toEqual(Array.from(iris.x.subarray(firstKept * 4, firstKept * 4 + 4)));
  });

  it("a class-sorted file: every class is in both parts (an unstratified tail would hold out one class)", () => {
    const iris = makeIris();
    const { train, validation } = splitValidation(iris, 0.3, 7, "ce");
    for (const k of [0, 1, 2]) {
      expect(Array.from(validation.t).filter((v) => v === k)).toHaveLength(15);
      expect(Array.from(train.t).filter((v) => v === k)).toHaveLength(35);
    }
  });

  it("mse: round(F x rows) rows, not stratified", () => {
    const d = makeRandn(1, 101);
    expect(validationRows(d, 0.25, 1, "mse")).toHaveLength(25);
  });

  it("refuses a split that leaves either part empty", () => {
    const d = makeRandn(1, 3);
    expect(() => splitValidation(d, 0.1, 1, "mse")).toThrow(/holds out no row of the 3/);
  });
});
