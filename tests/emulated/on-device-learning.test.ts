// The OnDeviceLearning example (examples/OnDeviceLearning) on the emulated
// ESP32-C3 (rv32imc, no FPU; QEMU virt): the same .ino as for an ESP32 and
// the POSIX board, cross-compiled with the training API and the emulated
// board's storage (storage_ram.c: RAM that survives a reset). With no host
// attached it collects its sensor's samples, trains and saves; after a
// reset (QEMU's system_reset, the reset button) it says in its banner that
// it restored the saved model and predicts the same bits, which are the
// bits the host computes for the same readings (the module in V8); and
// `edgeprop pull` over its pty returns the weights of that host run.
import { afterAll, describe, expect, it } from "vitest";
import path from "node:path";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";
import { runCli } from "../helpers/cli";
import { readModel } from "../../host/model-file";
import { SKETCH, inProcessWeights, predictionBits, probePredictionBits } from "../helpers/on-device-learning-sketch";
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
  it("trains with no host, saves; after a reset its banner says it restored the model, which predicts the host's bits; pull returns the host's weights", async () => {
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
      const r = runCli(["pull", "--port", board.path, "--save", out]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^pull: 2-16-1 mse, 65 parameters at step 240 from /);
      const pulled = readModel(out);
      expect(pulled.sizes).toEqual(SKETCH.run.sizes);
      expect(Array.from(pulled.weights)).toEqual(Array.from(await inProcessWeights()));
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
