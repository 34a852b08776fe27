// int16 is deterministic across engines: the firmware's C pump built with
// wasm2c (an engine sharing no code with V8) trains an int16 model to the
// bits of --link direct (V8), over stdin/stdout; and under a real wasm3 when
// one is given (EDGEPROP_M3_INCLUDE, EDGEPROP_M3_LIB), as firmware-golden.test.ts does for f32.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { runCli } from "../helpers/cli";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";

const work = tmpDir("edgeprop-int16-engines-");
const board = path.join(work, "edgeprop-board");
const m3Include = process.env.EDGEPROP_M3_INCLUDE, m3Lib = process.env.EDGEPROP_M3_LIB;

/** Two hidden ReLU layers (requantization, the ReLU mask), CE, Adam; 3 chunks per batch. */
const ARGS = ["--dataset", "spiral", "--layers", "2,12,10,3", "--loss", "ce", "--opt", "adam", "--lr", "0.02", "--batch", "24",
  "--chunk", "8", "--epochs", "3", "--seed", "5", "--precision", "int16"];

function train(args: string[], out: string): Buffer {
  const r = runCli(["sim", ...ARGS, ...args, "--json", "--save", out]);
  expect(r.stderr, r.stderr).toBe("");
  expect(r.code).toBe(0);
  return readFileSync(out);
}

beforeAll(() => {
  execFileSync("make", ["-s", "-C", path.join(repoRoot, "boards", "posix"), "ENGINE=wasm2c", `OBJ=${path.join(work, "obj")}`, `BIN=${board}`], { stdio: "pipe" });
}, 300_000);
afterAll(() => rmDir(work));

describe("int16: the same bits on every engine", () => {
  it("wasm2c (the firmware pump, compiled C) gives --link direct's model file; f32 gives another", () => {
    const direct = train(["--link", "direct"], path.join(work, "direct.json"));
    const exec = train(["--engine", `exec:${board}`], path.join(work, "exec.json"));
    expect(exec.equals(direct)).toBe(true);
    const f32 = readFileSync((runCli(["sim", ...ARGS.slice(0, -2), "--json", "--save", path.join(work, "f32.json")]), path.join(work, "f32.json")));
    expect(f32.equals(direct)).toBe(false);
  });
  it.skipIf(!m3Include || !m3Lib)("wasm3 (the pump built with ENGINE=wasm3) gives --link direct's model file", () => {
    const bin = path.join(work, "edgeprop-board-wasm3");
    execFileSync("make", ["-s", "-C", path.join(repoRoot, "boards", "posix"), "ENGINE=wasm3", `M3_INCLUDE=${m3Include}`,
      `M3_LIB=${m3Lib}`, `OBJ=${path.join(work, "obj3")}`, `BIN=${bin}`], { stdio: "pipe" });
    const direct = train(["--link", "direct"], path.join(work, "direct3.json"));
    const got = train(["--engine", `exec:${bin} ${path.join(repoRoot, "build", "edgeprop.wasm")}`], path.join(work, "m3.json"));
    expect(got.equals(direct)).toBe(true);
  });
});
