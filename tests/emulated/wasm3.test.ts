// The emulated board with wasm3, the boards' interpreter, against a libm3.a
// that the developer cross-built for each ISA (no package ships one; the
// project never builds wasm3):
//   EDGEPROP_M3_INCLUDE=<wasm3>/source
//   EDGEPROP_M3_RV32IMC_LIB=<rv32imc build>/libm3.a  EDGEPROP_M3_RV32IMFC_LIB=<rv32imfc build>/libm3.a
//   EDGEPROP_M3_FLAGS="-Dd_m3MaxFunctionStackHeight=256"  (the d_m3 flags the library was built with)
// Every golden case (2 epochs) trains to --link direct's bits.
import { afterAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { goldenCases } from "../helpers/golden";
import { rmDir, tmpDir } from "../helpers/paths";
import { ISAS, PROFILE, buildFirmware, direct, bytesSent, smallCaseArgs, startEmulatedBoard, trainOverPort, unavailable } from "./emulated-board";

const skip = unavailable();
const work = tmpDir("edgeprop-emulated-m3-");
afterAll(() => rmDir(work));
const m3Include = process.env.EDGEPROP_M3_INCLUDE;
const m3Flags = process.env.EDGEPROP_M3_FLAGS;

for (const isa of ISAS) {
  const libVar = `EDGEPROP_M3_${isa.toUpperCase()}_LIB`;
  const m3Lib = process.env[libVar];
  const why = skip || (!m3Include || !m3Lib ? `set EDGEPROP_M3_INCLUDE and ${libVar} to a wasm3 cross-built for ${isa}` : "");
  if (why && !skip) console.warn(`skipping the emulated ${isa} wasm3 board: ${why}`);
  describe.skipIf(!!why)(`the emulated ${isa} board with wasm3 (${why || m3Lib})`, () => {
    it("gives --link direct's bits for every golden case", async () => {
      const elf = buildFirmware({ isa, engine: "wasm3", profile: PROFILE, obj: path.join(work, `obj-${isa}`), m3Include, m3Lib, m3Flags });
      for (const c of goldenCases()) {
        const args = smallCaseArgs(c);
        const want = direct(args, path.join(work, `${c.name}-direct.json`));
        const board = await startEmulatedBoard({ elf });
        try {
          const before = board.statsCount();
          const out = path.join(work, `${c.name}-${isa}.json`);
          const run = await trainOverPort(board.path, args, out);
          expect(run.stderr, `${c.name}: ${run.stderr}`).toBe("");
          expect(run.code, c.name).toBe(0);
          expect(readFileSync(out).equals(want), c.name).toBe(true);
          const stats = await board.waitForStats({ after: before, rxBytes: bytesSent(run.stdout) });
          expect(stats.rx_bytes).toBeGreaterThanOrEqual(bytesSent(run.stdout));
          expect(stats.engine).toBe("wasm3");
          expect(stats.traps, c.name).toBe(0);
          expect(stats.heap_peak).toBeLessThanOrEqual(stats.heap_limit);
          expect(stats.stack_peak).toBeLessThan(stats.stack_limit);
        } finally {
          await board.stop();
        }
      }
    }, 600_000);

    // Issue 15: a long module call must feed the task watchdog from inside
    // (engine_wasm3.c's m3_Yield calls ep_hal_feed_watchdog every 32 wasm
    // calls), or a real board's 5 s task watchdog resets it mid-call. The
    // firmware counts the most feeds made inside one module call.
    it("feeds the watchdog during a long module call", async () => {
      const elf = buildFirmware({ isa, engine: "wasm3", profile: PROFILE, obj: path.join(work, `obj-${isa}`), m3Include, m3Lib, m3Flags });
      const board = await startEmulatedBoard({ elf });
      try {
        const before = board.statsCount();
        const args = ["--dataset", "xor", "--layers", "2,32,32,1", "--loss", "bce", "--epochs", "1", "--batch", "64", "--chunk", "64"];
        const run = await trainOverPort(board.path, args, path.join(work, `watchdog-${isa}.json`));
        expect(run.stderr).toBe("");
        expect(run.code).toBe(0);
        const stats = await board.waitForStats({ after: before, rxBytes: bytesSent(run.stdout) });
        expect(stats.traps).toBe(0);
        expect(stats.watchdog_feeds_one_call).toBeGreaterThanOrEqual(10);
        expect(stats.watchdog_feeds).toBeGreaterThanOrEqual(stats.watchdog_feeds_one_call);
      } finally {
        await board.stop();
      }
    }, 600_000);
  });
}
