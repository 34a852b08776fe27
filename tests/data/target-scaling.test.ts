// --normalize-target (issue 23): an unscaled regression target (data/diabetes.csv,
// progression 25..346) z-scored with the training rows' statistics, stored
// in the model, scaled back by predict, eval and the C header; the losses a
// run reports are in the target's own units.
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
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

  it("refused for a classification loss and for several targets", () => {
    const ce = runCli(["sim", "--data", join(repoRoot, "data", "iris.csv"), "--loss", "ce", "--hidden", "4", "--epochs", "1", "--normalize-target"]);
    expect(ce.code).toBe(2);
    expect(ce.stderr).toMatch(/--normalize-target applies to --loss mse \(a regression\), not ce/);
    const two = runCli(["sim", "--data", train, "--target", "s6,progression", "--loss", "mse", "--hidden", "4", "--epochs", "1", "--normalize-target"]);
    expect(two.code).toBe(2);
    expect(two.stderr).toMatch(/--normalize-target takes one target column .* this data has 2 \(s6,progression\)/);
  });
});
