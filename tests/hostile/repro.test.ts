// Issue 14's two repro streams (tests/fixtures/repro, copied from the attack
// report): HELLO then a CONFIGURE with sizes [32767, 32768] and chunk 1, whose
// plan wrapped 32 bits (4 x 32767 x 32769 > 2^32) and trapped the module; fed
// to the pump it left rx_capacity past memory and the pump livelocked. Now:
// the CONFIGURE is refused with TOO_BIG, the module keeps running and a later
// HELLO is answered - in this process (V8), under node:wasi, through the
// wasm2c pump, and through the wasm3 pump when a wasm3 build is given.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { encodeFrame } from "../../host/protocol/frame";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";
import { S, T } from "../protocol/support";
import { splitBoardOutput } from "./board-output";
import { runBoardProcess, runReactor, runWasi, type Run } from "./engines";
import type { Sent } from "./extreme-session";
import { wasm3Board, WASM3_SKIP_REASON } from "./wasm3";

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const HAS_WASM2C = has("wasm2c") && has("make") && has("cc");
const LATER_HELLO = 0x7777;
const REPROS = ["trap-configure.bin", "livelock.bin"];
let dir = "";
beforeAll(() => { dir = tmpDir("edgeprop-repro-"); });
afterAll(() => { if (dir) rmDir(dir); });

function stream(name: string): Uint8Array {
  const repro = readFileSync(path.join(repoRoot, "tests", "fixtures", "repro", name));
  return Buffer.concat([repro, Buffer.of(0), encodeFrame({ type: T.HELLO, seq: LATER_HELLO, payload: new Uint8Array(0) })]);
}
const NO_REQUESTS: Sent[] = []; // the canary check does not need them here

function harmless(run: Run, engine: string) {
  const o = splitBoardOutput(run.out);
  expect(o.junk, engine).toEqual([]);
  expect(o.reports, `${engine}: no trap`).toEqual([]);
  expect(o.banners, `${engine}: one boot`).toHaveLength(1);
  const configure = o.frames.find((f) => f.type === (T.CONFIGURE | T.REPLY));
  expect(configure, `${engine}: the CONFIGURE is answered`).toBeDefined();
  expect(configure!.payload[0], `${engine}: refused as too big`).toBe(S.TOO_BIG);
  const last = o.frames[o.frames.length - 1];
  expect([last.type, last.seq], `${engine}: the later HELLO is answered`).toEqual([T.HELLO | T.REPLY, LATER_HELLO]);
  if (run.memory) expect(run.memory.canaryDamage, `${engine}: nothing written past the plan`).toBe(-1);
}

describe("issue 14 repro streams are harmless", () => {
  for (const name of REPROS) {
    it(`${name}: reactor in this process`, () => {
      harmless(runReactor(stream(name), NO_REQUESTS), "reactor");
    });

    it(`${name}: WASI command under node:wasi`, async () => {
      const run = await runWasi(stream(name), NO_REQUESTS, dir);
      expect(run.stderr).toBe("");
      expect(run.exitCode).toBe(0);
      harmless(run, "wasi");
    });

    it.skipIf(!HAS_WASM2C)(`${name}: wasm2c pump`, async () => {
      execFileSync("make", ["-s", "-C", path.join(repoRoot, "boards", "posix"), "ENGINE=wasm2c"], { stdio: "pipe" });
      const run = await runBoardProcess(path.join(repoRoot, "boards", "posix", "edgeprop-board"), [], stream(name), LATER_HELLO);
      expect(run.exitCode).toBe(0);
      expect(run.stderr).toBe("");
      harmless(run, "wasm2c");
    }, 120000);

    it.skipIf(WASM3_SKIP_REASON !== "")(`${name}: wasm3 pump ${WASM3_SKIP_REASON}`, async () => {
      const run = await runBoardProcess(wasm3Board(dir), [path.join(repoRoot, "build", "edgeprop.wasm")], stream(name), LATER_HELLO);
      expect(run.exitCode).toBe(0);
      harmless(run, "wasm3");
    }, 120000);
  }
});
