// The exported C header, compiled with -std=c99 -Wall -Werror, predicts what
// `edgeprop predict` predicts (1e-5), for every activation.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jsonLines, ok, run, tmp } from "./util";

const MAIN = `#include <stdio.h>
#include "model.h"
int main(void) {
  float in[EDGEPROP_INPUTS], out[EDGEPROP_OUTPUTS];
  int i;
  for (;;) {
    for (i = 0; i < EDGEPROP_INPUTS; i++) if (scanf(" %f ,", &in[i]) != 1) return 0;
    edgeprop_predict(in, out);
    for (i = 0; i < EDGEPROP_OUTPUTS; i++) printf(i ? " %.9g" : "%.9g", (double)out[i]);
    printf("\\n");
  }
}
`;

const cases: [string, string[]][] = [
  ["relu ce (iris)", ["--dataset", "iris", "--layers", "4,16,3", "--act", "relu", "--opt", "adam", "--lr", "0.01", "--batch", "16", "--epochs", "20"]],
  ["tanh bce (xor)", ["--dataset", "xor", "--layers", "2,8,8,1", "--act", "tanh", "--loss", "bce", "--opt", "adam", "--lr", "0.01", "--epochs", "10"]],
  ["sigmoid mse (sine)", ["--dataset", "sine", "--layers", "1,16,8,4,1", "--act", "sigmoid", "--opt", "adam", "--lr", "0.01", "--epochs", "10"]],
  ["leaky_relu mse (randn)", ["--dataset", "randn", "--layers", "10,12,1", "--act", "leaky_relu", "--epochs", "3"]],
  ["identity, one layer (randn)", ["--dataset", "randn", "--layers", "10,1", "--epochs", "2"]],
];

describe("edgeprop export --format c", () => {
  it.each(cases)("%s: gcc -std=c99 -Wall -Werror, same outputs as predict", (_name, flags) => {
    const dir = tmp();
    const model = join(dir, "model.json");
    ok(["sim", ...flags, "--save", model, "--quiet"]);
    const header = join(dir, "model.h");
    ok(["export", model, "--format", "c", "--out", header]);
    const text = readFileSync(header, "utf8");
    expect(text).toMatch(/static const float edgeprop_w1\[/);
    expect(text).toMatch(/void edgeprop_predict\(const float \*in, float \*out\)/);
    writeFileSync(join(dir, "main.c"), MAIN);
    // a translation unit that includes the header without calling it must compile too
    writeFileSync(join(dir, "unused.c"), `#include "model.h"\nint unused(void);\nint unused(void) { return EDGEPROP_OUTPUTS; }\n`);
    execFileSync("gcc", ["-std=c99", "-Wall", "-Werror", "-Wextra", "-pedantic", "-O2", "-o", join(dir, "predict"), "main.c", "-lm"], { cwd: dir });
    execFileSync("gcc", ["-std=c99", "-Wall", "-Werror", "-Wextra", "-c", "unused.c", "-o", "unused.o"], { cwd: dir });
    // the rows: the data set's inputs as CSV
    const csv = join(dir, "data.csv");
    const name = flags[flags.indexOf("--dataset") + 1];
    ok(["datasets", "--write", name, "--out", csv]);
    const m = JSON.parse(readFileSync(model, "utf8"));
    const nIn = m.layers[0].in;
    const inputs = readFileSync(csv, "utf8").trim().split("\n").slice(1).map((l) => l.split(",").slice(0, nIn).join(","));
    const cOut = execFileSync(join(dir, "predict"), { input: inputs.join("\n") + "\n", encoding: "utf8" })
      .trim().split("\n").map((l) => l.split(" ").map(Number));
    const pred = jsonLines(ok(["predict", "--load", model, "--data", csv, "--json"]).stdout).filter((e) => e.event === "prediction");
    expect(cOut).toHaveLength(pred.length);
    let worst = 0;
    pred.forEach((p, i) => p.output.forEach((v: number, k: number) => {
      worst = Math.max(worst, Math.abs(v - cOut[i][k]) / Math.max(1, Math.abs(v)));
    }));
    expect(worst).toBeLessThan(1e-5);
  });

  it("--format json writes the edgeprop-model v1 file; a missing model is one line, exit 2", () => {
    const dir = tmp();
    const model = join(dir, "m.json");
    ok(["sim", "--dataset", "xor", "--epochs", "1", "--save", model, "--quiet"]);
    ok(["export", model, "--format", "json", "--out", join(dir, "copy.json")]);
    expect(JSON.parse(readFileSync(join(dir, "copy.json"), "utf8"))).toEqual(JSON.parse(readFileSync(model, "utf8")));
    const r = run(["export", join(dir, "nope.json"), "--format", "c", "--out", join(dir, "x.h")]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/nope\.json: no such file/);
  });
});
