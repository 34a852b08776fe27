// bench/peers/blocked.c (issue 21's "next limit": plain.c's math with the
// module's 4x4-blocked loops) must train what plain.c trains, or its
// instruction count in bench/board.mjs --hand-tuned measures something else.
// Built for this PC with the bench's flags; the losses must agree to 1e-6
// (the sums run in another order: float32 rounding, not other math).
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";

const haveGcc = spawnSync("sh", ["-c", "command -v gcc"]).status === 0;

describe.skipIf(!haveGcc)("bench/peers/blocked.c", () => {
  const work = tmpDir("edgeprop-blocked-c-");
  afterAll(() => rmDir(work));
  const build = (name: string) => {
    const exe = path.join(work, name);
    const r = spawnSync("gcc", ["-O2", "-std=c99", "-ffp-contract=off", "-o", exe, path.join(repoRoot, "bench", "peers", `${name}.c`), "-lm"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    return exe;
  };
  const run = (exe: string, layers: string, loss: string, opt: string) => {
    const r = spawnSync(exe, ["P", layers, "relu", loss, opt, "0.001", "32", "256", "2", "1", "0", "1"], { encoding: "utf8" });
    return { code: r.status, stderr: r.stderr, out: r.status === 0 ? JSON.parse(r.stdout.trim()) as { first_loss: number; final_loss: number } : null };
  };

  it("trains plain.c's model: the same losses (P2's shape, Adam/CE and SGD/MSE)", () => {
    const plain = build("plain"), blocked = build("blocked");
    for (const [layers, loss, opt] of [["16,32,32,4", "ce", "adam"], ["8,16,4", "mse", "sgd"]] as const) {
      const a = run(plain, layers, loss, opt), b = run(blocked, layers, loss, opt);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      expect(Math.abs((b.out?.final_loss ?? NaN) - (a.out?.final_loss ?? NaN)), `${layers} ${loss} ${opt}`).toBeLessThanOrEqual(1e-6);
      expect(Math.abs((b.out?.first_loss ?? NaN) - (a.out?.first_loss ?? NaN))).toBeLessThanOrEqual(1e-6);
    }
  });

  it("refuses a layer width its 4x4 blocks cannot take (exit 2), not a wrong result", () => {
    const r = run(build("blocked"), "16,30,32,4", "ce", "adam");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/layer size 30 is not a positive multiple of 4/);
  });
});
