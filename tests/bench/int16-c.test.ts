// bench/peers/int16.c (issue 22's plain C int16 trainer, measured beside the
// module in bench/board.mjs) must be the algorithm of docs/int16.md, or its
// instruction count measures something else: built for this PC with the
// bench's flags, it must end with the final weights scripts/int16_reference.py
// --bench computes for the same run, bit for bit, and the same epoch losses.
// Without gcc or numpy it skips (CI: numpy must be there).
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";
import { inCi, PYTHON } from "../torch/oracle";
import { bitDiff, numpyMissing, REFERENCE } from "../reference/reference-run";

const haveGcc = spawnSync("sh", ["-c", "command -v gcc"]).status === 0;
const missing = numpyMissing();
if (missing && !inCi) console.warn(`int16-c.test.ts skipped: ${missing}`);

interface Run { first_loss: number; final_loss: number; weights: number[] }

describe.skipIf(!haveGcc || (missing !== null && !inCi))("bench/peers/int16.c", () => {
  const work = tmpDir("edgeprop-int16-c-");
  afterAll(() => rmDir(work));
  let exe = "";
  const build = () => {
    if (exe) return exe;
    exe = path.join(work, "int16-c");
    const r = spawnSync("gcc", ["-O2", "-std=c99", "-ffp-contract=off", "-o", exe, path.join(repoRoot, "bench", "peers", "int16.c"), "-lm"], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    return exe;
  };
  // plain.c's arguments (NAME LAYERS ACT LOSS OPT LR BATCH ROWS EPOCHS RUNS WARMUP SEED) and "weights".
  const runC = (args: string[]) => {
    const [layers, act, loss, opt, lr, batch, rows, epochs] = args;
    const r = spawnSync(build(), ["P", layers, act, loss, opt, lr, batch, rows, epochs, "1", "0", "1", "weights"], { encoding: "utf8" });
    return { code: r.status, stderr: r.stderr, out: r.status === 0 ? JSON.parse(r.stdout.trim()) as Run : null };
  };
  const runReference = (args: string[]) => {
    const r = spawnSync(PYTHON, [REFERENCE, "--bench", ...args, "1"], { encoding: "utf8", maxBuffer: 1 << 26, timeout: 300_000 });
    if (r.status !== 0) throw new Error(`${REFERENCE} --bench failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as { weights: number[]; epoch_loss: number[]; status: number[] };
  };

  // P2's shape with Adam/CE (batch 32: one dW group; 40: two, the second short);
  // P1's shape (SGD/MSE, identity, 100-row batches: four groups); a ReLU MSE net.
  const cases = [
    ["16,32,32,4", "relu", "ce", "adam", "0.001", "32", "256", "2"],
    ["16,32,32,4", "relu", "ce", "adam", "0.01", "40", "300", "3"],
    ["10,1", "identity", "mse", "sgd", "0.01", "100", "1000", "2"],
    ["8,16,4", "relu", "mse", "sgd", "0.05", "48", "200", "3"],
  ];
  for (const args of cases) {
    it(`trains the reference's int16 weights bit for bit: ${args.join(" ")}`, () => {
      if (missing) throw new Error(`${missing} (CI=true: the reference must run)`);
      const c = runC(args);
      expect(c.code, c.stderr).toBe(0);
      const ref = runReference(args);
      expect(ref.status.every((s) => s === 0)).toBe(true);
      expect(bitDiff(new Float32Array(Uint32Array.from(c.out!.weights).buffer), ref.weights)).toEqual([]);
      expect(c.out!.first_loss).toBe(ref.epoch_loss[0]);
      expect(c.out!.final_loss).toBe(ref.epoch_loss[ref.epoch_loss.length - 1]);
    }, 300_000);
  }

  it("refuses a hidden activation int16 does not define (exit 2)", () => {
    const r = spawnSync(build(), ["P", "16,32,4", "tanh", "ce", "adam", "0.001", "32", "64", "1", "1", "0", "1"], { encoding: "utf8" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/relu or identity/);
  });
});
