// "Unchecked is proven": the boards run the module on edgeprop's own wasm-rt
// (boards/common/wasm-rt) without a bounds check per access, addresses masked
// into the memory and every load and store assumed naturally aligned. Here the
// same module and runtime in its checked mode (EP_WASM_CHECKED: every access
// checked aligned and below the memory limit the firmware gave boot(), abort
// otherwise) run a golden case to --link direct's bits, the fuzzer's seed
// corpus, issue 14's repro streams and the extreme hostile session. Plain cc,
// no sanitizer: a few seconds.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { caseArgs, goldenCases } from "../helpers/golden";
import { runCli } from "../helpers/cli";
import { repoRoot, rmDir, tmpDir, wasmPath } from "../helpers/paths";
import { extremeSession } from "../hostile/extreme-session";
import { WASM_RT_PROBE_PRELUDE } from "./wasm-rt-probe";

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const CAN_BUILD = has("wasm2c") && has("make") && has("cc");
const WASM_RT = path.join(repoRoot, "boards", "common", "wasm-rt");
const work = tmpDir("edgeprop-checked-rt-");
const replay = path.join(work, "fuzz", "edgeprop-replay-checked");
const board = path.join(work, "posix", "edgeprop-board");
const CASE = "adam-xor-bce";

beforeAll(() => {
  if (!CAN_BUILD) return;
  execFileSync("make", ["-s", "-C", path.join(repoRoot, "fuzz"), "checked", `CHECKED_OBJ=${path.join(work, "fuzz")}`, `WASM=${wasmPath}`], { stdio: "pipe" });
  execFileSync("make", ["-s", "-C", path.join(repoRoot, "boards", "posix"), "ENGINE=wasm2c", "RUNTIME=checked",
    `OBJ=${path.join(work, "posix")}`, `BIN=${board}`, `WASM=${wasmPath}`], { stdio: "pipe" });
}, 300_000);
afterAll(() => rmDir(work));

const run = (files: string[], env: Record<string, string> = {}) =>
  spawnSync(replay, files, { encoding: "utf8", env: { ...process.env, ...env }, cwd: work, timeout: 60_000 });

describe.skipIf(!CAN_BUILD)("the module on the checked wasm-rt: every access aligned and inside the plan", () => {
  it("the check fires: a misaligned load and one past the limit abort with the address", () => {
    const probe = path.join(work, "probe.c");
    writeFileSync(probe, [
      ...WASM_RT_PROBE_PRELUDE,
      "  wasm_rt_allocate_memory(&m, 1, 1);",
      "  ep_wasm_set_checked_limit(4096);",
      "  i32_store(&m, 4092, 1); f64_store(&m, 8, 2.0);",
      '  if (strcmp(argv[1], "misaligned") == 0) return (int)i32_load(&m, 2);',
      '  if (strcmp(argv[1], "past") == 0) return (int)i32_load(&m, 4096);',
      // The form the adapted module uses: base and static offset apart (checked as their sum).
      '  if (strcmp(argv[1], "offset-misaligned") == 0) return (int)f32_load_at(&m, m.data, 4081, 4);',
      '  if (strcmp(argv[1], "offset-past") == 0) { i32_store_at(&m, m.data, 4088, 8, 1); return 0; }',
      "  return (int)i32_load(&m, 4092) - 1;",
      "}",
    ].join("\n"));
    const bin = path.join(work, "probe");
    execFileSync("cc", ["-DEP_WASM_CHECKED", `-I${WASM_RT}`, probe, path.join(WASM_RT, "wasm-rt-impl.c"), "-o", bin], { stdio: "pipe" });
    expect(spawnSync(bin, ["fine"]).status).toBe(0);
    const misaligned = spawnSync(bin, ["misaligned"], { encoding: "utf8" });
    expect(misaligned.status).not.toBe(0);
    expect(misaligned.stderr).toMatch(/i32_load of 4 bytes at 2 is misaligned/);
    const past = spawnSync(bin, ["past"], { encoding: "utf8" });
    expect(past.status).not.toBe(0);
    expect(past.stderr).toMatch(/i32_load of 4 bytes at 4096 is outside the plan \(limit 4096\)/);
    const offsetMisaligned = spawnSync(bin, ["offset-misaligned"], { encoding: "utf8" });
    expect(offsetMisaligned.status).not.toBe(0);
    expect(offsetMisaligned.stderr).toMatch(/f32_load of 4 bytes at 4085 is misaligned/);
    const offsetPast = spawnSync(bin, ["offset-past"], { encoding: "utf8" });
    expect(offsetPast.status).not.toBe(0);
    expect(offsetPast.stderr).toMatch(/i32_store of 4 bytes at 4096 is outside the plan \(limit 4096\)/);
  }, 60_000);

  it(`a golden case (${CASE}) trains to --link direct's bits`, () => {
    const c = goldenCases().find((g) => g.name === CASE)!;
    const train = (extra: string[], out: string) => {
      const r = runCli(["sim", ...caseArgs(c), ...extra, "--json", "--save", out]);
      expect(r.stderr, r.stderr).toBe("");
      expect(r.code).toBe(0);
      return readFileSync(out);
    };
    const direct = train(["--link", "direct"], path.join(work, "direct.json"));
    expect(train(["--engine", `exec:${board}`], path.join(work, "checked.json")).equals(direct)).toBe(true);
  }, 120_000);

  it("the fuzzer's seed corpus (valid sessions, regressions) passes every check", () => {
    const seeds = readdirSync(path.join(repoRoot, "fuzz", "corpus")).map((f) => path.join(repoRoot, "fuzz", "corpus", f));
    expect(seeds.length).toBeGreaterThan(3);
    const r = run(seeds);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  }, 60_000);

  it("issue 14's repro streams and the extreme hostile session, as byte streams through the pump", () => {
    const repro = ["trap-configure.bin", "livelock.bin"].map((f) => path.join(repoRoot, "tests", "fixtures", "repro", f));
    const extreme = path.join(work, "extreme-session.bin");
    writeFileSync(extreme, extremeSession().bytes);
    const r = run([...repro, extreme], { EDGEPROP_FUZZ_RAW: "1" });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  }, 60_000);
});
