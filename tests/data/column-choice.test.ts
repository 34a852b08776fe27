// --inputs and --drop choose a new model's columns; every text column is
// named in one message with the flag that leaves it out (issue 23).
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ok, run, tmp } from "../ux/util";

const dir = tmp();
const file = join(dir, "birds.csv");
const rows = ["id,name,wing,mass,island,note,kind"];
for (let i = 0; i < 24; i++) rows.push(`${i},bird${i},${10 + (i % 7)},${200 + 13 * (i % 5)},${["Biscoe", "Dream"][i % 2]},n${i},${i % 3 === 0 ? "heavy" : "light"}`);
writeFileSync(file, rows.join("\n") + "\n");
const sim = (flags: string[]) => run(["sim", "--data", file, "--loss", "ce", "--layers", "2,4,2", "--epochs", "1", "--quiet", ...flags]);

describe("--inputs and --drop", () => {
  it("every text input column in one message, each with the flag that leaves it out; exit 2", () => {
    const r = run(["sim", "--data", file, "--loss", "ce", "--epochs", "1"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr.trim()).toBe(`edgeprop sim: ${file}: 3 input columns hold text, not numbers: 'name' (line 2: 'bird0'): --drop name or --categorical name; ` +
      `'island' (line 2: 'Biscoe'): --drop island or --categorical island; 'note' (line 2: 'n0'): --drop note or --categorical note (or name the inputs with --inputs)`);
  });

  it("--drop leaves columns out; the model keeps the inputs left, in the file's order", () => {
    const model = join(dir, "drop.json");
    const r = sim(["--drop", "id,name,island,note", "--save", model]);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(model, "utf8"));
    expect([m.inputs, m.targets]).toEqual([["wing", "mass"], ["kind"]]);
  });

  it("--inputs names them, in its own order; the same model as --drop in that order", () => {
    const model = join(dir, "inputs.json");
    expect(sim(["--inputs", "mass,wing", "--save", model]).code).toBe(0);
    expect(JSON.parse(readFileSync(model, "utf8")).inputs).toEqual(["mass", "wing"]);
    // predict reads by name: the file with its text columns is fine (they are not inputs)
    expect(ok(["predict", "--load", model, "--data", file, "--summary"]).stdout).toMatch(/accuracy/);
  });

  it("refused: a column the file lacks, both flags, the target dropped", () => {
    const a = sim(["--drop", "id,wingspan"]);
    expect([a.code, a.stderr.trim()]).toEqual([2, `edgeprop sim: ${file}:1: --drop: no column 'wingspan' (columns: id,name,wing,mass,island,note,kind)`]);
    const b = sim(["--drop", "id", "--inputs", "wing"]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--inputs wing and --drop id: give one of them/);
    const c = sim(["--inputs", "wing,mass", "--drop", "kind"]);
    expect(c.code).toBe(2);
    const d = sim(["--drop", "id,name,island,note,kind", "--target", "kind"]);
    expect([d.code, d.stderr.trim()]).toEqual([2, `edgeprop sim: column 'kind' is the target and dropped (--drop)`]);
  });
});
