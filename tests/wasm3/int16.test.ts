// Issue 22: `--precision int16` gives the same bits under wasm3, the boards'
// interpreter, as on V8 (--link direct): the saved model file byte for byte
// and every epoch's loss, accuracy, lr and gradient norms. Three wasm3 paths,
// each run when its build is given (wasm3-builds.ts; docs/boards.md,
// "Building wasm3 for the tests", says how to make them), skipped with the
// reason printed otherwise:
//   - the POSIX pump built with ENGINE=wasm3 against a native libm3.a, as a
//     process (sim --engine exec:);
//   - build/edgeprop-wasi.wasm under the wasm3 command line (sim --engine wasi:);
//   - the emulated ESP32-C3 firmware with wasm3 cross-built for rv32imc (no
//     FPU: the board int16 is for) and rv32imfc, over QEMU's UART (train --port).
// The same flags in f32 train to other bits on V8, so a wasm3 path that lost
// the precision byte (or an f32 engine answering) fails here.
import { afterAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { buildBoard, crossBuild, normalBuild, SKIP_CLI, SKIP_NORMAL, wasm3Cli } from "./wasm3-builds";
import { jsonLines, runCli } from "../helpers/cli";
import { rmDir, tmpDir, wasmPath } from "../helpers/paths";
import { ISAS, PROFILE, buildFirmware, startEmulatedBoard, trainOverPort, unavailable } from "../emulated/emulated-board";

const work = tmpDir("edgeprop-w3-int16-");
afterAll(() => rmDir(work));

/** Each case takes a different int16 path: the integer Adam step (docs/int16.md §9) with CE and requantized
 * ReLU layers over 3 chunks per batch; momentum with weight decay and MSE; AdamW with BCE and a partial chunk. */
const CASES: Record<string, string[]> = {
  "spiral-ce-adam": ["--dataset", "spiral", "--layers", "2,12,10,3", "--loss", "ce", "--opt", "adam", "--lr", "0.02",
    "--batch", "24", "--chunk", "8", "--epochs", "3", "--seed", "5"],
  "sine-mse-momentum": ["--dataset", "sine", "--layers", "1,16,16,1", "--loss", "mse", "--opt", "momentum", "--momentum", "0.9",
    "--weight-decay", "0.001", "--lr", "0.05", "--batch", "20", "--chunk", "8", "--epochs", "3", "--seed", "7"],
  "xor-bce-adamw": ["--dataset", "xor", "--layers", "2,8,1", "--loss", "bce", "--opt", "adamw", "--lr", "0.05",
    "--batch", "20", "--chunk", "12", "--epochs", "2", "--seed", "11"],
};
/** The emulated boards interpret the module under QEMU: one small case, one epoch. */
const EMULATED_ARGS = ["--dataset", "spiral", "--layers", "2,8,8,3", "--loss", "ce", "--opt", "adam", "--lr", "0.02", "--batch", "16",
  "--chunk", "8", "--epochs", "1", "--seed", "3", "--no-shuffle"];
const INT16 = ["--precision", "int16"];

interface Run { model: Buffer; epochs: unknown[] }

/** A run's saved model and its epoch events without the wall-clock time. */
function runOf(stdout: string, out: string): Run {
  const epochs = jsonLines(stdout).filter((e) => e.event === "epoch").map(({ seconds: _, ...rest }) => rest);
  return { model: readFileSync(out), epochs };
}

function sim(name: string, args: string[], engine: string[]): Run {
  const out = path.join(work, `${name}.json`);
  const r = runCli(["sim", ...args, ...engine, "--json", "--save", out]);
  expect(r.stderr, r.stderr).toBe("");
  expect(r.code).toBe(0);
  return runOf(r.stdout, out);
}

const reference = new Map<string, Run>();
/** --link direct's run (V8) for these flags, made once. */
function direct(name: string, args: string[]): Run {
  if (!reference.has(name)) reference.set(name, sim(`${name}-direct`, args, ["--link", "direct"]));
  return reference.get(name)!;
}

function expectSameBits(got: Run, want: Run, what: string): void {
  expect(got.epochs.length, what).toBeGreaterThan(0);
  expect(got.epochs, what).toEqual(want.epochs);
  expect(got.model.equals(want.model), `${what}: the saved model differs from --link direct's`).toBe(true);
}

/** Every case's int16 run on `engine` against --link direct's; the f32 control once per case. */
function checkCases(label: string, engine: () => string[]): void {
  for (const [name, args] of Object.entries(CASES)) {
    it(`${name}: int16 under ${label} gives --link direct's model file and epoch figures (f32 gives others)`, () => {
      const want = direct(`${name}-int16`, [...args, ...INT16]);
      const f32 = direct(`${name}-f32`, args);
      expect(f32.model.equals(want.model), `${name}: f32 and int16 saved the same model`).toBe(false);
      expect(f32.epochs).not.toEqual(want.epochs);
      expectSameBits(sim(`${name}-${label.replace(/\W+/g, "-")}`, [...args, ...INT16], engine()), want, `${name} on ${label}`);
    }, 300_000);
  }
}

const skipped = (what: string, why: string) => { if (why) console.warn(`skipping ${what}: ${why}`); return why; };

describe.skipIf(!!skipped("int16 on the wasm3 pump", SKIP_NORMAL))(
  `int16 on the POSIX pump with wasm3 ${SKIP_NORMAL ? `(skipped: ${SKIP_NORMAL})` : ""}`, () => {
    let bin = "";
    it("builds", () => {
      bin = buildBoard(normalBuild!, normalBuild!.lib, normalBuild!.cflags, path.join(work, "board"));
    }, 120_000);
    checkCases("the wasm3 pump", () => ["--engine", `exec:${bin} ${wasmPath}`]);
  });

describe.skipIf(!!skipped("int16 on the wasm3 command line", SKIP_CLI))(
  `int16 on the wasm3 command line (WASI) ${SKIP_CLI ? `(skipped: ${SKIP_CLI})` : ""}`, () => {
    checkCases("wasi:wasm3", () => ["--engine", `wasi:${wasm3Cli}`]);
  });

const noEmulator = unavailable();
for (const isa of ISAS) {
  const { build, skip: noBuild } = crossBuild(isa);
  const why = skipped(`int16 on the emulated ${isa} board with wasm3`, noEmulator || noBuild);
  describe.skipIf(!!why)(`int16 on the emulated ${isa} board with wasm3 ${why ? `(skipped: ${why})` : ""}`, () => {
    it("spiral 2-8-8-3 relu/ce/adam, one epoch: --link direct's model file and epoch figures", async () => {
      const elf = buildFirmware({ isa, engine: "wasm3", profile: PROFILE, obj: path.join(work, `obj-${isa}`), ...build! });
      const want = direct("emulated-int16", [...EMULATED_ARGS, ...INT16]);
      const f32 = direct("emulated-f32", EMULATED_ARGS);
      expect(f32.model.equals(want.model)).toBe(false);
      const board = await startEmulatedBoard({ elf });
      try {
        const out = path.join(work, `emulated-${isa}.json`);
        const run = await trainOverPort(board.path, [...EMULATED_ARGS, ...INT16], out);
        expect(run.stderr, run.stderr).toBe("");
        expect(run.code).toBe(0);
        expectSameBits(runOf(run.stdout, out), want, `the emulated ${isa} wasm3 board`);
      } finally {
        await board.stop();
      }
    }, 600_000);
  });
}
