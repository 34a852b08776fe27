// ep_engine_reload (engine.h) over wasm3: the instance is dropped and the
// module instantiated again from the config given to ep_engine_load, with
// fresh memory, and it boots again. Driven from C (reload-driver.c), since
// no pump calls it yet.
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import path from "node:path";
import { normalBuild, SKIP_NORMAL } from "./wasm3-builds";
import { repoRoot, rmDir, tmpDir, wasmPath } from "../helpers/paths";

const work = tmpDir("edgeprop-w3-reload-");
afterAll(() => rmDir(work));

describe.skipIf(!normalBuild)(`ep_engine_reload under wasm3 ${SKIP_NORMAL ? `(skipped: ${SKIP_NORMAL})` : ""}`, () => {
  it("gives fresh memory within the same limit and the module boots again", () => {
    const common = path.join(repoRoot, "boards", "common");
    const bin = path.join(work, "reload-driver");
    execFileSync("gcc", ["-std=c99", "-Wall", "-Wextra", "-Werror", "-O1", ...normalBuild!.cflags.split(/\s+/).filter(Boolean),
      `-I${common}`, `-I${normalBuild!.include}`, path.join(repoRoot, "tests", "wasm3", "reload-driver.c"),
      path.join(common, "engine_wasm3.c"), normalBuild!.lib, "-lm", "-o", bin], { stdio: "pipe" });
    const r = spawnSync(bin, [wasmPath, "49152"], { encoding: "utf8" });
    expect(r.stdout).toContain("memory 49152\n");
    expect(r.stdout).toContain("after reload: memory 49152, last byte 0\n");
    expect(r.status, r.stdout).toBe(0);
  }, 120_000);
});
