// The checkpoint writer refuses what could not be loaded back (issue 20, item 4):
// a NaN weight or optimizer state value replaces neither file of a checkpoint.
import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCheckpoint, writeCheckpoint } from "./checkpoint";
import { NonFiniteModelError, writeModel } from "../model/model-file";
import { optimizerDefaults, type RunConfig } from "../model/config";

const model: RunConfig = {
  sizes: [2, 1], activations: ["identity"], loss: "mse", optimizer: optimizerDefaults("adam"),
  clipNorm: 0, clipValue: 0, init: "pytorch", seed: 1, chunk: 1, frozenLayers: 0, normalizeInputs: false,
};

function checkpointOf(weights: number[], state: number[]) {
  return { epoch: 1, settings: { epochs: 2 }, model, weights: Float32Array.from(weights), optimizer: { step: 4, state: Float32Array.from(state) }, history: [] };
}

describe("writing a model or checkpoint with a non-finite number", () => {
  it("writeModel refuses NaN and Infinity with exit 3 and writes nothing", () => {
    const file = join(mkdtempSync(join(tmpdir(), "edgeprop-nan-")), "m.json");
    for (const bad of [NaN, Infinity]) {
      expect(() => writeModel(file, model, Float32Array.from([0.5, bad, 0]))).toThrow(NonFiniteModelError);
      expect(existsSync(file)).toBe(false);
    }
  });

  for (const [what, c] of [
    ["a weight", checkpointOf([0.5, NaN, 0], [0, 0, 0, 0, 0, 0])],
    ["an optimizer state value", checkpointOf([0.5, 0.25, 0], [0, 0, 0, Infinity, 0, 0])],
  ] as const) {
    it(`${what}: the previous checkpoint stays, both files`, () => {
      const dir = mkdtempSync(join(tmpdir(), "edgeprop-nan-"));
      writeCheckpoint(dir, checkpointOf([0.5, 0.25, 0], [0, 0, 0, 1, 0, 0]));
      const before = [readFileSync(join(dir, "model.json"), "utf8"), readFileSync(join(dir, "checkpoint.json"), "utf8")];
      let thrown: unknown;
      try { writeCheckpoint(dir, c); } catch (err) { thrown = err; }
      expect(thrown).toBeInstanceOf(NonFiniteModelError);
      expect((thrown as NonFiniteModelError).exitCode).toBe(3);
      expect([readFileSync(join(dir, "model.json"), "utf8"), readFileSync(join(dir, "checkpoint.json"), "utf8")]).toEqual(before);
      expect(readCheckpoint(dir).epoch).toBe(1);
    });
  }
});
