// The host's forward pass equals the module's (DirectBoard.evaluate) for every
// activation, to float32 rounding: predict and eval print the same outputs.
import { describe, expect, it } from "vitest";
import { forward } from "./forward.js";
import { DirectBoard } from "../boards/in-process.js";
import { encodeConfig } from "../protocol/config-block.js";
import { ACTIVATIONS, optimizerDefaults, type Activation, type RunConfig } from "./config.js";
import { mulberry32 } from "../data/rng.js";

describe("forward", () => {
  for (const act of ACTIVATIONS) {
    it(`${act}: the module's outputs`, async () => {
      const sizes = [3, 6, 5, 2];
      const activations: Activation[] = [act, act, "identity"];
      const run: RunConfig = { sizes, activations, loss: "mse", optimizer: optimizerDefaults("sgd"), clipNorm: 0, init: "he", seed: 11, chunk: 4 };
      const board = new DirectBoard();
      await board.configure(encodeConfig(run));
      const weights = await board.getWeights();
      const rand = mulberry32(5);
      const rows = 9;
      const x = Float32Array.from({ length: rows * 3 }, () => Math.fround(4 * rand() - 2));
      const module = (await board.evaluate(x, null, rows, 3, 2, 4)).outputs;
      const host = forward({ sizes, activations, weights }, x, rows);
      for (let i = 0; i < module.length; i++) expect(host[i]).toBeCloseTo(module[i], 5);
    });
  }
});
