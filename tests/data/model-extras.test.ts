// The optional keys of an edgeprop-model v1 file (docs/model-format.md):
// "classes", "normalization" and "best_epoch" are written by writeModel,
// read back by readModel, and checked against the layers, each problem with
// its exact message; a file without them is the plain format and loads.
import { afterAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { modelFromJson, modelToJson, readModel, writeModel, type ModelExtras } from "../../host/model/model-file";
import type { ModelConfig } from "../../host/model/config";
import { rmDir, tmpDir } from "../helpers/paths";

const dir = tmpDir("edgeprop-model-extras-");
afterAll(() => rmDir(dir));

const CE: ModelConfig = { sizes: [2, 3], activations: ["identity"], loss: "ce" } as ModelConfig;
const WEIGHTS = Float32Array.from([0.5, -1, 0.25, 2, -0.125, 1, 0.1, 0.2, 0.3]);
const EXTRAS: ModelExtras = { classes: ["cat", "dog", "émeu \"quoted\""], normalization: { mean: [0.1, 1000], std: [2, 0.3] }, bestEpoch: 7 };

const json = (extra: Record<string, unknown>, m: ModelConfig = CE) => ({ ...(modelToJson(m, WEIGHTS) as object), ...extra });
const problem = (extra: Record<string, unknown>, m: ModelConfig = CE): string => {
  try {
    modelFromJson(json(extra, m), "m.json");
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("accepted");
};

describe("model file extras", () => {
  it("round trip: JSON names classes, normalization {kind: zscore, mean, std} (float32), best_epoch", () => {
    const file = join(dir, "m.json");
    writeModel(file, CE, WEIGHTS, EXTRAS);
    const raw = JSON.parse(readFileSync(file, "utf8"));
    expect(raw.classes).toEqual(EXTRAS.classes);
    expect(raw.normalization).toEqual({ kind: "zscore", mean: [Math.fround(0.1), 1000], std: [2, Math.fround(0.3)] });
    expect(raw.best_epoch).toBe(7);
    const m = readModel(file);
    expect(m.classes).toEqual(EXTRAS.classes);
    expect(m.normalization).toEqual({ mean: [Math.fround(0.1), 1000], std: [2, Math.fround(0.3)] });
    expect(m.bestEpoch).toBe(7);
    expect(Array.from(m.weights)).toEqual(Array.from(WEIGHTS));
  });

  it("round trip: inputs (in order) and targets, the columns by name (issue 23)", () => {
    const file = join(dir, "named.json");
    writeModel(file, CE, WEIGHTS, { inputs: ["petal width", "émeu"], targets: ["species"] });
    const raw = JSON.parse(readFileSync(file, "utf8"));
    expect([raw.version, raw.inputs, raw.targets]).toEqual([1, ["petal width", "émeu"], ["species"]]);
    const m = readModel(file);
    expect([m.inputs, m.targets]).toEqual([["petal width", "émeu"], ["species"]]);
  });

  it("round trip: categorical columns (in the inputs' order) and the missing-value rule; the version stays 1", () => {
    const file = join(dir, "onehot.json");
    writeModel(file, CE, WEIGHTS, { inputs: ["island"], targets: ["species"], categorical: [{ column: "island", categories: ["Biscoe", "Dream"] }],
      missing: { policy: "mean", mean: [0.25, 0.1] } });
    const raw = JSON.parse(readFileSync(file, "utf8"));
    expect([raw.version, raw.categorical, raw.missing]).toEqual([1, { island: ["Biscoe", "Dream"] }, { policy: "mean", mean: [0.25, Math.fround(0.1)] }]);
    const m = readModel(file);
    expect([m.inputs, m.categorical, m.missing]).toEqual([["island"], [{ column: "island", categories: ["Biscoe", "Dream"] }], { policy: "mean", mean: [0.25, Math.fround(0.1)] }]);
  });

  it("a file without them (the format before issue 11) loads with none set, and is written without them", () => {
    const file = join(dir, "old.json");
    writeFileSync(file, JSON.stringify({ format: "edgeprop-model", version: 1, loss: "mse", layers: [{ type: "dense", in: 1, out: 1, activation: "identity", weight: [[0.5]], bias: [0]}] }));
    const m = readModel(file);
    expect("classes" in m || "normalization" in m || "bestEpoch" in m || "inputs" in m || "targets" in m).toBe(false);
    writeModel(join(dir, "again.json"), m, m.weights);
    expect(Object.keys(JSON.parse(readFileSync(join(dir, "again.json"), "utf8")))).toEqual(["format", "version", "loss", "layers"]);
  });

  const MSE: ModelConfig = { sizes: [2, 3], activations: ["identity"], loss: "mse" } as ModelConfig;
  const cases: [string, Record<string, unknown>, string, ModelConfig?][] = [
    ["classes not an array", { classes: "cat,dog" }, `m.json: "classes" must be an array of class labels (strings), got "cat,dog"`],
    ["classes on an mse model", { classes: ["a", "b", "c"] }, `m.json: "classes" applies to loss "ce" (this model's loss is "mse")`, MSE],
    ["two classes for three outputs", { classes: ["a", "b"] }, `m.json: "classes" has 2 labels but the last layer has 3 outputs`],
    ["a class that is a number", { classes: ["a", 1, "c"] }, `m.json: classes[1] is 1: expected a non-empty string`],
    ["an empty class", { classes: ["a", "", "c"] }, `m.json: classes[1] is "": expected a non-empty string`],
    ["a class twice", { classes: ["a", "b", "a"] }, `m.json: classes[2] is "a", as classes[0] is: each class label once`],
    ["normalization not an object", { normalization: [1, 2] }, `m.json: "normalization" must be an object {"kind": "zscore", "mean": [...], "std": [...]}`],
    ["another kind", { normalization: { kind: "minmax", mean: [0, 0], std: [1, 1] } }, `m.json: normalization.kind is "minmax": expected "zscore"`],
    ["a mean per output, not per input", { normalization: { kind: "zscore", mean: [0, 0, 0], std: [1, 1] } }, `m.json: normalization.mean must have 2 numbers (one per input)`],
    ["a mean that is not a number", { normalization: { kind: "zscore", mean: [0, "1"], std: [1, 1] } }, `m.json: normalization.mean[1] is "1": expected a finite float32 number (|x| <= 3.4028234663852886e+38)`],
    ["a std beyond float32", { normalization: { kind: "zscore", mean: [0, 0], std: [1e39, 1] } }, `m.json: normalization.std[0] is 1e+39: expected a finite float32 number (|x| <= 3.4028234663852886e+38)`],
    ["a std of 0", { normalization: { kind: "zscore", mean: [0, 0], std: [1, 0] } }, `m.json: normalization.std[1] is 0: expected a float32 number > 0 (a constant input has std 1)`],
    ["a std that float32 rounds to 0", { normalization: { kind: "zscore", mean: [0, 0], std: [1e-50, 1] } }, `m.json: normalization.std[0] is 1e-50: expected a float32 number > 0 (a constant input has std 1)`],
    ["a negative std", { normalization: { kind: "zscore", mean: [0, 0], std: [-2, 1] } }, `m.json: normalization.std[0] is -2: expected a float32 number > 0 (a constant input has std 1)`],
    ["inputs not an array", { inputs: "a,b" }, `m.json: "inputs" must be an array of column names (strings), got "a,b"`],
    ["a name per output, not per input", { inputs: ["a", "b", "c"] }, `m.json: "inputs" has 3 column names but the model has 2 inputs`],
    ["an empty input name", { inputs: ["a", ""] }, `m.json: inputs[1] is "": expected a non-empty string (a column name)`],
    ["an input twice", { inputs: ["a", "a"] }, `m.json: inputs[1] is "a", as inputs[0] is: each column once`],
    ["two targets for ce", { targets: ["y", "z"] }, `m.json: "targets" has 2 column names but the model has 1 target columns (ce: one class-label column)`],
    ["a target per input, not per output (mse)", { targets: ["y", "z"] }, `m.json: "targets" has 2 column names but the model has 3 outputs`, MSE],
    ["a target that is also an input", { inputs: ["a", "y"], targets: ["y"] }, `m.json: targets: 'y' is also one of "inputs"`],
    ["categorical without inputs", { categorical: { a: ["x", "y"] } }, `m.json: "categorical" needs "inputs" (the input column names)`],
    ["categorical for a column that is not an input", { inputs: ["a"], categorical: { b: ["x", "y"] } }, `m.json: categorical: 'b' is not one of "inputs"`],
    ["one-hot inputs that do not make the first layer's width", { inputs: ["a", "b"], categorical: { a: ["x", "y", "z"] } },
      `m.json: "inputs" has 2 column names, 4 inputs with the one-hot ones of "categorical", but the model has 2 inputs`],
    ["a category twice", { inputs: ["a"], categorical: { a: ["x", "x"] } }, `m.json: categorical.a[1] is "x": each category once`],
    ["no categories", { inputs: ["a"], categorical: { a: [] } }, `m.json: categorical.a must be a non-empty array of category names`],
    ["another missing rule", { missing: { policy: "median" } }, `m.json: "missing" must be {"policy": "error" | "drop" | "mean", ...}`],
    ["a mean per output, not per input (missing)", { missing: { policy: "mean", mean: [1, 2, 3] } }, `m.json: missing.mean must have 2 numbers (one per input)`],
    ["a missing mean that is NaN", { missing: { policy: "mean", mean: [1, "NaN"] } }, `m.json: missing.mean[1] is "NaN": expected a finite float32 number (|x| <= 3.4028234663852886e+38)`],
    ["target_normalization on a ce model", { target_normalization: { kind: "zscore", mean: [0, 0, 0], std: [1, 1, 1] } }, `m.json: "target_normalization" applies to loss "mse" (this model's loss is "ce")`],
    ["a target mean per input, not per output", { target_normalization: { kind: "zscore", mean: [0, 0], std: [1, 1, 1] } }, `m.json: target_normalization.mean must have 3 numbers (one per output)`, MSE],
    ["a target std of 0", { target_normalization: { kind: "zscore", mean: [0, 0, 0], std: [1, 0, 1] } }, `m.json: target_normalization.std[1] is 0: expected a float32 number > 0`, MSE],
    ["best_epoch 0", { best_epoch: 0 }, `m.json: "best_epoch" is 0: expected a positive integer (the epoch whose weights these are)`],
    ["best_epoch 2.5", { best_epoch: 2.5 }, `m.json: "best_epoch" is 2.5: expected a positive integer (the epoch whose weights these are)`],
  ];
  for (const [what, extra, message, m] of cases) {
    it(`refused: ${what}`, () => {
      expect(problem(extra, m)).toBe(message);
    });
  }
});
