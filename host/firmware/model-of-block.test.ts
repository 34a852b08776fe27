import { describe, expect, it } from "vitest";
import { modelOfBlock } from "./model-of-block.js";
import { encodeConfig } from "../protocol/config-block.js";
import { MalformedMessageError } from "../protocol/message-error.js";
import { optimizerDefaults, type RunConfig } from "../model/config.js";

const run: RunConfig = {
  sizes: [3, 5, 2], activations: ["relu", "sigmoid"], loss: "bce", optimizer: optimizerDefaults("sgd"),
  clipNorm: 0, init: "pytorch", seed: 1, chunk: 8,
};

describe("the model a board's configuration block describes", () => {
  it("is the shape, activations and loss the host encoded", () => {
    expect(modelOfBlock(encodeConfig(run))).toEqual({ sizes: [3, 5, 2], activations: ["relu", "sigmoid"], loss: "bce" });
  });

  it("refuses a block that breaks the schema, whole", () => {
    const bad = encodeConfig(run);
    bad[0] = 9; // an unknown block version
    expect(() => modelOfBlock(bad)).toThrow(/unknown version 9/);
    const act = encodeConfig(run);
    act[30] = 77; // layer 1's activation
    expect(() => modelOfBlock(act)).toThrow(MalformedMessageError);
    expect(() => modelOfBlock(act)).toThrow(/unknown activation 77 for layer 1/);
    expect(() => modelOfBlock(encodeConfig(run).subarray(0, 100))).toThrow(MalformedMessageError);
  });
});
