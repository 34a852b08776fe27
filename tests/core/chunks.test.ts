// The chunk size is a memory knob, never a change in the result: a batch
// staged in chunks of 1, 7 or all its rows accumulates the same gradient and
// takes the same step, within float rounding: the engine sums each chunk's
// rows in registers before adding them to the gradient (what makes it fast
// under wasm3), so the grouping of the additions, and only that, follows the
// chunk size.
import { describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { Net, randomData, type NetSpec } from "../helpers/engine";
import { simInProcess } from "../helpers/inprocess";
import { rng } from "../helpers/rng";
import { maxRel } from "../helpers/model";
import { rmDir, tmpDir } from "../helpers/paths";

const ROWS = 100;

function trainWithChunk(spec: Omit<NetSpec, "chunk">, chunk: number, batch: number, epochs: number) {
  const r = rng(42);
  const { x, t } = randomData(r, ROWS, spec.sizes[0], spec.sizes[spec.sizes.length - 1], spec.loss);
  const net = new Net();
  expect(net.configure({ ...spec, chunk })).toBe(0);
  const losses: number[] = [];
  for (let e = 0; e < epochs; e++) {
    let sum = 0;
    for (let s = 0; s < ROWS; s += batch) sum += net.trainBatch(x, t, Math.min(batch, ROWS - s), chunk, s);
    losses.push(sum / ROWS);
  }
  return { w: net.getWeights(), losses };
}

const SPECS: [string, Omit<NetSpec, "chunk">][] = [
  ["4-8-3 tanh mse, sgd", { sizes: [4, 8, 3], act: "tanh", loss: "mse", opt: "sgd", optimizer: { lr: 0.1 } }],
  ["4-8-6-3 relu ce, adam", { sizes: [4, 8, 6, 3], act: "relu", loss: "ce", opt: "adam", optimizer: { lr: 0.01 } }],
  ["5-7-2 sigmoid bce, rmsprop centered + momentum, clip", { sizes: [5, 7, 2], act: "sigmoid", loss: "bce", opt: "rmsprop", optimizer: { lr: 0.01, momentum: 0.5, centered: true }, clipNorm: 0.5 }],
];

describe("chunks of 1, 7 and all rows give the same weights", () => {
  for (const [name, spec] of SPECS) {
    for (const batch of [ROWS, 32]) {
      it(`${name}, batch ${batch === ROWS ? "full (100)" : batch}`, () => {
        const ref = trainWithChunk(spec, batch, batch, 4); // chunk = the whole batch
        for (const chunk of [1, 7]) {
          const got = trainWithChunk(spec, chunk, batch, 4);
          expect(maxRel(got.w, ref.w), `chunk ${chunk}`).toBeLessThan(1e-6);
          expect(maxRel(got.losses, ref.losses), `chunk ${chunk} losses`).toBeLessThan(1e-6);
        }
        // and the weights did move
        const start = new Net();
        start.configure({ ...spec, chunk: 1 });
        expect(maxRel(start.getWeights(), ref.w)).toBeGreaterThan(1e-3);
      });
    }
  }

  it("through the sim flags: --batch full with --chunk 1, 7, 100 (and a 1000-row batch on an 8-row board)", async () => {
    const dir = tmpDir();
    try {
      const r = rng(5);
      const rows = 1000;
      const lines = ["a,b,c,y"];
      for (let i = 0; i < rows; i++) {
        const v = [r(), r(), r()].map((u) => Math.fround(u * 2 - 1));
        lines.push([...v, Math.fround(v[0] - 0.5 * v[1] + 0.25 * v[2] * v[2])].join(","));
      }
      const data = path.join(dir, "d.csv");
      writeFileSync(data, lines.join("\n") + "\n");
      const run = async (chunk: number) => (await simInProcess(["--data", data, "--layers", "3,6,1", "--act", "tanh",
        "--loss", "mse", "--opt", "sgd", "--lr", "0.1", "--batch", "full", "--epochs", "3", "--chunk", String(chunk), "--seed", "3"]));
      const ref = await run(1000);
      for (const chunk of [1, 7, 8]) {
        const got = await run(chunk);
        expect(got.done.chunk).toBe(chunk);
        expect(got.done.steps).toBe(3); // one step per epoch
        expect(maxRel(got.outcome.weights, ref.outcome.weights)).toBeLessThan(1e-6);
        expect(maxRel(got.epochs.map((e) => e.loss), ref.epochs.map((e) => e.loss))).toBeLessThan(1e-6);
      }
    } finally {
      rmDir(dir);
    }
  });
});
