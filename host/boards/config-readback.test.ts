// Board.getConfigBlock on every implementation: the in-process module and
// the protocol over the module's firmware interface (GET_WEIGHTS region
// CONFIG) give back the block the model was configured with, byte for byte.
import { describe, expect, it } from "vitest";
import type { Board } from "./board.js";
import { DirectBoard } from "./in-process.js";
import { SimulatedFirmware } from "./simulated-firmware.js";
import { ProtocolBoard } from "../protocol/protocol-board.js";
import { encodeConfig } from "../protocol/config-block.js";
import { BoardError, Status } from "../protocol/status.js";
import { optimizerDefaults, type RunConfig } from "../model/config.js";

const RUN: RunConfig = {
  sizes: [4, 6, 3], activations: ["relu", "identity"], loss: "ce", optimizer: { ...optimizerDefaults("rmsprop"), centered: true },
  clipNorm: 0.5, init: "xavier", seed: 11, chunk: 8, storeRows: 12, normalizeInputs: true, frozenLayers: 1,
};

const MAKERS: [string, () => Board][] = [
  ["DirectBoard", () => new DirectBoard()],
  ["ProtocolBoard", () => new ProtocolBoard(new SimulatedFirmware())],
];

describe("Board.getConfigBlock", () => {
  for (const [name, make] of MAKERS) {
    it(`${name}: NOT_CONFIGURED without a model, then the configured block as it was sent`, async () => {
      const board = make();
      try {
        await board.hello();
        await expect(board.getConfigBlock()).rejects.toSatisfy((e: unknown) => e instanceof BoardError && e.status === Status.NOT_CONFIGURED);
        const block = encodeConfig(RUN);
        await board.configure(block);
        expect(Array.from(await board.getConfigBlock())).toEqual(Array.from(block));
        const other = encodeConfig({ ...RUN, seed: 12, storeRows: 0 });
        await board.configure(other);
        expect(Array.from(await board.getConfigBlock())).toEqual(Array.from(other));
      } finally {
        await board.close();
      }
    });
  }
});
