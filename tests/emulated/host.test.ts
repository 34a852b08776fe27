// The host on the emulated board: `sim --emulate esp32-c3` trains a golden
// case through the real firmware under QEMU to --link direct's bits, and its
// done event carries the board's own figures within the profile's RAM;
// `board --emulate` prints a pty that `train --port` trains on; neither
// leaves qemu behind after SIGTERM or kill -9 of the CLI.
import { afterAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { goldenCases } from "../helpers/golden";
import { jsonLines } from "../helpers/cli";
import { rmDir, tmpDir } from "../helpers/paths";
import { PROFILE, direct, profile, smallCaseArgs, trainOverPort, unavailable } from "./emulated-board";
import { descendants, killAll, startCli, survivors, waitForOutput } from "./processes";

const skip = unavailable();
const work = tmpDir("edgeprop-emulated-host-");
afterAll(() => rmDir(work));
const CASE = "adam-xor-bce";
/** The emulated C3's RAM and the firmware's stack (boards/qemu/Makefile): what the board_* figures must stay within. */
const RAM_BYTES = 327680, STACK_BYTES = 32768;
const started: number[] = [];
afterAll(() => killAll(started));

function expectBoardFigures(done: any): void {
  expect(done.board_instructions).toBeGreaterThan(0);
  expect(done.board_heap_peak_bytes).toBeGreaterThanOrEqual(profile.pages * 65536); // wasm2c: the module's whole memory
  expect(done.board_heap_peak_bytes + STACK_BYTES).toBeLessThanOrEqual(RAM_BYTES);
  expect(done.board_stack_peak_bytes).toBeGreaterThan(0);
  expect(done.board_stack_peak_bytes).toBeLessThan(STACK_BYTES);
}

const qemuOf = (pid: number) => descendants(pid).filter((d) => d.cmd.includes("qemu-system-riscv32"));

describe("the emulated board's tools", () => {
  it("without QEMU or the cross toolchain, sim --emulate names what to install and exits 2 before any work", async () => {
    const run = startCli(["sim", "--dataset", "xor", "--epochs", "1", "--emulate", PROFILE], { PATH: "/nonexistent" });
    const { code } = await run.exited;
    expect(code).toBe(2);
    expect(run.stderr()).toMatch(/qemu-system-riscv32 \(apt-get install qemu-system-misc\)/);
    expect(run.stderr()).toMatch(/gcc-riscv64-unknown-elf/);
    expect(run.stderr()).toContain("scripts/deps.sh");
    expect(run.stdout()).toBe("");
  }, 60_000);
});

describe.skipIf(!!skip)("the host on the emulated board", () => {
  const c = goldenCases().find((g) => g.name === CASE)!;
  const args = smallCaseArgs(c);
  const want = () => direct(args, path.join(work, "direct.json"));

  it(`sim --emulate ${PROFILE} gives --link direct's bits and reports the board's figures`, async () => {
    const out = path.join(work, "emulated.json");
    const run = startCli(["sim", ...args, "--emulate", PROFILE, "--json", "--save", out]);
    started.push(run.child.pid!);
    const { code } = await run.exited;
    expect(run.stderr()).toBe("");
    expect(code).toBe(0);
    expect(readFileSync(out).equals(want())).toBe(true);
    const done = jsonLines(run.stdout()).find((e) => e.event === "done");
    expectBoardFigures(done);
  }, 300_000);

  // Under -icount the count is the module's instructions: two runs agree to a
  // few instructions in millions (the pump hands the module the bytes in the
  // chunks the UART delivered them, which follows the host's timing: one more
  // rx call or a frame's scan split differently). Without -icount minstret
  // follows the host's clock and the two runs differ by percents.
  it(`sim --emulate ${PROFILE}'s board_instructions are instructions: two runs of the same case count the same`, async () => {
    const count = async (): Promise<number> => {
      const run = startCli(["sim", ...smallCaseArgs(c, 1), "--emulate", PROFILE, "--json"]);
      started.push(run.child.pid!);
      const { code } = await run.exited;
      expect(run.stderr()).toBe("");
      expect(code).toBe(0);
      const done = jsonLines(run.stdout()).find((e) => e.event === "done");
      expect(Number.isInteger(done.board_instructions)).toBe(true);
      return done.board_instructions;
    };
    const first = await count(), second = await count();
    expect(Math.abs(second - first)).toBeLessThanOrEqual(first * 1e-5);
  }, 300_000);

  it("board --emulate prints a port that train --port trains on; SIGTERM stops it and qemu", async () => {
    const board = startCli(["board", "--emulate", PROFILE]);
    started.push(board.child.pid!);
    const port = await waitForOutput(board, (s) => /^(\/dev\/\S+)\n/.exec(s)?.[1]);
    const qemu = qemuOf(board.child.pid!).map((d) => d.pid);
    expect(qemu).toHaveLength(1);
    started.push(...qemu);
    const out = path.join(work, "port.json");
    const run = await trainOverPort(port, args, out);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(readFileSync(out).equals(want())).toBe(true);
    expectBoardFigures(jsonLines(run.stdout).find((e) => e.event === "done"));
    board.child.kill("SIGTERM");
    expect((await board.exited).code).toBe(0);
    expect(await survivors(qemu)).toEqual([]);
  }, 300_000);

  it("kill -9 of board --emulate leaves no qemu", async () => {
    const board = startCli(["board", "--emulate", PROFILE]);
    started.push(board.child.pid!);
    await waitForOutput(board, (s) => /^(\/dev\/\S+)\n/.exec(s)?.[1]);
    const qemu = qemuOf(board.child.pid!).map((d) => d.pid);
    expect(qemu).toHaveLength(1);
    started.push(...qemu);
    board.child.kill("SIGKILL");
    await board.exited;
    expect(await survivors(qemu)).toEqual([]);
  }, 300_000);

  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    it(`${signal} of sim --emulate in the middle of training leaves no qemu`, async () => {
      const run = startCli(["sim", ...smallCaseArgs(c, 500), "--emulate", PROFILE, "--json"]);
      started.push(run.child.pid!);
      await waitForOutput(run, (s) => (s.includes('"event":"epoch"') ? true : undefined));
      const qemu = qemuOf(run.child.pid!).map((d) => d.pid);
      expect(qemu).toHaveLength(1);
      started.push(...qemu);
      run.child.kill(signal);
      await run.exited;
      expect(await survivors(qemu)).toEqual([]);
    }, 300_000);
  }
});
