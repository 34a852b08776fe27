// A schedule stepped per batch (OneCycleLR): TrainJob.lrs. Over the protocol
// the epoch stays one pipelined stream with a SET_LR frame before each batch
// whose lr changes (and none where it does not); the result is the in-process
// engine's, and the same as setting each batch's lr by hand between batches.
import { describe, expect, it } from "vitest";
import { DirectBoard } from "../boards/in-process.js";
import type { Board } from "../boards/board.js";
import { encodeConfig } from "./config-block.js";
import { countedBoard } from "../../tests/helpers/counting-link.js";
import { sineRows } from "../../tests/helpers/sine-rows.js";
import { optimizerDefaults, type RunConfig } from "../model/config.js";

const RUN: RunConfig = {
  sizes: [2, 5, 1], activations: ["tanh", "identity"], loss: "mse",
  optimizer: { ...optimizerDefaults("nadam"), lr: 0.01 }, clipNorm: 0, init: "pytorch", seed: 3, chunk: 4,
};
const ROWS = 14, BATCH = 3; // 5 batches, the last of 2 rows
const { x, t } = sineRows(ROWS);
// batches 1 and 2 share an lr: no SET_LR between them
const LRS = [0.01, 0.02, 0.02, 0.05, 0.001];

async function trained(board: Board, lrs?: number[]): Promise<Float32Array> {
  await board.configure(encodeConfig(RUN));
  await board.setLr(RUN.optimizer.lr);
  for (let epoch = 0; epoch < 2; epoch++) await board.train({ x, t, rows: ROWS, nIn: 2, nT: 1, batch: BATCH, chunk: RUN.chunk, lrs });
  return board.getWeights();
}

describe("TrainJob.lrs: an lr per batch", () => {
  it("over the protocol: one SET_LR frame per lr change, in the epoch's stream; weights equal the in-process engine's bit for bit", async () => {
    const { link: plainLink, board: plain } = countedBoard();
    await trained(plain);
    const { link: scheduledLink, board: scheduled } = countedBoard();
    const got = await trained(scheduled, LRS);
    // epoch 1: changes before batches 1, 3, 4; epoch 2: before 0 (from 0.001), 1, 3, 4
    expect(scheduledLink.writes - plainLink.writes).toBe(3 + 4);
    const direct = await trained(new DirectBoard(), LRS);
    expect(Buffer.from(got.buffer).equals(Buffer.from(direct.buffer))).toBe(true);
    await plain.close();
    await scheduled.close();
  });

  it("means what setting each batch's lr by hand between one-batch train calls means", async () => {
    const byHand = new DirectBoard();
    await byHand.configure(encodeConfig(RUN));
    for (let epoch = 0; epoch < 2; epoch++) {
      for (let b = 0, start = 0; start < ROWS; b++, start += BATCH) {
        const rows = Math.min(BATCH, ROWS - start);
        await byHand.setLr(LRS[b]);
        await byHand.train({ x: x.subarray(start * 2, (start + rows) * 2), t: t.subarray(start, start + rows), rows, nIn: 2, nT: 1, batch: BATCH, chunk: RUN.chunk });
      }
    }
    const want = await byHand.getWeights();
    const got = await trained(new DirectBoard(), LRS);
    expect(Buffer.from(got.buffer).equals(Buffer.from(want.buffer))).toBe(true);
    // and the lrs matter: a constant lr gives other weights
    const constant = await trained(new DirectBoard());
    expect(Buffer.from(constant.buffer).equals(Buffer.from(want.buffer))).toBe(false);
  });
});
