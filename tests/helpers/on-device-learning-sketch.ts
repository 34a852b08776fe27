// The OnDeviceLearning example's model, simulated sensor and training
// (examples/OnDeviceLearning/OnDeviceLearning.ino), rebuilt on the host: what
// the board must compute, whichever board runs the sketch (the POSIX board:
// tests/firmware/on-device-learning.test.ts; the emulated rv32 board:
// tests/emulated/on-device-learning.test.ts).
import { DirectBoard } from "../../host/boards/in-process";
import { encodeConfig } from "../../host/protocol/config-block";
import { optimizerDefaults, type RunConfig } from "../../host/model/config";
import { epochOrder, permuteRows } from "../../host/data/shuffle";
import { readModel, type ModelFile } from "../../host/model/model-file";
import { expect } from "vitest";
import { runCli } from "./cli";

// The example's constants (examples/OnDeviceLearning/OnDeviceLearning.ino).
export const SKETCH = {
  storeRows: 128, samples: 160, epochs: 30, batch: 16, key: "odl",
  run: {
    sizes: [2, 16, 1], activations: ["tanh", "identity"], loss: "mse",
    optimizer: { ...optimizerDefaults("adam"), lr: 0.01 }, clipNorm: 0, clipValue: 0, init: "pytorch", seed: 7, chunk: 16,
    storeRows: 128,
  } as RunConfig,
};

/**
 * The sketch's simulated sensor: `rounds` collection rounds of SKETCH.samples
 * readings each (the first trains the sketch's own model, each later one
 * fine-tunes a model a host pushed), all exact binary fractions: the same on
 * the board and here.
 */
function sensorRounds(rounds: number): number[][][] {
  let state = 12345;
  const out: number[][][] = [];
  for (let r = 0; r < rounds; r++) {
    const all: number[][] = [];
    for (let k = 0; k < SKETCH.samples; k++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      const x0 = ((k % 64) - 32) / 32, x1 = ((state >>> 24) - 128) / 128;
      all.push([x0, x1, 0.5 * x0 * x0 - 0.25 * x1]);
    }
    out.push(all);
  }
  return out;
}
const allSensorRows = () => sensorRounds(1)[0];
/** The first round's readings as rows of (x0, x1, target). */
export const sensorReadings = allSensorRows;

const columns = (rows: number[][]) =>
  ({ x: Float32Array.from(rows.flatMap((r) => r.slice(0, 2))), t: Float32Array.from(rows.map((r) => r[2])) });
/** The rows the sketch's store keeps: the newest, oldest first. */
export const sensorRows = () => columns(allSensorRows().slice(SKETCH.samples - SKETCH.storeRows));

/**
 * The host's resident training (Board.trainStored, what --resident runs) on
 * the module in-process: all the sensor's readings sent to a store of the
 * sketch's capacity (its ring keeps the newest), then the epochs trained there.
 */
export async function residentWeights(): Promise<{ weights: Float32Array; held: number; capacity: number }> {
  const { x, t } = columns(allSensorRows());
  const board = new DirectBoard();
  await board.configure(encodeConfig(SKETCH.run));
  const info = await board.storeRows(x, t, SKETCH.samples, 2, 1, { clear: true });
  for (let epoch = 0; epoch < SKETCH.epochs; epoch++) {
    await board.trainStored({ rows: info.held, batch: SKETCH.batch, epoch, shuffle: true });
  }
  return { weights: await board.getWeights(), ...info };
}

/** What the host computes for the same rows: the module in-process, shuffled per epoch with the same seed. */
export async function inProcessWeights(): Promise<Float32Array> {
  const { x, t } = sensorRows();
  const rows = SKETCH.storeRows;
  const board = new DirectBoard();
  await board.configure(encodeConfig(SKETCH.run));
  const px = new Float32Array(x.length), pt = new Float32Array(t.length);
  for (let epoch = 0; epoch < SKETCH.epochs; epoch++) {
    const order = epochOrder(rows, SKETCH.run.seed, epoch);
    permuteRows(x, 2, order, px);
    permuteRows(t, 1, order, pt);
    await board.train({ x: px, t: pt, rows, nIn: 2, nT: 1, batch: SKETCH.batch, chunk: SKETCH.run.chunk });
  }
  return board.getWeights();
}

/** The probes the sketch predicts after training (and after a restore). */
export const PROBES = [[-1, 0], [-0.5, 0.25], [0.25, -0.5], [0.75, 0.75]];

/** The four probes' outputs on `board`, as the sketch prints their bits. */
async function probeBits(board: DirectBoard): Promise<string[]> {
  const r = await board.evaluate(Float32Array.from(PROBES.flat()), null, PROBES.length, 2, 1, PROBES.length);
  return Array.from(new Uint32Array(Float32Array.from(r.outputs).buffer), (b) => b.toString(16).padStart(8, "0"));
}

/** The sketch's training of `run` (starting from `weights`, else its seed's) on one round of readings, in-process. */
async function trainRound(run: RunConfig, readings: number[][], weights?: Float32Array): Promise<DirectBoard> {
  const { x, t } = columns(readings);
  const board = new DirectBoard();
  await board.configure(encodeConfig(run));
  if (weights) await board.setWeights(weights);
  const info = await board.storeRows(x, t, readings.length, 2, 1, { clear: true });
  for (let epoch = 0; epoch < SKETCH.epochs; epoch++) {
    await board.trainStored({ rows: info.held, batch: SKETCH.batch, epoch, shuffle: true });
  }
  return board;
}

/**
 * The sketch's "odl: predict x=(A, B) y=HEX" bits for the probes, from the
 * host's resident training of the same readings (the module in V8).
 */
export async function probePredictionBits(): Promise<string[]> {
  return probeBits(await trainRound(SKETCH.run, allSensorRows()));
}

/**
 * What the sketch computes after a host pushed `run` with `weights` (edgeprop
 * push): it adopts the model, collects the next round of readings into the
 * model's store, trains SKETCH.epochs epochs of SKETCH.batch from shuffle
 * epoch 0 and predicts. `roundsSinceBoot`: the rounds it collected since it
 * booted (the sensor starts again at every boot; a boot that restored a
 * model collected none). Its predictions' bits and its weights.
 */
export async function fineTuned(run: RunConfig, weights: Float32Array, roundsSinceBoot: number): Promise<{ bits: string[]; weights: Float32Array }> {
  const board = await trainRound(run, sensorRounds(roundsSinceBoot + 1)[roundsSinceBoot], weights);
  return { bits: await probeBits(board), weights: await board.getWeights() };
}

/** The hex bits of the sketch's prediction lines, in order. */
export const predictionBits = (lines: string[]) =>
  lines.filter((l) => l.startsWith("odl: predict ")).map((l) => /y=([0-9a-f]{8}) /.exec(l)?.[1] ?? `unparsed: ${l}`);

/** `edgeprop pull` of the sketch's model (trained with no host: 65 parameters at step 240) into `out`; the model file read back. */
export function pullSketchModel(port: string, out: string): ModelFile {
  const r = runCli(["pull", "--port", port, "--save", out]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^pull: 2-16-1 mse, 65 parameters at step 240 from /);
  const pulled = readModel(out);
  expect(pulled.sizes).toEqual(SKETCH.run.sizes);
  expect(pulled.activations).toEqual(SKETCH.run.activations);
  return pulled;
}
