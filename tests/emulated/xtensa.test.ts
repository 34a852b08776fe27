// The firmware cross-compiled for the ESP8266's core (Xtensa LX106: call0
// ABI, no FPU; boards/xtensa) on QEMU's XTFPGA board: every golden case
// trains over the emulated UART to --link direct's bits; a reset mid-run is
// survived bit for bit; an int16 model trains to the same bits; the RAM it
// reports stays inside the esp8266 profile's 80 KiB; a model over the
// profile's memory limit is refused by the board with both numbers, and a
// firmware whose heap cannot hold the module's page refuses to load with both
// numbers instead of faulting. QEMU's lx106
// does not trap unaligned accesses (the real core does): pinned below.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { goldenCases } from "../helpers/golden";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";
import { startCli } from "./processes";
import { predictionBits, probePredictionBits } from "../helpers/on-device-learning-sketch";
import { missingTools } from "../../boards/qemu/launch.mjs";
import { buildFirmware, bytesSent, direct, smallCaseArgs, startEmulatedBoard, trainOverPort, trainWithResetAfter, irisModel, expectRefusedThenFits, waitForLine } from "./emulated-board";

const ISA = "lx106", PROFILE = "esp8266";
const profile = JSON.parse(readFileSync(path.join(repoRoot, "boards", "profiles", `${PROFILE}.json`), "utf8"));
/** The ESP8266's data RAM for an application and the firmware's stack (boards/xtensa/Makefile). */
const RAM_BYTES = 81920, STACK_BYTES = 4096;

/** Why the LX106 board cannot run here ("" = it can); in CI a missing tool is a failure, not a skip. */
function unavailable(): string {
  const missing: string[] = missingTools(ISA);
  if (missing.length === 0) return "";
  const why = `the emulated ${ISA} board needs ${missing.join(", ")}`;
  if (process.env.CI === "true") throw new Error(`${why} (CI must install them: scripts/deps.sh)`);
  console.warn(`skipping the emulated ${ISA} tests: ${why}`);
  return why;
}

const skip = unavailable();
const work = tmpDir("edgeprop-emulated-xtensa-");
let elf = "";
beforeAll(() => {
  if (!skip) elf = buildFirmware({ isa: ISA, engine: "wasm2c", profile: PROFILE, obj: path.join(work, "obj") });
}, 600_000);
afterAll(() => rmDir(work));

describe.skipIf(!!skip)(`the emulated ${ISA} board's exceptions`, () => {
  // A real ESP8266 raises LoadStoreAlignment (exccause 9) on an unaligned
  // l32i; QEMU 7.2's lx106 model returns the unaligned word instead, so the
  // golden runs here do not prove that the module never makes one (the
  // checked wasm-rt does: tests/firmware/checked-wasm-rt.test.ts). This pins
  // what the emulator does, so docs/boards.md's claim fails loudly the day a
  // QEMU traps; and an illegal instruction must reach the vectors and fault.c.
  it("an unaligned load returns the unaligned word (no trap in QEMU's lx106); an illegal instruction faults (exccause 0) and powers off with status 1", () => {
    const obj = path.join(work, "obj");
    const make = spawnSync("make", ["-s", "-C", path.join(repoRoot, "boards", "xtensa"), `PROFILE=${PROFILE}`, `OBJ=${obj}`, "unaligned"], { encoding: "utf8" });
    expect(make.status, make.stderr).toBe(0);
    const run = spawnSync("qemu-system-xtensa", ["-machine", "lx60-nommu", "-cpu", "lx106", "-semihosting", "-display", "none",
      "-monitor", "none", "-serial", "stdio", "-kernel", path.join(obj, "unaligned.elf")], { encoding: "latin1", timeout: 30_000 });
    const lines = run.stdout.split(/[\r\n\0]+/).filter(Boolean);
    const announced = lines.find((l) => l.startsWith("edgeprop: unaligned load from "));
    expect(announced, run.stdout).toBeDefined();
    expect(parseInt(/0x([0-9a-f]{8})$/.exec(announced!)![1]!, 16) % 4).toBe(1);
    // words = {0x11223344, 0x55667788} little-endian; the word at byte 1 is 33 22 11 88.
    expect(lines).toContain("edgeprop: unaligned load returned 0x88112233");
    expect(lines).toContain("edgeprop: illegal instruction next");
    expect(lines).toContainEqual(expect.stringMatching(/^edgeprop: fault exccause=0x00000000 epc1=0x402[0-9a-f]{5} excvaddr=0x[0-9a-f]{8}$/));
    expect(run.status).toBe(1);
  }, 120_000);
});

describe.skipIf(!!skip)(`the emulated ${ISA} board (${PROFILE}, wasm2c) gives --link direct's bits`, () => {
  for (const c of goldenCases()) {
    it(`${c.name}`, async () => {
      const args = smallCaseArgs(c);
      const want = direct(args, path.join(work, `${c.name}-direct.json`));
      const board = await startEmulatedBoard({ elf });
      try {
        const before = board.statsCount();
        const out = path.join(work, `${c.name}-${ISA}.json`);
        const run = await trainOverPort(board.path, args, out);
        expect(run.stderr, run.stderr).toBe("");
        expect(run.code).toBe(0);
        expect(readFileSync(out).equals(want)).toBe(true);
        const stats = await board.waitForStats({ after: before, rxBytes: bytesSent(run.stdout) });
        expect(stats.engine).toBe("wasm2c");
        expect(stats.isa).toBe(ISA);
        expect(stats.traps).toBe(0);
        expect(board.banners()).toHaveLength(1);
        // One 64 KiB page in the heap, all of it inside the ESP8266's 80 KiB with the stack.
        expect(stats.heap_peak).toBeGreaterThanOrEqual(profile.pages * 65536);
        expect(stats.heap_peak).toBeLessThanOrEqual(stats.heap_limit);
        expect(stats.stack_peak).toBeGreaterThan(0);
        expect(stats.stack_peak).toBeLessThan(stats.stack_limit);
        expect(stats.stack_limit).toBe(STACK_BYTES);
        expect(stats.ram).toBe(RAM_BYTES);
        expect(stats.heap_limit + stats.stack_limit).toBeLessThanOrEqual(stats.ram);
      } finally {
        await board.stop();
      }
    }, 180_000);
  }
});

describe.skipIf(!!skip)(`int16 on the emulated ${ISA} board (wasm2c)`, () => {
  // The ESP8266 is one of the boards int16 is for (no FPU): the same small case as
  // tests/int16/emulated.test.ts on the C3, to --link direct's bits on the LX106.
  it("spiral 2-8-8-3 relu/ce/adam --precision int16, one epoch: --link direct's model file", async () => {
    const args = ["--dataset", "spiral", "--layers", "2,8,8,3", "--loss", "ce", "--opt", "adam", "--lr", "0.02", "--batch", "16",
      "--chunk", "8", "--epochs", "1", "--seed", "3", "--precision", "int16", "--no-shuffle"];
    const want = direct(args, path.join(work, "int16-direct.json"));
    const board = await startEmulatedBoard({ elf });
    try {
      const before = board.statsCount();
      const out = path.join(work, `int16-${ISA}.json`);
      const run = await trainOverPort(board.path, args, out);
      expect(run.stderr, run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(readFileSync(out).equals(want)).toBe(true);
      const stats = await board.waitForStats({ after: before, rxBytes: bytesSent(run.stdout) });
      expect(stats.isa).toBe(ISA);
      expect(stats.traps).toBe(0);
    } finally {
      await board.stop();
    }
  }, 180_000);
});

describe.skipIf(!!skip)(`sim --emulate ${PROFILE}`, () => {
  it("trains on the LX106 firmware to --link direct's bits and reports the board's figures within the ESP8266's RAM", async () => {
    const c = goldenCases().find((g) => g.name === "adam-xor-bce")!;
    const args = smallCaseArgs(c);
    const want = direct(args, path.join(work, "sim-direct.json"));
    const out = path.join(work, "sim-emulated.json");
    // The CLI builds the firmware into boards/xtensa/obj (make: up to date after the first run).
    const run = startCli(["sim", ...args, "--emulate", PROFILE, "--json", "--save", out]);
    const { code } = await run.exited;
    expect(run.stderr()).toBe("");
    expect(code).toBe(0);
    expect(readFileSync(out).equals(want)).toBe(true);
    const done = run.stdout().split("\n").filter((l) => l.includes('"event":"done"')).map((l) => JSON.parse(l))[0];
    expect(done.board_instructions).toBeGreaterThan(0);
    expect(done.board_heap_peak_bytes).toBeGreaterThanOrEqual(65536);
    expect(done.board_heap_peak_bytes + STACK_BYTES).toBeLessThanOrEqual(RAM_BYTES);
    expect(done.board_stack_peak_bytes).toBeLessThan(STACK_BYTES);
  }, 300_000);
});

describe.skipIf(!!skip)(`a reset of the emulated ${ISA} board mid-run`, () => {
  it("is survived with --link direct's bits", async () => {
    const c = goldenCases().find((g) => g.name === "adam-xor-bce")!;
    const args = smallCaseArgs(c, 20);
    const want = direct(args, path.join(work, "reset-direct.json"));
    const board = await startEmulatedBoard({ elf });
    try {
      const out = path.join(work, "reset-port.json");
      // Reset once the second of 20 epochs has been reported.
      const run = await trainWithResetAfter(board, args, out, 2);
      expect(run.stderr, run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(new Set(board.banners()).size, "the board rebooted once, with a new boot id").toBe(2);
      expect(readFileSync(out).equals(want)).toBe(true);
    } finally {
      await board.stop();
    }
  }, 180_000);
});

describe.skipIf(!!skip)(`the emulated ${ISA} board's memory`, () => {

  it(`refuses a model over the ${PROFILE} profile's limit with both numbers, then trains one that fits`, async () => {
    const board = await startEmulatedBoard({ elf });
    try {
      await expectRefusedThenFits(board.path, work, profile.memory_limit);
      expect(board.banners()).toHaveLength(1);
      expect(board.lines().some((l: string) => l.startsWith("edgeprop: fault"))).toBe(false);
    } finally {
      await board.stop();
    }
  }, 180_000);

  it("a heap too small for the module's page: the load is refused with both numbers, not a CPU fault", async () => {
    // 64 KiB of RAM: static data and the 4 KiB stack leave the heap under the 65536-byte page.
    const small = buildFirmware({ isa: ISA, engine: "wasm2c", profile: PROFILE, obj: path.join(work, "obj-small"), wasm: path.join(work, "obj", "edgeprop.wasm"), ramBytes: 65536 });
    const board = await startEmulatedBoard({ elf: small });
    try {
      const stats = await board.waitForStats({ after: 0 });
      const failed = await waitForLine(board, "edgeprop: load failed: ");
      // The page and its guard (wasm-rt: the largest static offset + 8 bytes, at most 4 KiB), against the heap's free bytes.
      const asked = Number(/the module's memory \((\d+) bytes\)/.exec(failed ?? "")?.[1]);
      expect(asked).toBeGreaterThan(65536);
      expect(asked).toBeLessThanOrEqual(65536 + 4096);
      expect(failed).toBe(`edgeprop: load failed: the module's memory (${asked} bytes) does not fit: the heap has ${stats.heap_limit} bytes free`);
      expect(stats.heap_limit).toBeLessThan(65536);
      const run = await trainOverPort(board.path, irisModel("4,8,3"), path.join(work, "none.json"));
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(`the module's memory (${asked} bytes)`);
      expect(run.stderr).toContain(String(stats.heap_limit));
      expect(board.lines().some((l: string) => l.startsWith("edgeprop: fault"))).toBe(false);
    } finally {
      await board.stop();
    }
  }, 180_000);
});

describe.skipIf(!!skip)(`OnDeviceLearning on the emulated ${ISA} board (wasm2c)`, () => {
  it("trains with no host and saves; after a reset it restores the model; both predict the host's bits", async () => {
    const sketch = path.join(repoRoot, "examples", "OnDeviceLearning", "OnDeviceLearning.ino");
    const odl = buildFirmware({ isa: ISA, engine: "wasm2c", profile: PROFILE, obj: path.join(work, "obj"), sketch });
    const want = await probePredictionBits();
    const board = await startEmulatedBoard({ elf: odl });
    const predictions = async (count: number): Promise<string[]> => {
      const end = Date.now() + 120_000;
      for (;;) {
        const lines = board.lines();
        if (lines.filter((l: string) => l.startsWith("odl: predict ")).length >= count) return lines;
        if (Date.now() > end) throw new Error(`timed out waiting for ${count} predictions:\n${lines.slice(-8).join("\n")}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      const first = await predictions(4);
      expect(first).toContain("odl: saved");
      expect(predictionBits(first)).toEqual(want);
      await board.reset();
      const all = await predictions(8);
      const banner = board.banners().at(-1)!;
      expect(banner).toMatch(/ re=odl$/);
      const second = all.slice(all.lastIndexOf(banner));
      expect(second).toContain("odl: restored");
      expect(second).not.toContain("odl: collecting 160 samples");
      expect(predictionBits(second)).toEqual(want);
    } finally {
      await board.stop();
    }
  }, 300_000);
});
