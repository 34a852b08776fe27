// Issue 15, defect 1, on the emulated board: a wasm3 that cannot compile the
// module (its stack-height limit is below what the module's functions need)
// must give a clean "load failed: compile: ..." at boot, never a crash inside
// a training call, and the board keeps answering every frame with that reason.
//   EDGEPROP_M3_INCLUDE=<wasm3>/source
//   EDGEPROP_M3_RV32IMC_LOW_HEIGHT_LIB=<rv32imc build with -Dd_m3MaxFunctionStackHeight=24>/libm3.a
//   EDGEPROP_M3_LOW_HEIGHT_CFLAGS=-Dd_m3MaxFunctionStackHeight=24
import { afterAll, describe, expect, it } from "vitest";
import path from "node:path";
import { goldenCases } from "../helpers/golden";
import { rmDir, tmpDir } from "../helpers/paths";
import { PROFILE, buildFirmware, smallCaseArgs, startEmulatedBoard, trainOverPort, unavailable } from "./emulated-board";

const skip = unavailable();
const work = tmpDir("edgeprop-emulated-m3-low-");
afterAll(() => rmDir(work));
const m3Include = process.env.EDGEPROP_M3_INCLUDE;
const m3Lib = process.env.EDGEPROP_M3_RV32IMC_LOW_HEIGHT_LIB;
const m3Flags = process.env.EDGEPROP_M3_LOW_HEIGHT_CFLAGS;
const why = skip || (!m3Include || !m3Lib || !m3Flags
  ? "set EDGEPROP_M3_INCLUDE, EDGEPROP_M3_RV32IMC_LOW_HEIGHT_LIB and EDGEPROP_M3_LOW_HEIGHT_CFLAGS to an rv32imc wasm3 built with a too low stack-height limit" : "");
if (why && !skip) console.warn(`skipping the emulated wasm3 compile-failure board: ${why}`);

describe.skipIf(!!why)(`the emulated rv32imc board with a wasm3 that cannot compile the module (${why || m3Lib})`, () => {
  it("says load failed: compile at boot, answers a training run with that reason (exit 4), and keeps serving", async () => {
    const elf = buildFirmware({ isa: "rv32imc", engine: "wasm3", profile: PROFILE, obj: path.join(work, "obj"), m3Include, m3Lib, m3Flags });
    const board = await startEmulatedBoard({ elf });
    try {
      expect(board.lines().some((l) => /^edgeprop: load failed: compile: .*stack height/.test(l))).toBe(true);
      const c = goldenCases().find((g) => g.name === "adam-xor-bce")!;
      for (const attempt of [1, 2]) {
        const run = await trainOverPort(board.path, smallCaseArgs(c), path.join(work, `model-${attempt}.json`));
        expect(run.code, `attempt ${attempt}: ${run.stderr}`).toBe(4);
        expect(run.stderr).toMatch(/load failed: compile: .*stack height/);
      }
      // Each attempt's frames were answered with the reason again: the board did not crash or go silent.
      const reports = board.lines().filter((l) => /^edgeprop: load failed: compile:/.test(l)).length;
      expect(reports).toBeGreaterThanOrEqual(3);
      expect(board.lines().some((l) => l.startsWith("edgeprop: fault"))).toBe(false);
    } finally {
      await board.stop();
    }
  }, 300_000);
});
