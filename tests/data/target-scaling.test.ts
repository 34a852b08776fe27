// --normalize-target (issue 23): an unscaled regression target (data/diabetes.csv,
// progression 25..346) z-scored with the training rows' statistics, stored
// in the model, scaled back by predict, eval and the C header; the losses a
// run reports are in the target's own units.
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jsonLines, runCli } from "../helpers/cli";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";

const dir = tmpDir("edgeprop-target-");
afterAll(() => rmDir(dir));

const lines = readFileSync(join(repoRoot, "data", "diabetes.csv"), "utf8").trim().split("\n");
const header = lines[0]!;
const rows = lines.slice(1).map((l) => l.split(","));
const write = (name: string, body: string[][], head = header) => { const f = join(dir, name); writeFileSync(f, [head, ...body.map((r) => r.join(","))].join("\n") + "\n"); return f; };
const train = write("train.csv", rows.slice(0, 350));
const val = write("val.csv", rows.slice(350));
// The training rows' mean and population std of the target, float64 then float32 (Keras Normalization's statistics).
const t = rows.slice(0, 350).map((r) => Number(r[10]));
const mean = t.reduce((s, v) => s + v, 0) / t.length;
const std = Math.sqrt(t.reduce((s, v) => s + (v - mean) ** 2, 0) / t.length);
const [m32, s32] = [Math.fround(mean), Math.fround(std)];

const FLAGS = ["--loss", "mse", "--hidden", "8", "--act", "tanh", "--opt", "adam", "--lr", "0.01", "--batch", "25", "--epochs", "4", "--normalize", "--no-shuffle", "--seed", "3", "--json"];
const epochs = (stdout: string) => jsonLines(stdout).filter((e) => e.event === "epoch");
const outputsOf = (stdout: string) => jsonLines(stdout).filter((e) => e.event === "prediction").map((e) => e.output[0] as number);
const gcc = (...args: string[]) => execFileSync("gcc", ["-std=c99", "-Wall", "-Werror", "-Wextra", "-pedantic", "-O2", "-ffp-contract=off", ...args], { cwd: dir });

describe("--normalize-target", () => {
  const model = join(dir, "scaled.json");
  let run: ReturnType<typeof runCli>;

  it("stores the training rows' statistics; the board trains on exactly the z-scored targets; the loss is in the target's units", () => {
    run = runCli(["sim", "--data", train, "--val", val, ...FLAGS, "--normalize-target", "--save", model]);
    expect(run.code, run.stderr).toBe(0);
    const m = JSON.parse(readFileSync(model, "utf8"));
    expect(m.target_normalization).toEqual({ kind: "zscore", mean: [m32], std: [s32] });
    // The same run on a file whose targets are already z-scored (fround(fround(t - mean) / std)): the same weights, bit for bit,
    // and its losses times std^2.
    const z = write("z.csv", rows.slice(0, 350).map((r) => [...r.slice(0, 10), String(Math.fround(Math.fround(Number(r[10]) - m32) / s32))]));
    const zModel = join(dir, "z.json");
    const plain = runCli(["sim", "--data", z, ...FLAGS, "--save", zModel]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(JSON.parse(readFileSync(zModel, "utf8")).layers).toEqual(m.layers);
    const a = epochs(run.stdout), b = epochs(plain.stdout);
    expect(a).toHaveLength(4);
    a.forEach((e, i) => expect(e.loss / (b[i].loss * s32 * s32)).toBeCloseTo(1, 12));
    // Unscaled, the target's mse is in the thousands: that is what the run reports.
    expect(a[0].loss).toBeGreaterThan(1000);
  });

  it("val_loss, predict, eval and the C header: outputs in the target's units, within 1e-5", () => {
    const p = runCli(["predict", "--load", model, "--data", val, "--json"]);
    expect(p.code, p.stderr).toBe(0);
    const host = outputsOf(p.stdout);
    const summary = jsonLines(p.stdout).find((e) => e.event === "summary");
    // The last epoch's val_loss is predict's loss on the validation file (float32 outputs of the board vs the host's).
    expect(epochs(run.stdout)[3].val_loss / summary.loss).toBeCloseTo(1, 5);
    expect(Math.min(...host)).toBeGreaterThan(20); // scaled back: progression, not z-scores
    const ev = runCli(["eval", "--load", model, "--data", val, "--json"]);
    expect(ev.code, ev.stderr).toBe(0);
    const board = outputsOf(ev.stdout);
    const worst = (got: number[]) => Math.max(...got.map((v, i) => Math.abs(v - host[i]!) / Math.max(1, Math.abs(host[i]!))));
    expect(board).toHaveLength(host.length);
    expect(worst(board)).toBeLessThan(1e-5);
    const h = join(dir, "diabetes.h");
    expect(runCli(["export", model, "--format", "c", "--out", h]).code).toBe(0);
    expect(readFileSync(h, "utf8")).toContain("out[j] = out[j] * edgeprop_target_std[j] + edgeprop_target_mean[j];");
    writeFileSync(join(dir, "main.c"), `#include <stdio.h>
#include "diabetes.h"
int main(void)
{
  float in[EDGEPROP_INPUTS], out[EDGEPROP_OUTPUTS];
  for (;;) {
    int i;
    for (i = 0; i < EDGEPROP_INPUTS; i++) if (scanf("%f", &in[i]) != 1) return 0;
    edgeprop_predict(in, out);
    printf("%.9g\\n", out[0]);
  }
}
`);
    gcc("-o", "predict", "main.c", "-lm");
    const c = execFileSync(join(dir, "predict"), { input: rows.slice(350).map((r) => r.slice(0, 10).join(" ")).join("\n") + "\n", encoding: "utf8" }).trim().split("\n").map(Number);
    expect(worst(c)).toBeLessThan(1e-5);
  });

  it("no false 'loss ended well above where it started' warning: the epoch losses (target's units) are not compared with the first batch's (z-scores)", () => {
    const r = runCli(["sim", "--data", train, ...FLAGS, "--normalize-target"]);
    expect(r.code, r.stderr).toBe(0);
    const events = jsonLines(r.stdout);
    const e = epochs(r.stdout);
    expect(e[3].loss).toBeLessThan(e[0].loss); // the loss fell
    expect(events.filter((x) => x.event === "warning").map((x) => x.message)).toEqual([]);
    expect(events.find((x) => x.event === "done").warnings).toBe(0);
  });

  it("refused for a classification loss", () => {
    const ce = runCli(["sim", "--data", join(repoRoot, "data", "iris.csv"), "--loss", "ce", "--hidden", "4", "--epochs", "1", "--normalize-target"]);
    expect(ce.code).toBe(2);
    expect(ce.stderr).toMatch(/--normalize-target applies to --loss mse \(a regression\), not ce/);
  });
});

// Several targets (scikit-learn's StandardScaler on the target columns): each column z-scored with its
// own training-row mean and std, whose scales differ by two orders of magnitude here (s5 about 0.5,
// s6 about 11, progression about 77); everything reported in each target's own units.
const PYTHON = "/usr/bin/python3";
const inCi = Boolean(process.env.CI) && process.env.CI !== "false" && process.env.CI !== "0";
const sklearnMissing = spawnSync(PYTHON, ["-c", "import sklearn.metrics, sklearn.preprocessing"], { encoding: "utf8" }).status !== 0;
if (sklearnMissing && !inCi) console.warn(`${PYTHON} cannot import sklearn: the scikit-learn comparisons skip. Install Debian's python3-sklearn (scripts/deps.sh).`);
const SKLEARN = String.raw`
import json, sys
import numpy as np
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score
from sklearn.preprocessing import StandardScaler
case = json.load(sys.stdin)
s = StandardScaler().fit(np.array(case["train_targets"], dtype=np.float64))
y, p = np.array(case["targets"], dtype=np.float64), np.array(case["predicted"], dtype=np.float64)
print(json.dumps({"mean": s.mean_.tolist(), "scale": s.scale_.tolist(),
  "mae": mean_absolute_error(y, p, multioutput="raw_values").tolist(),
  "rmse": np.sqrt(mean_squared_error(y, p, multioutput="raw_values")).tolist(),
  "r2": r2_score(y, p, multioutput="raw_values").tolist(), "mse": mean_squared_error(y, p)}))
`;
function sklearn(c: { train_targets: number[][]; targets: number[][]; predicted: number[][] }): { mean: number[]; scale: number[]; mae: number[]; rmse: number[]; r2: number[]; mse: number } {
  const r = spawnSync(PYTHON, ["-c", SKLEARN], { input: JSON.stringify(c), encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`sklearn failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe.skipIf(sklearnMissing && !inCi)("--normalize-target with several target columns", () => {
  const TARGETS = ["s5", "s6", "progression"];
  const cols = TARGETS.map((n) => header.split(",").indexOf(n));
  const inputCols = header.split(",").map((_, k) => k).filter((k) => !cols.includes(k));
  const targetsOf = (rs: string[][]) => rs.map((r) => cols.map((k) => Number(r[k])));
  const model = join(dir, "three.json");
  const FLAGS3 = ["--target", TARGETS.join(","), ...FLAGS];
  let run: ReturnType<typeof runCli>;
  let host: number[][];

  it("each column's training statistics (StandardScaler's, in float32) stored; the board trains on exactly the z-scored targets", () => {
    run = runCli(["sim", "--data", train, "--val", val, ...FLAGS3, "--normalize-target", "--save", model]);
    expect(run.code, run.stderr).toBe(0);
    const m = JSON.parse(readFileSync(model, "utf8"));
    expect(m.targets).toEqual(TARGETS);
    const sk = sklearn({ train_targets: targetsOf(rows.slice(0, 350)), targets: [[0, 0, 0], [1, 1, 1]], predicted: [[0, 0, 0], [1, 1, 1]] });
    expect(m.target_normalization).toEqual({ kind: "zscore", mean: sk.mean.map(Math.fround), std: sk.scale.map(Math.fround) });
    // The same run on a file whose three targets are already z-scored (the float32 value, less the mean, over the std, as the
    // module computes), each with its own statistics: the same weights, bit for bit.
    const z = write("z3.csv", rows.slice(0, 350).map((r) => r.map((v, k) => {
      const j = cols.indexOf(k);
      return j < 0 ? v : String(Math.fround(Math.fround(Math.fround(Number(v)) - m.target_normalization.mean[j]) / m.target_normalization.std[j]));
    })));
    const zModel = join(dir, "z3.json");
    const plain = runCli(["sim", "--data", z, ...FLAGS3, "--save", zModel]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(JSON.parse(readFileSync(zModel, "utf8")).layers).toEqual(m.layers);
  });

  it("predict's outputs in each target's units; MAE, RMSE, R2 per output and the loss equal scikit-learn's; the epoch losses are in the targets' units", () => {
    const p = runCli(["predict", "--load", model, "--data", val, "--json"]);
    expect(p.code, p.stderr).toBe(0);
    host = jsonLines(p.stdout).filter((e) => e.event === "prediction").map((e) => e.output as number[]);
    const summary = jsonLines(p.stdout).find((e) => e.event === "summary");
    // The targets as edgeprop holds them (float32), the predictions as predict printed them.
    const sk = sklearn({ train_targets: targetsOf(rows.slice(0, 350)), targets: targetsOf(rows.slice(350)).map((r) => r.map(Math.fround)), predicted: host });
    expect(summary.per_output.map((o: { output: string }) => o.output)).toEqual(TARGETS);
    for (const [key, want] of [["mae", sk.mae], ["rmse", sk.rmse], ["r2", sk.r2]] as const) {
      summary.per_output.forEach((o: Record<string, number>, k: number) => expect(o[key]! / want[k]!, `${key} of ${TARGETS[k]}`).toBeCloseTo(1, 12));
    }
    expect(summary.loss / sk.mse).toBeCloseTo(1, 12);
    // Outputs in the targets' units: the means of each column's outputs near its own (about 4.6, 91 and 150).
    const means = TARGETS.map((_, k) => host.reduce((s, o) => s + o[k]!, 0) / host.length);
    expect(means[0]).toBeGreaterThan(3);
    expect(means[0]).toBeLessThan(7);
    expect(means[1]).toBeGreaterThan(60);
    expect(means[2]).toBeGreaterThan(80);
    // The last epoch's val_loss is predict's loss on the validation file; its training loss is predict's on the training rows
    // (the epoch's model, in the targets' units: the mean of the three mse, not of the z-scored ones).
    const last = epochs(run.stdout)[3];
    expect(last.val_loss / summary.loss).toBeCloseTo(1, 5);
    const onTrain = runCli(["predict", "--load", model, "--data", train, "--json"]);
    expect(onTrain.code, onTrain.stderr).toBe(0);
    expect(last.loss / jsonLines(onTrain.stdout).find((e) => e.event === "summary").loss).toBeCloseTo(1, 5);
  });

  it("eval on a board and the C header give predict's outputs (1e-5)", () => {
    const worst = (got: number[][]) => Math.max(...got.flatMap((o, i) => o.map((v, k) => Math.abs(v - host[i]![k]!) / Math.max(1, Math.abs(host[i]![k]!)))));
    const ev = runCli(["eval", "--load", model, "--data", val, "--json"]);
    expect(ev.code, ev.stderr).toBe(0);
    const board = jsonLines(ev.stdout).filter((e) => e.event === "prediction").map((e) => e.output as number[]);
    expect(board).toHaveLength(host.length);
    expect(worst(board)).toBeLessThan(1e-5);
    const h = join(dir, "three.h");
    expect(runCli(["export", model, "--format", "c", "--out", h]).code).toBe(0);
    writeFileSync(join(dir, "three.c"), `#include <stdio.h>
#include "three.h"
int main(void)
{
  float in[EDGEPROP_INPUTS], out[EDGEPROP_OUTPUTS];
  for (;;) {
    int i, k;
    for (i = 0; i < EDGEPROP_INPUTS; i++) if (scanf("%f", &in[i]) != 1) return 0;
    edgeprop_predict(in, out);
    for (k = 0; k < EDGEPROP_OUTPUTS; k++) printf("%s%.9g", k ? " " : "", out[k]);
    printf("\\n");
  }
}
`);
    gcc("-o", "three", "three.c", "-lm");
    const input = rows.slice(350).map((r) => inputCols.map((k) => r[k]).join(" ")).join("\n") + "\n";
    const c = execFileSync(join(dir, "three"), { input, encoding: "utf8" }).trim().split("\n").map((l) => l.split(" ").map(Number));
    expect(c).toHaveLength(host.length);
    expect(worst(c)).toBeLessThan(1e-5);
  });
});
