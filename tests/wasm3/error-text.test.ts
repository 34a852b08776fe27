// Defect 5 of issue 15: a module without add_busy_time left that failed
// lookup's text in wasm3's error info, and every later trap read
// "[trap] unreachable executed: 'add_busy_time'". The engine clears the
// error info after the lookup and after each failure it reports.
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { buildBoard, normalBuild, SKIP_NORMAL } from "./wasm3-builds";
import { errorFramesIn, ERR_TRAP } from "./error-frames";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";

const work = tmpDir("edgeprop-w3-text-");
afterAll(() => rmDir(work));
const HAS_WAT2WASM = spawnSync("sh", ["-c", "command -v wat2wasm"]).status === 0;

describe.skipIf(!normalBuild || !HAS_WAT2WASM)(`trap messages are the trap's own ${SKIP_NORMAL ? `(skipped: ${SKIP_NORMAL})` : HAS_WAT2WASM ? "" : "(skipped: needs wat2wasm)"}`, () => {
  it("a trap in a module without add_busy_time does not mention add_busy_time", async () => {
    const bin = buildBoard(normalBuild!, normalBuild!.lib, normalBuild!.cflags, path.join(work, "board"));
    // The pump's probe module: traps with `unreachable` when sent "T"; has no add_busy_time.
    const probe = path.join(work, "probe.wasm");
    execFileSync("wat2wasm", [path.join(repoRoot, "boards", "posix", "testdata", "pump-probe.wat"), "-o", probe]);
    const child = spawn(bin, [probe, "--memory-limit", "49152", "--stack", "8192"], { stdio: "pipe" });
    let out = Buffer.alloc(0);
    child.stdout.on("data", (d: Buffer) => { out = Buffer.concat([out, d]); });
    const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
    const until = async (pred: () => boolean, what: string) => {
      for (const t0 = Date.now(); !pred(); await new Promise((r) => setTimeout(r, 10))) {
        if (Date.now() - t0 > 10_000) throw new Error(`timed out waiting for ${what}: ${out.toString("latin1")}`);
      }
    };
    await until(() => /probe boot=/.test(out.toString("latin1")), "the probe banner");
    child.stdin.write("T");
    await until(() => errorFramesIn(out).length > 0, "the TRAP frame");
    child.stdin.end();
    expect(await exited).toBe(0);
    const [f] = errorFramesIn(out);
    expect(f.code).toBe(ERR_TRAP);
    expect(f.message).toMatch(/unreachable/);
    expect(f.message).not.toMatch(/add_busy_time/);
    expect(out.toString("latin1")).not.toMatch(/add_busy_time/);
  }, 120_000);
});
