// The emulated board reboots in the middle of a run (QEMU's system_reset:
// the CPU restarts the firmware from its reset vector, the module's memory is
// gone, the pty stays): `train --port` notices the new banner, restores the
// session from its snapshot and finishes with --link direct's bits, exactly
// as with the simulated board; with --resident the host fills the rebooted
// board's sample store again and replays the epoch. Three resets in one run
// are three restarts (counted by boot id), not the 5 allowed used up by the
// NO_SESSION refusals of the requests in flight (issue 20, item 2).
import { afterAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { goldenCases } from "../helpers/golden";
import { rmDir, tmpDir } from "../helpers/paths";
import { PROFILE, buildFirmware, direct, smallCaseArgs, startEmulatedBoard, trainOverPort, trainWithResetAfter, unavailable } from "./emulated-board";

const skip = unavailable();
const work = tmpDir("edgeprop-emulated-reset-");
let elf = "";
afterAll(() => rmDir(work));

describe.skipIf(!!skip)("a reset of the emulated board mid-run", () => {
  it.each([["streamed", []], ["resident", ["--resident"]]] as const)("is survived with --link direct's bits (rv32imc, wasm2c, %s)", async (_how, extra) => {
    const c = goldenCases().find((g) => g.name === "adam-xor-bce")!;
    const args = [...smallCaseArgs(c, 20), ...extra];
    const want = direct(args, path.join(work, "direct.json"));
    elf ||= buildFirmware({ isa: "rv32imc", engine: "wasm2c", profile: PROFILE, obj: path.join(work, "obj") });
    const board = await startEmulatedBoard({ elf });
    try {
      const out = path.join(work, "port.json");
      // Reset once the second of 20 epochs has been reported.
      const run = await trainWithResetAfter(board, args, out, 2);
      expect(run.stderr, run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(board.banners().length, "the board did not reboot").toBe(2);
      expect(new Set(board.banners()).size, "a reboot gives a new boot id").toBe(2);
      // The host went on talking to the rebooted board (its byte count starts
      // again at boot): the reset came during the run, not after it.
      const lines = board.lines();
      const rebootAt = lines.lastIndexOf(board.banners()[1]);
      const statsBeforeReboot = lines.slice(0, rebootAt).filter((l: string) => l.startsWith("edgeprop: stats ")).length;
      const afterReboot = await board.waitForStats({ after: statsBeforeReboot, rxBytes: 1 });
      expect(afterReboot.traps).toBe(0);
      expect(readFileSync(out).equals(want)).toBe(true);
    } finally {
      await board.stop();
    }
  }, 180_000);

  it("three resets in one run (issue 20, item 2: counted by boot id, one each): survived with --link direct's bits", async () => {
    const c = goldenCases().find((g) => g.name === "adam-xor-bce")!;
    const args = smallCaseArgs(c, 20);
    const want = direct(args, path.join(work, "direct3.json"));
    elf ||= buildFirmware({ isa: "rv32imc", engine: "wasm2c", profile: PROFILE, obj: path.join(work, "obj") });
    const board = await startEmulatedBoard({ elf });
    try {
      const out = path.join(work, "port3.json");
      // After the 2nd, 6th and 10th of 20 epochs are reported: each reset meets a board the host restored.
      const at = [2, 6, 10];
      const resets: Promise<void>[] = [];
      const run = await trainOverPort(board.path, args, out, (stdout) => {
        const epochs = (stdout.match(/"event":"epoch"/g) ?? []).length;
        if (resets.length < at.length && epochs >= at[resets.length]!) resets.push(board.reset());
      });
      await Promise.all(resets);
      expect(resets.length, "the run ended before the resets were sent").toBe(3);
      expect(run.stderr, run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(new Set(board.banners()).size, "four boots, four boot ids").toBe(4);
      expect(readFileSync(out).equals(want)).toBe(true);
    } finally {
      await board.stop();
    }
  }, 180_000);
});
