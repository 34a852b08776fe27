// Issue 23's "What must hold": one model with every preprocessing step (one-hot,
// mean imputation, z-scored inputs and targets), the golden cases
// scripts/golden.py trained in PyTorch with the same preprocessing
// (tests/golden/table-onehot-mean-target, and table-two-targets: two targets
// of scales 30 and 0.05), gives the same outputs through predict (host), eval
// (the board's forward pass) and the exported C header, within 1e-5, on its
// raw table (text categories, NA, empty and null fields).
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jsonLines, runCli } from "../helpers/cli";
import { allGoldenCases, caseArgs } from "../helpers/golden";
import { flatParams, maxRel } from "../helpers/model";
import { rmDir, tmpDir } from "../helpers/paths";
import { predictMainC } from "../helpers/predict-main";

const dir = tmpDir("edgeprop-table-golden-");
afterAll(() => rmDir(dir));

const MISSING = new Set(["", "NA", "NaN", "null", "nan", "None", "N/A", "NULL", "n/a", "<NA>"]);
const CASES = ["table-onehot-mean-target", "table-two-targets"];

describe("the golden table cases through predict, eval and the C header", () => {
  for (const name of CASES) {
    it(`${name}: the CLI's model is PyTorch's (1e-4); predict, eval and the header agree within 1e-5, in the targets' units`, () => {
      const c = allGoldenCases().find((g) => g.name === name);
      if (!c) throw new Error(`tests/golden/${name} is missing`);
      const model = join(dir, `${name}.json`);
      const t = runCli(["sim", ...caseArgs(c), "--save", model, "--quiet"]);
      expect(t.code, t.stderr).toBe(0);
      const m = JSON.parse(readFileSync(model, "utf8"));
      expect(maxRel(flatParams(m), flatParams(c.expected))).toBeLessThan(1e-4);
      for (const key of ["categorical", "missing", "normalization", "target_normalization"]) expect(m[key], key).toEqual(c.expected[key]);
      const nOut: number = m.target_normalization.mean.length;

      const p = runCli(["predict", "--load", model, "--data", c.data, "--json"]);
      expect(p.code, p.stderr).toBe(0);
      const host = jsonLines(p.stdout).filter((e) => e.event === "prediction").map((e) => e.output as number[]);
      const [header, ...lines] = readFileSync(c.data, "utf8").trim().split("\n").map((l) => l.split(","));
      expect(host).toHaveLength(lines.length); // --missing mean: every row kept
      // Scaled back: each output's mean near its target's (not near 0, as z-scores would be).
      for (let k = 0; k < nOut; k++) {
        const mean = host.reduce((s, o) => s + o[k]!, 0) / host.length;
        expect(Math.abs(mean - m.target_normalization.mean[k]), `output ${k}`).toBeLessThan(m.target_normalization.std[k]);
      }
      const worst = (got: number[][]) => Math.max(...got.flatMap((o, i) => o.map((v, k) => Math.abs(v - host[i]![k]!) / Math.max(1, Math.abs(host[i]![k]!)))));

      const ev = runCli(["eval", "--load", model, "--data", c.data, "--json"]);
      expect(ev.code, ev.stderr).toBe(0);
      const board = jsonLines(ev.stdout).filter((e) => e.event === "prediction").map((e) => e.output as number[]);
      expect(board).toHaveLength(host.length);
      expect(worst(board)).toBeLessThan(1e-5);

      const h = join(dir, `${name}.h`);
      const ex = runCli(["export", model, "--format", "c", "--out", h]);
      expect(ex.code, ex.stderr).toBe(0);
      writeFileSync(join(dir, `${name}.c`), predictMainC(`${name}.h`));
      execFileSync("gcc", ["-std=c99", "-Wall", "-Werror", "-Wextra", "-pedantic", "-O2", "-ffp-contract=off", "-o", name, `${name}.c`, "-lm"], { cwd: dir });
      // The raw columns in the model's order: the category as its enum's index, a missing value as nan.
      const cats: Record<string, string[]> = m.categorical;
      const input = lines.map((r) => (m.inputs as string[]).map((col) => {
        const s = r[header!.indexOf(col)]!;
        if (MISSING.has(s)) return "nan";
        return cats[col] ? String(cats[col]!.indexOf(s)) : s;
      }).join(" ")).join("\n") + "\n";
      const out = execFileSync(join(dir, name), { cwd: dir, input, encoding: "utf8" }).trim().split("\n").map((l) => l.split(" ").map(Number));
      expect(out).toHaveLength(host.length);
      expect(out.every((o) => o[0] === 0)).toBe(true);
      expect(worst(out.map((o) => o.slice(1)))).toBeLessThan(1e-5);
    });
  }
});
