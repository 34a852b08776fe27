// A model with "normalization" takes raw inputs everywhere (issue 11): the
// host forward pass, `predict`, `eval` on the (simulated) board and the
// exported C header (gcc, -ffp-contract=off) agree within 1e-5 on the raw
// wine data, and the header names the classes as the model does.
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readCsv } from "../../host/data/csv";
import { splitTable } from "../../host/data/dataset";
import { forward } from "../../host/model/forward";
import { readModel, writeModel } from "../../host/model/model-file";
import { zscoreStats } from "../../host/data/normalization";
import type { ModelConfig } from "../../host/model/config";
import { jsonLines, runCli } from "../helpers/cli";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";
import { rng } from "../helpers/rng";

const MAIN = `#include <stdio.h>
#include "model.h"
int main(void) {
  float in[EDGEPROP_INPUTS], out[EDGEPROP_OUTPUTS];
  int i, best;
  for (;;) {
    for (i = 0; i < EDGEPROP_INPUTS; i++) if (scanf(" %f ,", &in[i]) != 1) return 0;
    edgeprop_predict(in, out);
    best = 0;
    for (i = 0; i < EDGEPROP_OUTPUTS; i++) { printf("%.9g ", (double)out[i]); if (out[i] > out[best]) best = i; }
    printf("%s\\n", edgeprop_class_name(best));
  }
}
`;

const dir = tmpDir("edgeprop-normalized-");
afterAll(() => rmDir(dir));

const gcc = (...args: string[]) => execFileSync("gcc", ["-std=c99", "-Wall", "-Werror", "-Wextra", "-pedantic", "-O2", "-ffp-contract=off", ...args], { cwd: dir });

describe("a model with normalization and classes, on raw inputs", () => {
  const wine = join(repoRoot, "data", "wine.csv");
  const data = splitTable(readCsv(wine));
  const config: ModelConfig = { sizes: [13, 8, 3], activations: ["tanh", "identity"], loss: "ce" } as ModelConfig;
  const r = rng(5);
  const weights = Float32Array.from({ length: 13 * 8 + 8 + 8 * 3 + 3 }, () => Math.fround(r() - 0.5));

  it("forward, predict, eval and the C header agree within 1e-5; the classes travel into the header", () => {
    const file = join(dir, "wine.json");
    writeModel(file, config, weights, { classes: data.classes, normalization: zscoreStats(data) });
    const model = readModel(file);
    const host = forward(model, data.x, data.rows);
    // normalization changes the outputs (so the comparisons below would see it missing)
    const raw = forward({ ...model, normalization: undefined }, data.x, data.rows);
    expect(raw.some((v, i) => Math.abs(v - host[i]) > 0.1)).toBe(true);

    const p = jsonLines(runCli(["predict", "--load", file, "--data", wine, "--json"]).stdout);
    const rows = p.filter((e) => e.event === "prediction");
    expect(rows).toHaveLength(178);
    rows.forEach((e, i) => expect(e.output).toEqual(Array.from(host.subarray(3 * i, 3 * i + 3))));
    const right = rows.filter((e) => e.class === e.target).length;
    expect(p[p.length - 1].accuracy).toBeCloseTo(right / 178, 12);

    const ev = runCli(["eval", "--load", file, "--data", wine, "--json"]);
    expect(ev.code, ev.stderr).toBe(0);
    const erows = jsonLines(ev.stdout).filter((e) => e.event === "prediction");
    let worstEval = 0;
    erows.forEach((e, i) => e.output.forEach((v: number, k: number) => { worstEval = Math.max(worstEval, Math.abs(v - host[3 * i + k]) / Math.max(1, Math.abs(host[3 * i + k]))); }));
    expect(worstEval).toBeLessThan(1e-5);

    const header = join(dir, "model.h");
    const ex = runCli(["export", file, "--format", "c", "--out", header]);
    expect(ex.code, ex.stderr).toBe(0);
    const text = readFileSync(header, "utf8");
    expect(text).toContain(`static const char *const edgeprop_classes[3] = {"class_0", "class_1", "class_2"};`);
    expect(text).toContain("#define EDGEPROP_NORMALIZED 1");
    expect(text).toContain("  for (i = 0; i < 13; i++) x[i] = (in[i] - edgeprop_mean[i]) / edgeprop_std[i];");
    writeFileSync(join(dir, "main.c"), MAIN);
    writeFileSync(join(dir, "unused.c"), `#include "model.h"\nint unused(void);\nint unused(void) { return EDGEPROP_OUTPUTS; }\n`);
    gcc("-o", "predict", "main.c", "-lm");
    gcc("-c", "unused.c", "-o", "unused.o");
    const inputs = readFileSync(wine, "utf8").trim().split("\n").slice(1).map((l) => l.split(",").slice(0, 13).join(","));
    const out = execFileSync(join(dir, "predict"), { input: inputs.join("\n") + "\n", encoding: "utf8" }).trim().split("\n").map((l) => l.split(" "));
    expect(out).toHaveLength(178);
    let worstC = 0;
    out.forEach((fields, i) => {
      for (let k = 0; k < 3; k++) worstC = Math.max(worstC, Math.abs(Number(fields[k]) - host[3 * i + k]) / Math.max(1, Math.abs(host[3 * i + k])));
      expect(fields[3]).toBe(rows[i].class);
    });
    expect(worstC).toBeLessThan(1e-5);
  });

  it("class labels with quotes, backslashes, '?' and UTF-8 come out of the header as they went in", () => {
    const labels = ['say "hi"', "back\\slash", "what??=", "Grüße"];
    const file = join(dir, "odd.json");
    const w = Float32Array.from([1, 0, 0, 1, -1, -1, 0.5, 0.5, 0, 0, 0, 0]);
    writeModel(file, { sizes: [2, 4], activations: ["identity"], loss: "ce" } as ModelConfig, w, { classes: labels });
    expect(runCli(["export", file, "--format", "c", "--out", join(dir, "model.h")]).code).toBe(0);
    writeFileSync(join(dir, "names.c"), `#include <stdio.h>\n#include "model.h"\nint main(void) { int k; for (k = 0; k < EDGEPROP_OUTPUTS; k++) printf("%s\\n", edgeprop_class_name(k)); return edgeprop_class_name(4) != 0; }\n`);
    gcc("-o", "names", "names.c", "-lm");
    expect(execFileSync(join(dir, "names"), { encoding: "utf8" })).toBe(labels.join("\n") + "\n");
  });
});
