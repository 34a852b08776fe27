import { describe, expect, it } from "vitest";
import { BadModelLine, MODEL_LINE_PREFIX, isModelLine, modelOfBlock, parseModelLine } from "./model-line.js";
import { encodeConfig } from "../protocol/config-block.js";
import { optimizerDefaults, type RunConfig } from "../config.js";

const run: RunConfig = {
  sizes: [3, 5, 2], activations: ["relu", "sigmoid"], loss: "bce", optimizer: optimizerDefaults("sgd"),
  clipNorm: 0, init: "pytorch", seed: 1, chunk: 8,
};
const lineOf = (block: Uint8Array) => MODEL_LINE_PREFIX + Buffer.from(block).toString("hex");

describe("the board's model line", () => {
  it("carries the configuration block, and the model it describes", () => {
    const block = encodeConfig(run);
    const back = parseModelLine(lineOf(block));
    expect(Array.from(back)).toEqual(Array.from(block));
    expect(modelOfBlock(back)).toEqual({ sizes: [3, 5, 2], activations: ["relu", "sigmoid"], loss: "bce" });
  });

  it("refuses a line that breaks the schema, whole", () => {
    const good = lineOf(encodeConfig(run));
    expect(isModelLine("edgeprop: stats engine=wasm2c")).toBe(false);
    expect(() => parseModelLine(good.slice(0, -2))).toThrow(BadModelLine); // one byte short
    expect(() => parseModelLine(good.toUpperCase().replace("EDGEPROP: MODEL CFG=", MODEL_LINE_PREFIX))).toThrow(/hex digits/);
    const bad = encodeConfig(run);
    bad[0] = 9; // an unknown block version
    expect(() => parseModelLine(lineOf(bad))).toThrow(/unknown version 9/);
    const act = encodeConfig(run);
    act[30] = 77; // layer 1's activation
    expect(() => modelOfBlock(parseModelLine(lineOf(act)))).toThrow(/unknown activation 77 for layer 1/);
  });
});
