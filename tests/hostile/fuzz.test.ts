// The coverage-guided fuzzer (fuzz/): its checks fire when broken on purpose,
// the seed corpus (issue 14's repro streams, valid sessions, regressions) and
// the extreme session pass it, and a bounded run (about 60 s) finds nothing.
// `npm run fuzz -- --minutes N` runs it for longer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";
import { extremeSession } from "./extreme-session";

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const clangFuzzer = () => {
  if (!has("clang") || !has("wasm2c") || !has("make")) return false;
  const probe = spawnSync("sh", ["-c", "echo 'int LLVMFuzzerTestOneInput(const char*d,long n){return 0;}' | clang -x c -fsanitize=fuzzer,address - -o /dev/null"]);
  return probe.status === 0;
};
const CAN_FUZZ = clangFuzzer();
const BIN = path.join(repoRoot, "build", "fuzz", "edgeprop-fuzz");
const SEEDS = path.join(repoRoot, "fuzz", "corpus");
let dir = "";
beforeAll(() => {
  dir = tmpDir("edgeprop-fuzz-");
  if (CAN_FUZZ) execFileSync("make", ["-s", "-C", path.join(repoRoot, "fuzz")], { stdio: "pipe" });
});
afterAll(() => { if (dir) rmDir(dir); });

const harness = (files: string[], env: Record<string, string> = {}) =>
  spawnSync(BIN, files, { encoding: "utf8", env: { ...process.env, ...env }, cwd: dir });

describe.skipIf(!CAN_FUZZ)("fuzzer (libFuzzer, clang -fsanitize=fuzzer,address)", () => {
  it("each check fires when the harness breaks its rule on purpose", () => {
    const seed = path.join(SEEDS, "session-ce-adam");
    expect(harness([seed]).status).toBe(0);
    for (const [rule, message] of [["canary", /write past static data \+ plan/], ["frame", /reply/], ["hello", /HELLO after the input/]] as const) {
      const r = harness([seed], { EDGEPROP_FUZZ_SELFTEST: rule });
      expect(r.status, rule).not.toBe(0);
      expect(r.stderr, rule).toMatch(message);
    }
  });

  it("the seed corpus passes: repro streams, valid sessions, regressions", () => {
    const seeds = readdirSync(SEEDS).map((f) => path.join(SEEDS, f));
    expect(seeds.some((f) => f.endsWith("repro-trap-configure.bin"))).toBe(true);
    expect(seeds.some((f) => f.endsWith("repro-livelock.bin"))).toBe(true);
    const r = harness(seeds);
    expect(r.stderr).not.toMatch(/edgeprop fuzz:|ERROR:/);
    expect(r.status).toBe(0);
  });

  it("the extreme session, replayed as a byte stream through the pump: canary, static data, frames, HELLO", () => {
    const file = path.join(dir, "extreme-session.bin");
    writeFileSync(file, extremeSession().bytes);
    const r = harness([file], { EDGEPROP_FUZZ_RAW: "1" });
    expect(r.stderr).not.toMatch(/edgeprop fuzz:|ERROR:/);
    expect(r.status).toBe(0);
  }, 60000);

  it("a bounded run (60 s) finds nothing", () => {
    const r = spawnSync(process.execPath, [path.join(repoRoot, "fuzz", "run.mjs"), "--seconds", "60"], { encoding: "utf8" });
    const summary = JSON.parse(readFileSync(path.join(repoRoot, "build", "fuzz", "summary.json"), "utf8"));
    expect(summary.failure, r.stdout).toEqual([]);
    expect(summary.findings).toEqual([]);
    expect(r.status).toBe(0);
    expect(summary.executions).toBeGreaterThan(100);
    expect(summary.cov).toBeGreaterThan(100);
  }, 180000);
});
