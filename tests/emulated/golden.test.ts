// The firmware cross-compiled for the ESP32-C3's ISA (rv32imc, soft-float)
// and for a single-precision FPU core (rv32imfc), bare metal on QEMU's
// riscv32 `virt` machine, trains every golden case over its emulated UART
// with `edgeprop train --port` to --link direct's bits; and the RAM it
// reports (heap and stack high-water) stays within what its profile gives.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { goldenCases } from "../helpers/golden";
import { rmDir, tmpDir } from "../helpers/paths";
import { ISAS, PROFILE, buildFirmware, direct, profile, bytesSent, smallCaseArgs, startEmulatedBoard, trainOverPort, unavailable } from "./emulated-board";

const skip = unavailable();
const cases = goldenCases();
const work = tmpDir("edgeprop-emulated-");
const firmware: Record<string, string> = {};

beforeAll(() => {
  if (skip) return;
  const wasm = path.join(work, "edgeprop.wasm");
  for (const isa of ISAS) {
    // The first build makes the module for the profile; the second reuses it.
    const obj = path.join(work, `obj-${isa}`);
    firmware[isa] = buildFirmware({ isa, engine: "wasm2c", profile: PROFILE, obj, wasm: isa === ISAS[0] ? undefined : wasm });
    if (isa === ISAS[0]) copyFileSync(path.join(obj, "edgeprop.wasm"), wasm);
  }
}, 600_000);
afterAll(() => rmDir(work));

for (const isa of ISAS) {
  describe.skipIf(!!skip)(`the emulated ${isa} board (wasm2c) gives --link direct's bits`, () => {
    for (const c of cases) {
      it(`${c.name}`, async () => {
        const args = smallCaseArgs(c);
        const want = direct(args, path.join(work, `${c.name}-direct.json`));
        const board = await startEmulatedBoard({ elf: firmware[isa] });
        try {
          const before = board.statsCount();
          const out = path.join(work, `${c.name}-${isa}.json`);
          const run = await trainOverPort(board.path, args, out);
          expect(run.stderr, run.stderr).toBe("");
          expect(run.code).toBe(0);
          expect(readFileSync(out).equals(want)).toBe(true);
          // The board goes idle after the last reply and reports what it used.
          const stats = await board.waitForStats({ after: before, rxBytes: bytesSent(run.stdout) });
          expect(stats.rx_bytes).toBeGreaterThanOrEqual(bytesSent(run.stdout));
          expect(stats.engine).toBe("wasm2c");
          expect(stats.isa).toBe(isa);
          expect(stats.traps).toBe(0);
          expect(stats.watchdog_feeds).toBe(0); // wasm2c has no hook inside a call (wasm3.test.ts checks wasm3's)
          expect(board.banners()).toHaveLength(1);
          // wasm2c allocates the module's whole declared memory (the profile's pages).
          expect(stats.heap_peak).toBeGreaterThanOrEqual(profile.pages * 65536);
          expect(stats.heap_peak).toBeLessThanOrEqual(stats.heap_limit);
          expect(stats.stack_peak).toBeGreaterThan(0);
          expect(stats.stack_peak).toBeLessThan(stats.stack_limit);
          expect(stats.heap_limit + stats.stack_limit).toBeLessThanOrEqual(stats.ram);
        } finally {
          await board.stop();
        }
      }, 180_000);
    }
  });
}
