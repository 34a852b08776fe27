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

  it("--prefix: two exported models in one C program (one translation unit, and a second that includes both), each as predict says", () => {
    const dir = tmp();
    const iris = join(dir, "iris.json"), xor = join(dir, "xor.json");
    ok(["sim", "--dataset", "iris", "--layers", "4,8,3", "--normalize", "--opt", "adam", "--lr", "0.01", "--epochs", "5", "--save", iris, "--quiet"]);
    ok(["sim", "--dataset", "xor", "--layers", "2,8,1", "--loss", "bce", "--opt", "adam", "--lr", "0.01", "--epochs", "5", "--save", xor, "--quiet"]);
    ok(["export", iris, "--prefix", "iris", "--out", join(dir, "iris.h")]);
    ok(["export", xor, "--prefix", "xor_net", "--out", join(dir, "xor.h")]);
    const h = readFileSync(join(dir, "iris.h"), "utf8");
    expect(h).toMatch(/^#ifndef IRIS_MODEL_H$/m);
    expect(h).toMatch(/static inline void iris_predict\(const float \*in, float \*out\)/);
    expect(h).toMatch(/#define IRIS_INPUTS 4/);
    expect(h).toMatch(/\(in\[i\] - iris_mean\[i\]\) \/ iris_std\[i\]/);
    expect(h).not.toMatch(/edgeprop_|EDGEPROP_/);
    writeFileSync(join(dir, "main.c"), `#include <stdio.h>
#include "iris.h"
#include "xor.h"
int other(void);
int main(void) {
  float a[IRIS_INPUTS] = {5.1f, 3.5f, 1.4f, 0.2f}, b[XOR_NET_INPUTS] = {0.5f, -0.25f};
  float ya[IRIS_OUTPUTS], yb[XOR_NET_OUTPUTS];
  iris_predict(a, ya);
  xor_net_predict(b, yb);
  printf("%.9g %.9g %.9g\\n%.9g\\n", (double)ya[0], (double)ya[1], (double)ya[2], (double)yb[0]);
  return other() == IRIS_OUTPUTS + XOR_NET_OUTPUTS ? 0 : 1;
}
`);
    writeFileSync(join(dir, "other.c"), `#include "xor.h"\n#include "iris.h"\nint other(void);\nint other(void) { float o[IRIS_OUTPUTS], i[IRIS_INPUTS] = {0}; iris_predict(i, o); return IRIS_OUTPUTS + XOR_NET_OUTPUTS; }\n`);
    execFileSync("gcc", ["-std=c99", "-Wall", "-Werror", "-Wextra", "-pedantic", "-O2", "-o", join(dir, "both"), "main.c", "other.c", "-lm"], { cwd: dir });
    const [irisOut, xorOut] = execFileSync(join(dir, "both"), { encoding: "utf8" }).trim().split("\n").map((l) => l.split(" ").map(Number));
    writeFileSync(join(dir, "iris-row.csv"), "a,b,c,d\n5.1,3.5,1.4,0.2\n");
    writeFileSync(join(dir, "xor-row.csv"), "a,b\n0.5,-0.25\n");
    const want = (m: string, csv: string) => jsonLines(ok(["predict", "--load", m, "--data", join(dir, csv), "--json"]).stdout)[0].output as number[];
    want(iris, "iris-row.csv").forEach((v, k) => expect(Math.abs(v - (irisOut?.[k] ?? NaN))).toBeLessThan(1e-5 * Math.max(1, Math.abs(v))));
    want(xor, "xor-row.csv").forEach((v, k) => expect(Math.abs(v - (xorOut?.[k] ?? NaN))).toBeLessThan(1e-5 * Math.max(1, Math.abs(v))));
    // without --prefix the header is what it always was
    ok(["export", iris, "--out", join(dir, "plain.h")]);
    expect(readFileSync(join(dir, "plain.h"), "utf8")).toMatch(/^#ifndef EDGEPROP_MODEL_H$[\s\S]*edgeprop_predict\(/m);
  });

  it("--prefix that is not a C identifier is one line, exit 2, before anything is written", () => {
    const dir = tmp();
    for (const bad of ["9lives", "my-model", ""]) {
      const r = run(["export", join(dir, "never-read.json"), "--prefix", bad, "--out", join(dir, "x.h")]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/--prefix .*expected a C identifier/);
    }
  });
});
