// --categorical and --missing (issue 23): a table as R and pandas write it
// (label first, text features, NA in several spellings) trained in one
// command; the model keeps its one-hot categories and its missing-value rule
// and applies them wherever it goes: predict (columns by name, in any order),
// eval on a board, and the exported C header (gcc).
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jsonLines, runCli } from "../helpers/cli";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";
import { predictMainC } from "../helpers/predict-main";

const dir = tmpDir("edgeprop-preprocessing-");
afterAll(() => rmDir(dir));

// data/penguins.csv, the real Palmer penguins table as R writes it (species first, island and sex text, `NA`).
const PENGUINS = join(repoRoot, "data", "penguins.csv");
const source = readFileSync(PENGUINS, "utf8").trim().split("\n").map((l) => l.split(","));
const header = source[0]!;
const col = (name: string) => header.indexOf(name);
const INPUTS = ["island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex"];
const MISSING = new Set(["NA", "", "null", "NaN"]);
const hasMissing = (r: string[]) => INPUTS.some((n) => MISSING.has(r[col(n)]!));
const write = (name: string, rows: string[][]) => { const f = join(dir, name); writeFileSync(f, rows.map((r) => r.join(",")).join("\n") + "\n"); return f; };
// The real file's columns in another order, and without bill_depth_mm.
const order = [7, 5, 3, 1, 0, 6, 2, 4];
const realReordered = write("real-reordered.csv", source.map((r) => order.map((k) => r[k]!)));
const realWithoutDepth = write("real-no-depth.csv", source.map((r) => r.filter((_, k) => k !== col("bill_depth_mm"))));
// The same rows with more missing values, spelled as pandas reads them (NA, empty, null, NaN).
const body = source.slice(1).map((r, i) => {
  const row = [...r];
  if (i % 11 === 3) row[col("bill_length_mm")] = "NA";
  if (i % 13 === 5) row[col("sex")] = "NA";
  if (i % 17 === 7) row[col("flipper_length_mm")] = "";
  if (i % 19 === 2) row[col("body_mass_g")] = "null";
  if (i % 23 === 4) row[col("bill_depth_mm")] = "NaN";
  return row;
});
const table = write("penguins-na.csv", [header, ...body]);
const reordered = write("reordered.csv", [header, ...body].map((r) => order.map((k) => r[k]!)));
const missingRows = body.filter(hasMissing).length;

const gcc = (...args: string[]) => execFileSync("gcc", ["-std=c99", "-Wall", "-Werror", "-Wextra", "-pedantic", "-O2", "-ffp-contract=off", ...args], { cwd: dir });
const predictions = (stdout: string) => jsonLines(stdout).filter((e) => e.event === "prediction");
const summary = (stdout: string) => jsonLines(stdout).find((e) => e.event === "summary");

describe("a table with text features, NA and the label first", () => {
  const model = join(dir, "drop.json");

  it("the real table trains in one command; predict on its columns reordered gives the same outputs bit for bit; a missing column is exit 2 naming it", () => {
    // Issue 23's command, on data/penguins.csv as it comes: 344 rows, 11 with an NA (2 without measurements, 9 more without sex).
    const realMissing = source.slice(1).filter(hasMissing).length;
    expect([source.length - 1, realMissing]).toEqual([344, 11]);
    const perSpecies = ["Adelie", "Chinstrap", "Gentoo"].map((s) => source.filter((r) => r[0] === s).length);
    expect(perSpecies).toEqual([152, 68, 124]);
    const t = runCli(["sim", "--data", PENGUINS, "--target", "species", "--drop", "year", "--categorical", "island,sex", "--missing", "drop",
      "--loss", "ce", "--hidden", "8", "--opt", "adam", "--lr", "0.01", "--batch", "16", "--epochs", "60", "--val-split", "0.2", "--normalize",
      "--early-stop", "10", "--save", model]);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stderr).toContain("11 of 344 rows left out for a missing value (--missing drop)");
    const m = JSON.parse(readFileSync(model, "utf8"));
    expect(m.inputs).toEqual(INPUTS);
    expect(m.targets).toEqual(["species"]);
    expect(m.categorical).toEqual({ island: ["Biscoe", "Dream", "Torgersen"], sex: ["female", "male"] });
    expect(m.missing).toEqual({ policy: "drop" });
    // --hidden: the input width after one-hot (3 + 4 numbers + 2)
    expect(m.layers[0].in).toBe(9);
    expect(m.normalization.mean).toHaveLength(9);

    // No --target: the model remembers species (here the last column of the reordered file).
    const a = runCli(["predict", "--load", model, "--data", PENGUINS, "--json"]);
    const b = runCli(["predict", "--load", model, "--data", realReordered, "--json"]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    expect(b.stdout).toBe(a.stdout);
    expect(predictions(a.stdout)).toHaveLength(344 - 11);
    expect(summary(a.stdout).rows_dropped).toBe(11);
    expect(summary(a.stdout).accuracy).toBeGreaterThan(0.95);

    // eval (the board's forward pass) applies the same rule: the same rows left out and counted, the same outputs (1e-5).
    const ev = runCli(["eval", "--load", model, "--data", realReordered, "--json"]);
    expect(ev.code, ev.stderr).toBe(0);
    expect(summary(ev.stdout).rows_dropped).toBe(11);
    const host = predictions(a.stdout).map((p) => p.output as number[]);
    const board = predictions(ev.stdout).map((p) => p.output as number[]);
    expect(board).toHaveLength(host.length);
    board.forEach((o, i) => o.forEach((v, k) => expect(Math.abs(v - host[i]![k]!)).toBeLessThan(1e-5 * Math.max(1, Math.abs(v)))));
    expect(predictions(ev.stdout).map((p) => p.line)).toEqual(predictions(a.stdout).map((p) => p.line));

    const c = runCli(["predict", "--load", model, "--data", realWithoutDepth]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/no column 'bill_depth_mm' \(input 3 of 6 of the model/);

    // The missing values as pandas spells them (NA, empty, null, NaN): those rows left out and counted, in any column order.
    const d = runCli(["predict", "--load", model, "--data", table, "--json"]);
    const e = runCli(["predict", "--load", model, "--data", reordered, "--json"]);
    expect([d.code, e.code], d.stderr + e.stderr).toEqual([0, 0]);
    expect(e.stdout).toBe(d.stdout);
    expect(summary(d.stdout).rows_dropped).toBe(missingRows);
    expect(predictions(d.stdout)).toHaveLength(body.length - missingRows);
  });

  it("a category the model never saw is exit 2 at its field (as OneHotEncoder(handle_unknown='error')), never a row of zeros", () => {
    const rows = [header, ...body.map((r, i) => (i === 6 ? r.map((v, k) => (k === col("island") ? "Atlantis" : v)) : r))];
    const r = runCli(["predict", "--load", model, "--data", write("unseen.csv", rows)]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/unseen\.csv:8:\d+: column 'island' \(field 2\): category 'Atlantis' is not one of the model's \(Biscoe,Dream,Torgersen\)/);
  });

  it("a missing value without --missing is exit 2 naming the flag; predict takes --missing to override the model's rule", () => {
    const t = runCli(["sim", "--data", table, "--target", "species", "--drop", "year", "--categorical", "island,sex", "--loss", "ce", "--hidden", "4", "--epochs", "1"]);
    expect(t.code).toBe(2);
    expect(t.stderr.trim()).toMatch(/penguins-na\.csv:4:\d+: column 'body_mass_g' \(field 6\): a missing value \('null'\): --missing drop leaves such rows out, --missing mean fills in/);
    const p = runCli(["predict", "--load", model, "--data", table, "--missing", "error"]);
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/penguins-na\.csv:4:\d+: column 'body_mass_g' \(field 6\): a missing value \('null'\): --missing drop/);
    const mean = runCli(["predict", "--load", model, "--data", table, "--missing", "mean"]);
    expect(mean.code).toBe(2);
    expect(mean.stderr).toMatch(/--missing mean: the model has no training means/);
    // A model that reads columns by position (a built-in data set's) has no rule to override: --missing is refused, not ignored.
    const positional = join(dir, "positional.json");
    expect(runCli(["sim", "--dataset", "iris", "--epochs", "1", "--save", positional, "--quiet"]).code).toBe(0);
    const q = runCli(["predict", "--load", positional, "--data", join(repoRoot, "data", "iris.csv"), "--missing", "drop"]);
    expect(q.code).toBe(2);
    expect(q.stderr).toMatch(/--missing applies to a model that knows its columns/);
  });

  it("text columns first: every one in one message with --drop or --categorical", () => {
    const t = runCli(["sim", "--data", table, "--target", "species", "--drop", "year", "--loss", "ce", "--hidden", "4", "--epochs", "1"]);
    expect(t.code).toBe(2);
    expect(t.stderr).toContain("'island' (line 2: 'Torgersen'): --drop island or --categorical island; 'sex' (line 2: 'male'): --drop sex or --categorical sex");
  });
});

describe("--missing mean with one-hot columns: predict, eval on a board and the C header agree", () => {
  // Training rows and a validation file whose values are far off: the means must be the training rows' alone.
  // Every fourth row for training (the file is sorted by species), the rest for validation.
  const train = write("train.csv", [header, ...body.filter((_, i) => i % 4 === 0)]);
  const val = write("val.csv", [header, ...body.filter((_, i) => i % 4 !== 0).map((r) => r.map((v, k) => (["bill_length_mm", "body_mass_g"].includes(header[k]!) && !MISSING.has(v) ? String(Number(v) * 10) : v)))]);
  const model = join(dir, "mean.json");

  it("the means are the training rows' (one-hot: each category's share); every output within 1e-5", () => {
    const t = runCli(["sim", "--data", train, "--val", val, "--target", "species", "--drop", "year", "--categorical", "island,sex", "--missing", "mean",
      "--loss", "ce", "--hidden", "6", "--act", "tanh", "--opt", "adam", "--lr", "0.01", "--epochs", "20", "--normalize", "--save", model, "--quiet"]);
    expect(t.code, t.stderr).toBe(0);
    const m = JSON.parse(readFileSync(model, "utf8"));
    expect(m.missing.policy).toBe("mean");
    // The expected means, computed here from the training rows: one-hot shares, then the numbers, ignoring missing fields.
    const rows = body.filter((_, i) => i % 4 === 0);
    const share = (name: string, cat: string) => {
      const known = rows.filter((r) => !MISSING.has(r[col(name)]!));
      return Math.fround(known.filter((r) => r[col(name)] === cat).length / known.length);
    };
    const avg = (name: string) => {
      const v = rows.map((r) => r[col(name)]!).filter((s) => !MISSING.has(s)).map(Number);
      return Math.fround(v.reduce((s, x) => s + x, 0) / v.length);
    };
    expect(m.missing.mean).toEqual([share("island", "Biscoe"), share("island", "Dream"), share("island", "Torgersen"),
      avg("bill_length_mm"), avg("bill_depth_mm"), avg("flipper_length_mm"), avg("body_mass_g"), share("sex", "female"), share("sex", "male")]);

    const p = runCli(["predict", "--load", model, "--data", table, "--json"]);
    expect(p.code, p.stderr).toBe(0);
    const host = predictions(p.stdout).map((e) => e.output as number[]);
    expect(host).toHaveLength(body.length); // no row left out: every missing value filled in
    const ev = runCli(["eval", "--load", model, "--data", reordered, "--json"]);
    expect(ev.code, ev.stderr).toBe(0);
    const board = predictions(ev.stdout).map((e) => e.output as number[]);
    expect(board).toHaveLength(body.length);
    const worst = (got: number[][]) => Math.max(...got.flatMap((o, i) => o.map((v, k) => Math.abs(v - host[i]![k]!) / Math.max(1, Math.abs(host[i]![k]!)))));
    expect(worst(board)).toBeLessThan(1e-5);

    // predict --missing drop overrides the model's rule: the rows with a missing value are left out and counted.
    const dropped = runCli(["predict", "--load", model, "--data", table, "--missing", "drop", "--json"]);
    expect(summary(dropped.stdout).rows_dropped).toBe(missingRows);

    const h = join(dir, "penguins.h");
    const ex = runCli(["export", model, "--format", "c", "--out", h]);
    expect(ex.code, ex.stderr).toBe(0);
    const text = readFileSync(h, "utf8");
    expect(text).toContain("enum { EDGEPROP_ISLAND_BISCOE = 0, EDGEPROP_ISLAND_DREAM = 1, EDGEPROP_ISLAND_TORGERSEN = 2 };");
    expect(text).toContain("enum { EDGEPROP_SEX_FEMALE = 0, EDGEPROP_SEX_MALE = 1 };");
    expect(text).toContain("#define EDGEPROP_INPUTS 6");
    expect(text).toContain("#define EDGEPROP_FEATURES 9");
    writeFileSync(join(dir, "main.c"), predictMainC("penguins.h"));
    gcc("-o", "predict", "main.c", "-lm");
    // The raw columns in the model's order: a category as its enum's index, a missing value as nan.
    const cats: Record<string, string[]> = m.categorical;
    const lines = body.map((r) => INPUTS.map((name) => {
      const s = r[col(name)]!;
      if (MISSING.has(s)) return "nan";
      return cats[name] ? String(cats[name]!.indexOf(s)) : s;
    }).join(" "));
    lines.push("7 40 18 200 4000 0", "nan nan nan nan nan nan");
    const out = execFileSync(join(dir, "predict"), { input: lines.join("\n") + "\n", encoding: "utf8" }).trim().split("\n").map((l) => l.split(" ").map(Number));
    expect(out).toHaveLength(body.length + 2);
    expect(worst(out.slice(0, body.length).map((o) => o.slice(1)))).toBeLessThan(1e-5);
    expect(out.slice(0, body.length).every((o) => o[0] === 0)).toBe(true);
    // An index outside island's enum is refused (input 1), not read as a row of zeros; all missing is filled in.
    expect(out[body.length]![0]).toBe(1);
    expect(out[body.length + 1]![0]).toBe(0);
  });
});

describe("the C header of a --missing drop model without categorical columns", () => {
  it("compiles with -Wall -Wextra -Werror; NAN in is refused (the input's number + 1), a full row predicted", () => {
    const model = join(dir, "drop-only.json");
    const t = runCli(["sim", "--data", table, "--target", "species", "--inputs", "bill_length_mm,bill_depth_mm", "--missing", "drop", "--loss", "ce",
      "--hidden", "4", "--epochs", "2", "--save", model, "--quiet"]);
    expect(t.code, t.stderr).toBe(0);
    const h = join(dir, "drop-only.h");
    expect(runCli(["export", model, "--format", "c", "--out", h]).code).toBe(0);
    writeFileSync(join(dir, "drop-only.c"), `#include <math.h>
#include <stdio.h>
#include "drop-only.h"
int main(void)
{
  float ok[EDGEPROP_INPUTS] = {40.0f, 18.0f}, missing[EDGEPROP_INPUTS] = {40.0f, NAN}, out[EDGEPROP_OUTPUTS];
  printf("%d %d\\n", edgeprop_predict(ok, out), edgeprop_predict(missing, out));
  return 0;
}
`);
    gcc("-o", "drop-only", "drop-only.c", "-lm");
    expect(execFileSync(join(dir, "drop-only"), { encoding: "utf8" })).toBe("0 2\n");
  });
});

describe("the model-file rules: a checkpoint keeps the preprocessing", () => {
  it("--resume with --categorical and --missing mean gives the uninterrupted run's model, bit for bit", () => {
    const flags = ["--data", table, "--target", "species", "--drop", "year", "--categorical", "island,sex", "--missing", "mean", "--loss", "ce",
      "--hidden", "6", "--opt", "adam", "--lr", "0.01", "--normalize", "--quiet"];
    const ck = join(dir, "ck");
    expect(runCli(["sim", ...flags, "--epochs", "3", "--checkpoint", ck]).code).toBe(0);
    const resumed = runCli(["sim", "--resume", ck, "--epochs", "5", "--save", join(dir, "resumed.json")]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(runCli(["sim", ...flags, "--epochs", "5", "--save", join(dir, "whole.json")]).code).toBe(0);
    const [a, b] = ["resumed.json", "whole.json"].map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")));
    expect(a.missing.policy).toBe("mean");
    expect(a).toEqual(b);
  });
});

