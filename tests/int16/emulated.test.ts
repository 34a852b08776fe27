// int16 on the emulated ESP32-C3 (rv32imc, no FPU: the board int16 is for):
// the firmware cross-compiled with wasm2c, bare metal on QEMU, trains a small
// int16 model over its emulated UART (`train --port --precision int16`) to
// --link direct's bits. One small case: the engine agreement of every int16
// rule is engines.test.ts's and reference.ts's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { rmDir, tmpDir } from "../helpers/paths";
import { PROFILE, buildFirmware, direct, startEmulatedBoard, trainOverPort, unavailable } from "../emulated/emulated-board";

const skip = unavailable();
const work = tmpDir("edgeprop-int16-emulated-");
let elf = "";

const ARGS = ["--dataset", "spiral", "--layers", "2,8,8,3", "--loss", "ce", "--opt", "adam", "--lr", "0.02", "--batch", "16",
  "--chunk", "8", "--epochs", "1", "--seed", "3", "--precision", "int16", "--no-shuffle"];

beforeAll(() => {
  if (skip) return;
  elf = buildFirmware({ isa: "rv32imc", engine: "wasm2c", profile: PROFILE, obj: path.join(work, "obj") });
}, 600_000);
afterAll(() => rmDir(work));

describe.skipIf(!!skip)("int16 on the emulated rv32imc board (wasm2c)", () => {
  it("spiral 2-8-8-3 relu/ce/adam, one epoch: --link direct's model file", async () => {
    const want = direct(ARGS, path.join(work, "direct.json"));
    const board = await startEmulatedBoard({ elf });
    try {
      const out = path.join(work, "board.json");
      const run = await trainOverPort(board.path, ARGS, out);
      expect(run.stderr, run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(readFileSync(out).equals(want)).toBe(true);
    } finally {
      await board.stop();
    }
  }, 300_000);
});
