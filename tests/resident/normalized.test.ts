// Rows are stored raw and normalised when they are trained on: a model that
// z-scores its inputs on the board (normalizeInputs, statistics set by the
// host) and fine-tunes only its last layer (frozenLayers) trains from its
// store to the bits of streaming the same raw rows, shuffled or not.
import { describe, expect, it } from "vitest";
import type { Board } from "../../host/boards/board";
import { DirectBoard } from "../../host/boards/in-process";
import { SimulatedFirmware } from "../../host/boards/simulated-firmware";
import { ProtocolBoard } from "../../host/protocol/protocol-board";
import { encodeConfig } from "../../host/protocol/config-block";
import { epochOrder, permuteRows } from "../../host/data/shuffle";
import { residentConfig, residentEpoch, uploadResident } from "../../host/run/resident-epoch";
import { runConfig } from "../helpers/engine";

const RUN = { ...runConfig({ sizes: [4, 6, 3], act: "tanh", loss: "ce", opt: "adam", chunk: 3, seed: 11 }), normalizeInputs: true, frozenLayers: 1 };
const ROWS = 41, N_IN = 4, N_T = 1, BATCH = 8, EPOCHS = 3;
const x = Float32Array.from({ length: ROWS * N_IN }, (_, i) => 100 + 30 * Math.sin(i * 1.7) + (i % N_IN) * 50);
const t = Float32Array.from({ length: ROWS }, (_, i) => i % 3);
const mean = Float32Array.from([100, 150, 200, 250]);
const std = Float32Array.from([20, 21, 22, 23]);

async function train(board: Board, residentRun: boolean, shuffle: boolean): Promise<{ weights: Float32Array; losses: number[] }> {
  try {
    await board.configure(encodeConfig(residentRun ? residentConfig(RUN, ROWS) : RUN));
    await board.setInputStats(mean, std);
    if (residentRun) await uploadResident(board, { x, t, rows: ROWS, nIn: N_IN, nT: N_T });
    const losses: number[] = [];
    const px = new Float32Array(x.length), pt = new Float32Array(t.length);
    for (let epoch = 0; epoch < EPOCHS; epoch++) {
      let results;
      if (residentRun) results = await residentEpoch(board, { rows: ROWS, batch: BATCH, epoch, shuffle });
      else {
        const order = shuffle ? epochOrder(ROWS, RUN.seed, epoch) : Uint32Array.from({ length: ROWS }, (_, i) => i);
        permuteRows(x, N_IN, order, px);
        permuteRows(t, N_T, order, pt);
        results = await board.train({ x: px, t: pt, rows: ROWS, nIn: N_IN, nT: N_T, batch: BATCH, chunk: RUN.chunk });
      }
      expect(results.every((r) => r.status === 0)).toBe(true);
      losses.push(results.reduce((a, r) => a + r.lossSum, 0));
    }
    return { weights: await board.getWeights(), losses };
  } finally {
    await board.close();
  }
}

describe("a normalising, fine-tuning model trained from its store", () => {
  for (const [name, open] of [["in-process", () => new DirectBoard()], ["memory link", () => new ProtocolBoard(new SimulatedFirmware())]] as const) {
    for (const shuffle of [false, true]) {
      it(`${name}, ${shuffle ? "shuffled" : "file order"}: the streamed run's bits`, async () => {
        const want = await train(open(), false, shuffle);
        const got = await train(open(), true, shuffle);
        expect(got.losses).toEqual(want.losses);
        expect(Buffer.from(got.weights.buffer).equals(Buffer.from(want.weights.buffer))).toBe(true);
        // The first layer stayed as initialised: frozen.
        const init = await (async () => { const b = open(); try { await b.configure(encodeConfig(RUN)); return await b.getWeights(); } finally { await b.close(); } })();
        expect(Array.from(got.weights.subarray(0, 6 * 5))).toEqual(Array.from(init.subarray(0, 6 * 5)));
        expect(got.weights.subarray(6 * 5)).not.toEqual(init.subarray(6 * 5));
      });
    }
  }
});
