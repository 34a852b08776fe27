// --hidden 16,16: hidden sizes only, the input and output widths from the
// data (after --drop/--inputs; ce: one output per class); --layers still
// works and is checked against the data (issue 23).
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ok, root, run, tmp } from "../ux/util";

const dir = tmp();
const iris = join(root, "data", "iris.csv");
const sizesOf = (file: string): number[] => {
  const m = JSON.parse(readFileSync(file, "utf8"));
  return [m.layers[0].in, ...m.layers.map((l: { out: number }) => l.out)];
};

describe("--hidden", () => {
  it("text labels: 4 inputs, 3 classes inferred; --drop narrows the inputs", () => {
    const a = join(dir, "a.json"), b = join(dir, "b.json");
    ok(["sim", "--data", iris, "--loss", "ce", "--hidden", "16,8", "--epochs", "1", "--save", a, "--quiet"]);
    expect(sizesOf(a)).toEqual([4, 16, 8, 3]);
    ok(["sim", "--data", iris, "--loss", "ce", "--hidden", "5", "--drop", "sepal_width", "--epochs", "1", "--save", b, "--quiet"]);
    expect(sizesOf(b)).toEqual([3, 5, 3]);
  });

  it("regression: one output per target; a built-in data set too", () => {
    const c = join(dir, "c.json"), d = join(dir, "d.json");
    ok(["sim", "--data", iris, "--loss", "mse", "--target", "petal_width,petal_length", "--drop", "species", "--hidden", "6", "--epochs", "1", "--save", c, "--quiet"]);
    expect(sizesOf(c)).toEqual([2, 6, 2]);
    ok(["sim", "--dataset", "xor", "--loss", "bce", "--hidden", "8", "--epochs", "1", "--save", d, "--quiet"]);
    expect(sizesOf(d)).toEqual([2, 8, 1]);
  });

  it("refused: with --layers; a bad size; --layers that does not fit the data names both", () => {
    const a = run(["sim", "--data", iris, "--loss", "ce", "--hidden", "4", "--layers", "4,4,3", "--epochs", "1"]);
    expect([a.code, a.stderr.trim()]).toEqual([2, "edgeprop sim: --hidden 4 and --layers 4,4,3: give one (--hidden takes the widths in and out from the data)"]);
    const b = run(["sim", "--data", iris, "--loss", "ce", "--hidden", "16,0", "--epochs", "1"]);
    expect([b.code, b.stderr.trim()]).toEqual([2, "edgeprop sim: --hidden 16,0: size 2 is '0'; each size is an integer from 1 to 65535 (e.g. 16,16)"]);
    const c = run(["sim", "--data", iris, "--loss", "ce", "--layers", "5,4,3", "--epochs", "1"]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/the data has 4 input columns .* but the model expects 5 inputs/);
  });
});
