// tests/golden is what scripts/golden.py writes with real PyTorch, nothing
// edited by hand: rerun from the committed inputs, every expected.json comes
// back within 1e-9; rerun from scratch, the seeded cases' data and initial
// weights are drawn again (within float32 rounding of another CPU's kernels)
// and every folder is one of the script's cases.
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { goldenDir, repoRoot, rmDir, tmpDir } from "../helpers/paths";
import { eachRel, flatParams, maxRel, readJson } from "../helpers/model";
import { oracleFailure, PYTHON, skipWithoutTorch, torchMissing } from "./oracle";

const SCRIPT = path.join(repoRoot, "scripts", "golden.py");
const RERUN_TOL = 1e-9;
/** Data drawn again on another machine may differ in float32's last bit. */
const REDRAW_TOL = 1e-6;

const missing = torchMissing();
const names = readdirSync(goldenDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

function golden(args: string[]): void {
  const r = spawnSync(PYTHON, [SCRIPT, ...args], { encoding: "utf8", timeout: 300_000 });
  expect(r.status, `${SCRIPT} ${args.join(" ")}: ${r.stderr}`).toBe(0);
}

/** A CSV's fields after the header: the numbers, and (in order) the fields that are not (text, NA, empty). */
function csvFields(file: string): { numbers: number[]; texts: string[] } {
  const fields = readFileSync(file, "utf8").trim().split("\n").slice(1).flatMap((l) => l.split(","));
  const isNumber = (f: string) => f.trim() !== "" && Number.isFinite(Number(f));
  return { numbers: fields.filter(isNumber).map(Number), texts: fields.filter((f) => !isNumber(f)) };
}

function compareExpected(dir: string, name: string, tol: number): void {
  const got = readJson(path.join(dir, name, "expected.json")), want = readJson(path.join(goldenDir, name, "expected.json"));
  expect(maxRel(flatParams(got), flatParams(want)), `${name}: weights`).toBeLessThanOrEqual(tol);
  expect(eachRel(got.epoch_loss, want.epoch_loss), `${name}: epoch losses`).toBeLessThanOrEqual(tol);
  expect(readJson(path.join(dir, name, "case.json")), `${name}: case.json`).toEqual(readJson(path.join(goldenDir, name, "case.json")));
}

describe.skipIf(skipWithoutTorch("golden.py check", missing))("scripts/golden.py writes tests/golden", () => {
  const work = tmpDir("edgeprop-golden-py-");
  afterAll(() => rmDir(work));

  it(`has the oracle: real PyTorch for ${PYTHON}`, () => {
    expect(missing, oracleFailure(String(missing))).toBeNull();
  });

  it("from the committed data.csv and init.json, every expected.json again (1e-9)", () => {
    const dir = path.join(work, "kept");
    cpSync(goldenDir, dir, { recursive: true });
    golden(["--out", dir, "--keep-inputs"]);
    for (const name of names) compareExpected(dir, name, RERUN_TOL);
  });

  it("from scratch: the same cases, the seeded inputs drawn again", () => {
    const dir = path.join(work, "fresh");
    mkdirSync(dir);
    // The cases older than the script have no seed: their inputs are kept as committed.
    const unseeded = names.filter((n) => readJson(path.join(goldenDir, n, "case.json")).data?.seed === undefined);
    for (const n of unseeded) {
      mkdirSync(path.join(dir, n));
      for (const f of ["data.csv", "init.json"]) cpSync(path.join(goldenDir, n, f), path.join(dir, n, f));
    }
    golden(["--out", dir]);
    expect(readdirSync(dir).sort()).toEqual(names);
    for (const name of names) {
      const data = csvFields(path.join(dir, name, "data.csv")), want = csvFields(path.join(goldenDir, name, "data.csv"));
      expect(data.texts, `${name}: data.csv's text fields`).toEqual(want.texts);
      expect(maxRel(data.numbers, want.numbers), `${name}: data.csv`).toBeLessThanOrEqual(REDRAW_TOL);
      const init = flatParams(readJson(path.join(dir, name, "init.json")));
      expect(maxRel(init, flatParams(readJson(path.join(goldenDir, name, "init.json")))), `${name}: init.json`).toBeLessThanOrEqual(REDRAW_TOL);
      compareExpected(dir, name, REDRAW_TOL);
    }
  });
});
