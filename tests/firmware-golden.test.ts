// The firmware's own C pump, built for this PC with wasm2c (an engine that
// shares no code with V8), must train every golden case to the bits of
// --link direct: once as a process on stdin/stdout (sim --engine exec:) and
// once behind a real pseudo-terminal (train --port), as a user without a
// board would run it. And the profile table in docs/boards.md must be true.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { goldenCases, caseArgs } from "./helpers/golden";
import { runCli } from "./helpers/cli";
import { repoRoot, tmpDir, rmDir } from "./helpers/paths";
import { startPtyBoard, type PtyBoard } from "../host/transports/pty";

const cases = goldenCases();
const work = tmpDir("edgeprop-fw-");
const board = path.join(work, "edgeprop-board");

function train(args: string[], out: string): Buffer {
  const r = runCli([...args, "--json", "--save", out]);
  expect(r.stderr, r.stderr).toBe("");
  expect(r.code).toBe(0);
  return readFileSync(out);
}

/** --link direct's saved model for a case (the reference), made once. */
function directFor(c: (typeof cases)[number]): Buffer {
  const file = path.join(work, `${c.name}-direct.json`);
  return existsSync(file) ? readFileSync(file) : train(["sim", ...caseArgs(c), "--link", "direct"], file);
}

beforeAll(() => {
  execFileSync("make", ["-s", "-C", path.join(repoRoot, "boards", "posix"), "ENGINE=wasm2c", `OBJ=${path.join(work, "obj")}`, `BIN=${board}`], { stdio: "pipe" });
}, 300_000);
afterAll(() => rmDir(work));

describe("the wasm2c board (the firmware pump, compiled C) gives --link direct's bits", () => {
  for (const c of cases) {
    it(`${c.name}: sim --engine exec: and train --port through a pty`, async () => {
      const args = caseArgs(c);
      const direct = directFor(c);
      const exec = train(["sim", ...args, "--engine", `exec:${board}`], path.join(work, `${c.name}-exec.json`));
      expect(exec.equals(direct)).toBe(true);
      const pty: PtyBoard = await startPtyBoard([board]);
      try {
        const viaPort = train(["train", "--port", pty.path, ...args], path.join(work, `${c.name}-port.json`));
        expect(viaPort.equals(direct)).toBe(true);
      } finally {
        await pty.stop();
      }
    });
  }
});

// wasm3 is the board's interpreter. CI has no wasm3 (no package ships it);
// a developer who built one outside the repository points these at it:
//   EDGEPROP_M3_INCLUDE=<wasm3>/source EDGEPROP_M3_LIB=<build>/source/libm3.a  (the pump)
//   EDGEPROP_WASM3=<build>/wasm3                                               (the WASI CLI)
const m3Include = process.env.EDGEPROP_M3_INCLUDE, m3Lib = process.env.EDGEPROP_M3_LIB;
const wasm3Cli = process.env.EDGEPROP_WASM3;
/** Every golden case through an interpreter in one test: 244 s for the pump on 2 busy cores (the default 120 s timed out). */
const WASM3_ALL_CASES_MS = 900_000;
describe("under a real wasm3 (when one is given)", () => {
  it.skipIf(!m3Include || !m3Lib)("the pump built with ENGINE=wasm3 gives --link direct's bits for every golden case", () => {
    const bin = path.join(work, "edgeprop-board-wasm3");
    execFileSync("make", ["-s", "-C", path.join(repoRoot, "boards", "posix"), "ENGINE=wasm3", `M3_INCLUDE=${m3Include}`,
      `M3_LIB=${m3Lib}`, `OBJ=${path.join(work, "obj3")}`, `BIN=${bin}`], { stdio: "pipe" });
    const wasm = path.join(repoRoot, "build", "edgeprop.wasm");
    for (const c of cases) {
      const direct = directFor(c);
      const got = train(["sim", ...caseArgs(c), "--engine", `exec:${bin} ${wasm}`], path.join(work, `${c.name}-m3.json`));
      expect(got.equals(direct), c.name).toBe(true);
    }
  }, WASM3_ALL_CASES_MS);
  it.skipIf(!wasm3Cli)("the WASI build under the wasm3 CLI gives --link direct's bits for every golden case", () => {
    for (const c of cases) {
      const direct = directFor(c);
      const got = train(["sim", ...caseArgs(c), "--engine", `wasi:${wasm3Cli}`], path.join(work, `${c.name}-w3.json`));
      expect(got.equals(direct), c.name).toBe(true);
    }
  }, WASM3_ALL_CASES_MS);
});

describe("docs/boards.md: the largest model per optimizer is what plan --board accepts", () => {
  const doc = readFileSync(path.join(repoRoot, "docs", "boards.md"), "utf8");
  const header = doc.split("\n").find((l) => l.startsWith("| board | memory limit"))!;
  const opts = header.split("|").map((s) => s.trim()).filter(Boolean).slice(2);
  const rows = doc.split("\n").filter((l) => /^\| esp32(-c3|-s3)? \| [\d,]+ \|/.test(l)); // the plan table, not the emulated board's
  it("has a row per profile", () => {
    expect(opts).toEqual(["sgd", "momentum", "adagrad", "rmsprop", "adam"]);
    expect(rows.map((r) => r.split("|")[1].trim()).sort()).toEqual(["esp32", "esp32-c3", "esp32-s3"]);
  });
  for (const row of rows) {
    const cells = row.split("|").map((s) => s.trim()).filter(Boolean);
    const profile = cells[0];
    opts.forEach((opt, k) => {
      const m = /^16-(\d+)-\1-4 \(([\d,]+) B\)$/.exec(cells[2 + k]);
      it(`${profile} ${opt}: 16-${m?.[1]}-${m?.[1]}-4 fits, one step wider is refused with both numbers`, () => {
        expect(m).not.toBeNull();
        const h = Number(m![1]);
        const plan = (width: number) => runCli(["plan", "--layers", `16,${width},${width},4`, "--act", "relu", "--loss", "ce",
          "--opt", opt, "--batch", "32", "--chunk", "8", "--board", profile, "--json"]);
        const ok = plan(h);
        expect(ok.code, ok.stderr).toBe(0);
        const fits = JSON.parse(ok.stdout);
        expect(fits.total_bytes).toBe(Number(m![2].replace(/,/g, "")));
        const tooBig = plan(h + 4);
        expect(tooBig.code).toBe(2);
        const needed = JSON.parse(tooBig.stdout).total_bytes;
        expect(tooBig.stderr).toContain(String(needed));
        expect(tooBig.stderr).toContain(String(fits.memory_limit));
        expect(tooBig.stderr.trim().split("\n")).toHaveLength(1);
      });
    });
  }
});
