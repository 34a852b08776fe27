// The OnDeviceLearning example (examples/OnDeviceLearning) on the emulated
// ESP32-C3 (rv32imc, no FPU; QEMU virt): the same .ino as for an ESP32 and
// the POSIX board, cross-compiled with the training API and the emulated
// board's storage (storage_ram.c: RAM that survives a reset). With no host
// attached it collects its sensor's samples, trains and saves; after a
// reset (QEMU's system_reset, the reset button) it says in its banner that
// it restored the saved model and predicts the same bits, which are the
// bits the host computes for the same readings (the module in V8);
// `edgeprop pull` over its pty returns the weights of that host run; and a
// model trained on a PC and pushed with `edgeprop push` is taken over,
// fine-tuned on the board's next readings to the host's bits, saved, and
// restored after the next reset.
import { afterAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";
import { runCli } from "../helpers/cli";
import { readModel } from "../../host/model/model-file";
import { SKETCH, fineTuned, pullSketchModel, inProcessWeights, predictionBits, probePredictionBits, sensorReadings } from "../helpers/on-device-learning-sketch";
import { optimizerDefaults, type RunConfig } from "../../host/model/config";
import { PROFILE, buildFirmware, startEmulatedBoard, unavailable } from "./emulated-board";

const skip = unavailable();
const work = tmpDir("edgeprop-emulated-odl-");
afterAll(() => rmDir(work));

const SKETCH_INO = path.join(repoRoot, "examples", "OnDeviceLearning", "OnDeviceLearning.ino");
const BANNER = /^edgeprop \S+ pr=\d+ me=\d+ bu=[0-9a-f]{8} bo=[0-9a-f]{8}( re=\S+)?$/;

type Board = Awaited<ReturnType<typeof startEmulatedBoard>>;

/** Waits until the board has printed `count` prediction lines in all; its lines. */
async function untilPredictions(board: Board, count: number, what: string, ms = 120_000): Promise<string[]> {
  const end = Date.now() + ms;
  for (;;) {
    const lines = board.lines();
    if (lines.filter((l: string) => l.startsWith("odl: predict ")).length >= count) return lines;
    const failed = lines.find((l: string) => / failed \(\d+\)/.test(l));
    if (failed) throw new Error(`the sketch failed: ${failed}`);
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last lines:\n${lines.slice(-8).join("\n")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!!skip)("OnDeviceLearning on the emulated ESP32-C3 (rv32imc, wasm2c)", () => {
  it("trains with no host, saves; after a reset its banner says it restored the model, which predicts the host's bits; pull returns the host's weights; a pushed PC model is fine-tuned to the host's bits", async () => {
    const elf = buildFirmware({ isa: "rv32imc", engine: "wasm2c", profile: PROFILE, obj: path.join(work, "obj"), sketch: SKETCH_INO });
    const want = await probePredictionBits();
    const board = await startEmulatedBoard({ elf });
    try {
      const first = await untilPredictions(board, 4, "the predictions after training");
      // Nothing saved yet: a plain banner, the board's first line.
      expect(first[0]).toMatch(BANNER);
      expect(first[0]).not.toMatch(/ re=/);
      expect(first).toContain("odl: collecting 160 samples");
      expect(first.some((l: string) => /^odl: trained 30 epochs, loss \d/.test(l))).toBe(true);
      expect(first).toContain("odl: saved");
      // rv32imc soft-float gives the bits V8 gives.
      expect(predictionBits(first)).toEqual(want);

      const bootsBefore = board.banners().length;
      await board.reset();
      const all = await untilPredictions(board, 8, "the predictions after the reset");
      const banners = board.banners();
      expect(banners.length).toBe(bootsBefore + 1);
      const second = all.slice(all.lastIndexOf(banners[banners.length - 1]));
      // The banner says the board came back with its saved model; the details follow.
      expect(second[0]).toMatch(BANNER);
      expect(second[0]).toMatch(/ re=odl$/);
      expect(second[1]).toBe("edgeprop: restored odl from ram (survives a reset, not a power cycle): 65 parameters, step 240");
      expect(second).toContain("odl: restored");
      expect(second).not.toContain("odl: collecting 160 samples");
      expect(predictionBits(second)).toEqual(want);

      // A host attaches to the board that trained itself and pulls the model.
      const out = path.join(work, "pulled.json");
      const pulled = pullSketchModel(board.path, out);
      expect(Array.from(pulled.weights)).toEqual(Array.from(await inProcessWeights()));

      // A model trained on a PC (the CLI on the sensor's readings) is pushed with another optimizer
      // setting; the sketch takes it over, fine-tunes it on its next readings and saves it.
      const csv = path.join(work, "sensor.csv"), pcModel = path.join(work, "pc.json");
      writeFileSync(csv, "x0,x1,y\n" + sensorReadings().map((r) => r.join(",")).join("\n") + "\n");
      const trained = runCli(["sim", "--data", csv, "--layers", "2,16,1", "--act", "tanh", "--loss", "mse", "--opt", "adam", "--lr", "0.01",
        "--epochs", "20", "--seed", "99", "--quiet", "--save", pcModel]);
      expect(trained.stderr).toBe("");
      const pushed = runCli(["push", pcModel, "--port", board.path, "--opt", "adam", "--lr", "0.005", "--seed", "5"]);
      expect(pushed.stderr).toBe("");
      expect(pushed.code).toBe(0);
      expect(pushed.stdout).toMatch(/^push: 2-16-1 mse, 65 parameters, adam lr 0\.005, sample store 128 rows to \S+ \(build [0-9a-f]{8}, boot [0-9a-f]{8}\): plan \d+ of 40960 bytes; kept the board's sample store 128 rows, chunk 16\n$/);
      const pushedRun: RunConfig = { ...SKETCH.run, optimizer: { ...optimizerDefaults("adam"), lr: 0.005 }, seed: 5 };
      // The board booted with its saved model (the reset above): its sensor's first round is next.
      const tuned = await fineTuned(pushedRun, readModel(pcModel).weights, 0);
      const afterPush = await untilPredictions(board, 12, "the predictions after the push");
      const tuning = afterPush.slice(afterPush.lastIndexOf("odl: adopted the host's model"));
      expect(tuning.slice(0, 2)).toEqual(["odl: adopted the host's model", "odl: collecting 160 samples"]);
      expect(tuning).toContain("odl: saved");
      expect(predictionBits(tuning)).toEqual(tuned.bits);
      expect(tuned.bits).not.toEqual(want);
      const again = runCli(["pull", "--port", board.path, "--save", out]);
      expect(again.code, again.stderr).toBe(0);
      expect(Array.from(readModel(out).weights)).toEqual(Array.from(tuned.weights));
      // And the fine-tuned model is what comes back after a reset.
      await board.reset();
      const third = await untilPredictions(board, 16, "the predictions after the second reset");
      expect(board.banners().at(-1)).toMatch(/ re=odl$/);
      expect(predictionBits(third.slice(third.lastIndexOf(board.banners().at(-1)!)))).toEqual(tuned.bits);
    } finally {
      await board.stop();
    }
  }, 300_000);

  const m3Include = process.env.EDGEPROP_M3_INCLUDE, m3Lib = process.env.EDGEPROP_M3_RV32IMC_LIB;
  it.skipIf(!m3Include || !m3Lib)("with wasm3 (EDGEPROP_M3_INCLUDE, EDGEPROP_M3_RV32IMC_LIB): the same bits before and after the reset", async () => {
    const elf = buildFirmware({ isa: "rv32imc", engine: "wasm3", profile: PROFILE, obj: path.join(work, "obj-wasm3"), sketch: SKETCH_INO,
      m3Include, m3Lib, m3Flags: process.env.EDGEPROP_M3_FLAGS });
    const want = await probePredictionBits();
    const board = await startEmulatedBoard({ elf });
    try {
      expect(predictionBits(await untilPredictions(board, 4, "the predictions after training"))).toEqual(want);
      await board.reset();
      const all = await untilPredictions(board, 8, "the predictions after the reset");
      expect(all).toContain("odl: restored");
      expect(board.banners().at(-1)).toMatch(/ re=odl$/);
      expect(predictionBits(all).slice(4)).toEqual(want);
    } finally {
      await board.stop();
    }
  }, 300_000);
});
