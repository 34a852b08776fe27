// The emulated C3 holds to its profile: a model whose plan needs more than
// the profile's memory limit is refused by the board itself (its CONFIGURE
// reply), with both numbers, and the board carries on (no trap, no fault:
// the next model trains).
import { afterAll, describe, expect, it } from "vitest";
import path from "node:path";
import { rmDir, tmpDir } from "../helpers/paths";
import { PROFILE, buildFirmware, expectRefusedThenFits, profile, startEmulatedBoard, unavailable, waitForLine } from "./emulated-board";

const skip = unavailable();
const work = tmpDir("edgeprop-emulated-limits-");
afterAll(() => rmDir(work));

describe.skipIf(!!skip)(`the emulated ${PROFILE} board's memory limit (${profile.memory_limit} B)`, () => {
  it("refuses a model over the limit with the numbers, then trains one that fits", async () => {
    const elf = buildFirmware({ isa: "rv32imc", engine: "wasm2c", profile: PROFILE, obj: path.join(work, "obj") });
    const board = await startEmulatedBoard({ elf });
    try {
      await expectRefusedThenFits(board.path, work, profile.memory_limit);
      const stats = await board.waitForStats({ after: board.statsCount() - 1 });
      expect(stats.traps).toBe(0);
      expect(board.banners()).toHaveLength(1);
      expect(board.lines().some((l: string) => l.startsWith("edgeprop: fault"))).toBe(false);
    } finally {
      await board.stop();
    }
  }, 180_000);

  it("a firmware whose heap cannot hold the module's page refuses the load with both numbers (not a fault: picolibc's errno is thread-local)", async () => {
    // 96 KiB of RAM: the 32 KiB stack and static data leave the heap under the 65536-byte page.
    const elf = buildFirmware({ isa: "rv32imc", engine: "wasm2c", profile: PROFILE, obj: path.join(work, "obj-small"), ramBytes: 98304 });
    const board = await startEmulatedBoard({ elf });
    try {
      const stats = await board.waitForStats({ after: 0 });
      expect(stats.heap_limit).toBeLessThan(65536);
      // The page and its guard (wasm-rt: the largest static offset + 8 bytes, at most 4 KiB), against the heap's free bytes.
      const failed = await waitForLine(board, "edgeprop: load failed: ");
      const asked = Number(/the module's memory \((\d+) bytes\)/.exec(failed)?.[1]);
      expect(asked).toBeGreaterThan(65536);
      expect(asked).toBeLessThanOrEqual(65536 + 4096);
      expect(failed).toBe(`edgeprop: load failed: the module's memory (${asked} bytes) does not fit: the heap has ${stats.heap_limit} bytes free`);
      expect(board.lines().some((l: string) => l.startsWith("edgeprop: fault"))).toBe(false);
    } finally {
      await board.stop();
    }
  }, 180_000);
});
