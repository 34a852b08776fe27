// Input normalisation on the board (config C_INPUT_FLAGS bit 0,
// RunConfig.normalizeInputs, region INPUT_STATS): training and evaluating on
// raw rows with the statistics set equals, bit for bit, training and
// evaluating with normalisation off on rows the host normalised with
// fround(fround(x - mean) / std), on every board: the in-process module, the
// simulated firmware, the WASI build in a process, the firmware's C pump
// compiled with wasm2c (boards/posix), and the emulated board when QEMU and
// the cross toolchain are here.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import path from "node:path";
import type { Board, TrainJob } from "../../host/boards/board";
import { DirectBoard } from "../../host/boards/in-process";
import { openSimulatedBoard } from "../../host/boards/open";
import { SimulatedFirmware } from "../../host/boards/simulated-firmware";
import { ProtocolBoard } from "../../host/protocol/protocol-board";
import { ProcessLink } from "../../host/transports/process-link";
import { BoardError, Status } from "../../host/protocol/status";
import { encodeConfig } from "../../host/protocol/config-block";
import { computePlan } from "../../host/model/plan";
import { moduleStaticBytes } from "../../host/boards/engine";
import type { RunConfig } from "../../host/model/config";
import { runConfig } from "../helpers/engine";
import { rng } from "../helpers/rng";
import { repoRoot, rmDir, tmpDir, wasmPath } from "../helpers/paths";
import { missingTools } from "../../boards/qemu/launch.mjs";

const NIN = 4, ROWS = 37;
const RUN: RunConfig = runConfig({
  sizes: [NIN, 8, 3], act: "tanh", loss: "ce", opt: "adam", optimizer: { lr: 0.02, weightDecay: 0.01 }, clipNorm: 1, chunk: 5,
});
const NORMALIZING: RunConfig = { ...RUN, normalizeInputs: true };

// Raw "sensor" columns far apart in scale and offset, float32 values.
const r = rng(11);
const SCALE = [1000, 0.001, 3, 50], SHIFT = [20000, -0.002, 7, -300];
const X = Float32Array.from({ length: ROWS * NIN }, (_, k) => (r() * 2 - 1) * SCALE[k % NIN] + SHIFT[k % NIN]);
const T = Float32Array.from({ length: ROWS }, () => Math.floor(r() * 3));
const MEAN = Float32Array.from(SHIFT, (s, i) => s + 0.1 * SCALE[i]);
const STD = Float32Array.from(SCALE, (s) => 0.6 * s);
/** What the host would feed a model without normalisation: the module's arithmetic, done here. */
const X_HOST = X.map((x, k) => Math.fround(Math.fround(x - MEAN[k % NIN]) / STD[k % NIN]));

interface Result { weights: Float32Array; losses: number[]; norms: number[]; outputs: Float32Array; evalLoss: number }

async function trainOn(board: Board, run: RunConfig, x: Float32Array, stats: boolean): Promise<Result> {
  await board.configure(encodeConfig(run));
  if (stats) await board.setInputStats(MEAN, STD);
  const losses: number[] = [], norms: number[] = [];
  for (let epoch = 0; epoch < 3; epoch++) {
    const job: TrainJob = { x, t: T, rows: ROWS, nIn: NIN, nT: 1, batch: 8, chunk: run.chunk };
    for (const b of await board.train(job)) {
      expect(b.status).toBe(Status.OK);
      losses.push(b.lossSum);
      norms.push(...b.gradNorms);
    }
  }
  const ev = await board.evaluate(x, T, ROWS, NIN, 1, run.chunk);
  return { weights: await board.getWeights(), losses, norms, outputs: ev.outputs, evalLoss: ev.lossSum };
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.slice().buffer));

function expectSameBits(got: Result, want: Result, what: string): void {
  expect(bits(got.weights), `${what}: weights`).toEqual(bits(want.weights));
  expect(got.losses, `${what}: batch losses`).toEqual(want.losses);
  expect(got.norms, `${what}: gradient norms`).toEqual(want.norms);
  expect(bits(got.outputs), `${what}: EVAL outputs`).toEqual(bits(want.outputs));
  expect(got.evalLoss, `${what}: EVAL loss`).toBe(want.evalLoss);
}

async function withBoard<T>(open: () => Promise<Board> | Board, use: (b: Board) => Promise<T>): Promise<T> {
  const b = await open();
  try { return await use(b); } finally { await b.close(); }
}

let reference: Result;
const work = tmpDir("edgeprop-normalize-");
const posixBoard = path.join(work, "edgeprop-board");

beforeAll(async () => {
  reference = await withBoard(() => new DirectBoard(wasmPath), (b) => trainOn(b, RUN, X_HOST, false));
  execFileSync("make", ["-s", "-C", path.join(repoRoot, "boards", "posix"), "ENGINE=wasm2c", `OBJ=${path.join(work, "obj")}`, `BIN=${posixBoard}`], { stdio: "pipe" });
}, 300_000);
afterAll(() => rmDir(work));

describe("the module normalises raw inputs exactly as fround(fround(x - mean) / std)", () => {
  it("the reference run learned something from the normalised rows (the test is not vacuous)", async () => {
    const raw = await withBoard(() => new DirectBoard(wasmPath), (b) => trainOn(b, RUN, X, false));
    expect(bits(raw.outputs)).not.toEqual(bits(reference.outputs));
    expect(reference.losses[reference.losses.length - 1]).toBeLessThan(reference.losses[0]);
  });

  const boards: [string, () => Promise<Board> | Board][] = [
    ["in-process (direct)", () => new DirectBoard(wasmPath)],
    ["simulated firmware (protocol in memory)", () => openSimulatedBoard({ link: "memory" })],
    ["the WASI build in a process (bin/wasi-node.js)", async () => {
      const b = new ProtocolBoard(new ProcessLink(process.execPath, ["--no-warnings", path.join(repoRoot, "bin", "wasi-node.js"),
        path.join(repoRoot, "build", "edgeprop-wasi.wasm")], "WASI build under node"));
      await b.hello();
      return b;
    }],
    ["the firmware pump compiled with wasm2c (boards/posix)", () => openSimulatedBoard({ link: "memory", engine: `exec:${posixBoard}` })],
  ];
  for (const [name, open] of boards) {
    it(`${name}: raw rows + statistics = host-normalised rows, bit for bit`, async () => {
      const got = await withBoard(open, (b) => trainOn(b, NORMALIZING, X, true));
      expectSameBits(got, reference, name);
    }, 120_000);
  }

  const noEmulator = missingTools().length > 0;
  it.skipIf(noEmulator && process.env.CI !== "true")("the emulated board (esp32-c3 firmware under QEMU, wasm2c): the same bits", async () => {
    const { parseEmulate } = await import("../../host/boards/emulated");
    const got = await withBoard(() => openSimulatedBoard({ emulate: parseEmulate("esp32-c3") }), (b) => trainOn(b, NORMALIZING, X, true));
    expectSameBits(got, reference, "emulated esp32-c3");
  }, 300_000);
});

describe("the statistics region", () => {
  it("reads mean 0 and std 1 after configure, so a normalising model with no statistics set trains as one without", async () => {
    for (const open of [() => new DirectBoard(wasmPath), () => openSimulatedBoard({ link: "memory" })]) {
      const identity = await withBoard(open, async (b) => {
        await b.configure(encodeConfig(NORMALIZING));
        const s = await b.getInputStats();
        expect(Array.from(s.mean)).toEqual([0, 0, 0, 0]);
        expect(Array.from(s.std)).toEqual([1, 1, 1, 1]);
        await b.setInputStats(MEAN, STD);
        const back = await b.getInputStats();
        expect(bits(back.mean)).toEqual(bits(MEAN));
        expect(bits(back.std)).toEqual(bits(STD));
        // a new configuration starts from the identity again
        await b.configure(encodeConfig(NORMALIZING));
        expect(Array.from((await b.getInputStats()).std)).toEqual([1, 1, 1, 1]);
        return trainOn(b, NORMALIZING, X_HOST, false);
      });
      expectSameBits(identity, reference, "identity statistics");
    }
  });

  it("is refused for a model configured without normalisation, and for lengths other than the input size (BAD_RANGE)", async () => {
    for (const open of [() => new DirectBoard(wasmPath), () => openSimulatedBoard({ link: "memory" })]) {
      await withBoard(open, async (b) => {
        await b.configure(encodeConfig(RUN));
        await expect(b.setInputStats(MEAN, STD)).rejects.toThrow(BoardError);
        await expect(b.getInputStats()).rejects.toThrow(BoardError);
        await b.configure(encodeConfig(NORMALIZING));
        await expect(b.setInputStats(MEAN.subarray(1), STD.subarray(1))).rejects.toMatchObject({ status: Status.BAD_RANGE });
      });
    }
  });

  it("costs align8(8 nIn) bytes of plan, the module and the host agree, and only when normalising", async () => {
    const staticBytes = moduleStaticBytes(wasmPath);
    for (const nIn of [1, 3, 4, 17]) {
      const run = { ...NORMALIZING, sizes: [nIn, 8, 3] };
      const plan = await withBoard(() => new DirectBoard(wasmPath), (b) => b.configure(encodeConfig(run)));
      const plain = await withBoard(() => new DirectBoard(wasmPath), (b) => b.configure(encodeConfig({ ...run, normalizeInputs: false })));
      expect(plan.input_stats_bytes).toBe((8 * nIn + 7) & ~7);
      expect(plain.input_stats_bytes).toBe(0);
      expect(plan.total_bytes - plain.total_bytes).toBe(plan.input_stats_bytes);
      expect(computePlan(run, staticBytes)).toEqual(plan);
    }
  });

  it("survives a board restart mid-run: the protocol board restores the statistics with the weights", async () => {
    const fw = new SimulatedFirmware();
    const board = new ProtocolBoard(fw);
    try {
      await board.configure(encodeConfig(NORMALIZING));
      await board.setInputStats(MEAN, STD);
      let restarted = 0;
      for (let epoch = 0; epoch < 3; epoch++) {
        await board.train({
          x: X, t: T, rows: ROWS, nIn: NIN, nT: 1, batch: 8, chunk: NORMALIZING.chunk,
          onBatch: (b) => { if (epoch === 1 && b.index === 2 && restarted === 0) { restarted++; fw.restart(); } },
        });
      }
      expect(restarted).toBe(1);
      expect(board.recoveries).toBeGreaterThan(0);
      expect(bits(await board.getWeights())).toEqual(bits(reference.weights));
      const ev = await board.evaluate(X, T, ROWS, NIN, 1, NORMALIZING.chunk);
      expect(bits(ev.outputs)).toEqual(bits(reference.outputs));
    } finally {
      await board.close();
    }
  });
});
