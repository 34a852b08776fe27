// Both boards refuse rows for the sample store whose widths are not the
// configured model's (before any byte is stored or sent), with one message.
import { describe, expect, it } from "vitest";
import type { Board } from "./board.js";
import { DirectBoard } from "./in-process.js";
import { SimulatedFirmware } from "./simulated-firmware.js";
import { ProtocolBoard } from "../protocol/protocol-board.js";
import { encodeConfig } from "../protocol/config-block.js";
import { BoardError, Status } from "../protocol/status.js";
import { modelWidths, optimizerDefaults, type RunConfig } from "../model/config.js";

const RUN: RunConfig = {
  sizes: [4, 6, 3], activations: ["relu", "identity"], loss: "ce", optimizer: optimizerDefaults("sgd"),
  clipNorm: 0, init: "pytorch", seed: 1, chunk: 4, storeRows: 8,
};

const MAKERS: [string, () => Board][] = [
  ["DirectBoard", () => new DirectBoard()],
  ["ProtocolBoard", () => new ProtocolBoard(new SimulatedFirmware())],
];

describe("stored rows' widths", () => {
  it("modelWidths: layers, inputs, outputs and target columns (ce: one label column)", () => {
    expect(modelWidths(RUN)).toEqual({ layers: 2, inputs: 4, outputs: 3, targets: 1 });
    expect(modelWidths({ sizes: [2, 5, 5, 2], loss: "mse" })).toEqual({ layers: 3, inputs: 2, outputs: 2, targets: 2 });
  });

  for (const [name, make] of MAKERS) {
    it(`${name}: rows of the model's widths are stored; others are refused (BAD_RANGE) naming both`, async () => {
      const board = make();
      try {
        await board.hello();
        await board.configure(encodeConfig(RUN));
        const x = new Float32Array(2 * 5), t = new Float32Array(2 * 1);
        await expect(board.storeRows(x, t, 2, 5, 1)).rejects.toSatisfy((e: unknown) => e instanceof BoardError
          && e.status === Status.BAD_RANGE && e.message === "stored rows need 4 inputs and 1 targets, got 5 and 1");
        await expect(board.storeRows(new Float32Array(8), new Float32Array(2), 2, 4, 1, { clear: true })).resolves.toEqual({ held: 2, capacity: 8 });
      } finally {
        await board.close();
      }
    });
  }
});
