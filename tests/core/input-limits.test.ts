// Input at the edges (issue 10 item 5, issue 14 items 7, 8, 9), through the
// real CLI: every case is refused before any work with exit 2 and ONE line
// naming the file and field (or both flags), and nothing is written. What a
// message quotes from the input is cut, so a 2 MB field is not a 2 MB line.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { runCli } from "../helpers/cli";
import { rmDir, tmpDir } from "../helpers/paths";
import { modelJson } from "../helpers/model";

let dir = "";
let fixtures: string[] = [];
const FILES: Record<string, string> = {};
const MESSAGE_MAX = 400;

const dense = (nIn: number, nOut: number, w = 0.1, activation = "tanh") =>
  ({ type: "dense", in: nIn, out: nOut, activation, weight: Array.from({ length: nOut }, () => new Array(nIn).fill(w)), bias: new Array(nOut).fill(0) });
const model = (layers: object[], loss = "mse") => JSON.stringify({ format: "edgeprop-model", version: 1, loss, layers });

FILES["ok.csv"] = "a,b,y\n0.5,1,0\n-1,0.25,1\n";
FILES["frac-label.csv"] = "a,b,label\n0.5,1,0\n0.5,1,1.5\n";
FILES["bce-two.csv"] = "a,b,y\n0.5,1,0\n0.5,1,2\n";
FILES["bce-neg.csv"] = "a,b,y\n0.5,1,-0.5\n";
FILES["dup-columns.csv"] = "a,b, a,y\n1,2,3,0\n";
FILES["tiny.csv"] = "a,b,y\n0.5,1e-50,0\n0.25,1e-46,1\n0.125,2e-45,0\n";
FILES["wide.csv"] = `${Array.from({ length: 100_001 }, (_, i) => `c${i}`).join(",")}\n1,2\n`;
FILES["long-field.csv"] = `a,b,y\n1,${"x".repeat(2_000_000)},0\n`;
FILES["long-name.csv"] = `a,${"n".repeat(2_000_000)},y\n1,2,0\n`;
FILES["58-layers.json"] = model(Array.from({ length: 58 }, () => dense(2, 2)));
FILES["9-layers.json"] = model(Array.from({ length: 9 }, () => dense(2, 2)));
FILES["in-65537.json"] = JSON.stringify(modelJson([2, 1], ["identity"], "mse", [0.1, 0.2, 0.3])).replace('"in":2', '"in":65537');
FILES["weight-1e39.json"] = model([dense(2, 1, 0.5, "identity")]).replace("[[0.5,0.5]]", "[[0.5,1e39]]");
FILES["bias-1e39.json"] = model([dense(2, 1, 0.5, "identity")]).replace('"bias":[0]', '"bias":[-1e39]');
FILES["too-big.json"] = model([dense(1000, 1100, 0)]);
FILES["ok.json"] = model([dense(2, 3), dense(3, 1, 0.1, "identity")]);

beforeAll(() => {
  dir = tmpDir("edgeprop-input-limits-");
  for (const [name, text] of Object.entries(FILES)) writeFileSync(path.join(dir, name), text);
  fixtures = readdirSync(dir).sort();
});
afterAll(() => rmDir(dir));

/** Runs the command in the fixture folder; it must fail with exit 2, one short line, nothing written. */
function refused(args: string[]): string {
  const out: Record<string, string[]> = { export: ["--out", "out.h"], sim: ["--save", "out.json"] };
  const r = runCli([...args, ...(out[args[0]] ?? [])], dir);
  const lines = r.stderr.trimEnd().split("\n");
  expect(r.code, `stderr: ${r.stderr.slice(0, 2000)}`).toBe(2);
  expect(lines, `one line, got: ${r.stderr.slice(0, 2000)}`).toHaveLength(1);
  expect(lines[0]).toMatch(new RegExp(`^edgeprop ${args[0]}: `));
  expect(lines[0].length, "a short message").toBeLessThan(MESSAGE_MAX);
  expect(r.stderr).not.toMatch(/internal error|RangeError|\n\s+at /);
  expect(readdirSync(dir).sort(), "nothing written").toEqual(fixtures);
  return lines[0];
}

const MSE = ["--layers", "2,1", "--loss", "mse", "--epochs", "1", "--link", "direct"];

describe("data (exit 2, file:line:column)", () => {
  it("the plain fixtures train (each case below has one thing wrong)", () => {
    expect(runCli(["sim", "--data", "ok.csv", ...MSE, "--quiet"], dir).code).toBe(0);
    expect(runCli(["sim", "--data", "ok.csv", "--load", "ok.json", "--epochs", "1", "--quiet"], dir).code).toBe(0);
  });

  it("a class label 1.5 is not an integer (not 'outside 0..2')", () => {
    const m = refused(["sim", "--data", "frac-label.csv", "--layers", "2,3", "--loss", "ce"]);
    expect(m).toContain("frac-label.csv:3:7:");
    expect(m).toMatch(/1\.5 is not an integer/);
    expect(m).not.toMatch(/outside/);
  });

  for (const [file, value, where] of [["bce-two.csv", "2", "3:7"], ["bce-neg.csv", "-0.5", "2:7"]] as const) {
    it(`bce with a target ${value}: outside [0, 1], refused`, () => {
      const m = refused(["sim", "--data", file, "--layers", "2,1", "--loss", "bce"]);
      expect(m).toContain(`${file}:${where}:`);
      expect(m).toContain(`target ${value} outside [0, 1]`);
    });
  }

  it("a column name twice in the header", () => {
    const m = refused(["sim", "--data", "dup-columns.csv", "--layers", "3,1", "--loss", "mse"]);
    expect(m).toContain("dup-columns.csv:1:6:");
    expect(m).toMatch(/'a' appears twice \(columns 1 and 3\)/);
  });

  it("--target y,y names a column twice", () => {
    const m = refused(["sim", "--data", "ok.csv", "--target", "y,y", "--layers", "2,2", "--loss", "mse"]);
    expect(m).toMatch(/--target y,y: column 'y' is named twice/);
  });

  it("values float32 turns into 0 train, with ONE warning naming the first and the count", () => {
    // (not --quiet: it prints only the result line)
    const r = runCli(["sim", "--data", "tiny.csv", ...MSE], dir);
    expect(r.code, r.stderr).toBe(0);
    const warnings = r.stderr.split("\n").filter((l) => l.startsWith("warning:"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/tiny\.csv:2:5: column 'b' \(field 2\): 1e-50 is too small for float32 .* becomes 0 \(2 values in all\)/);
  });

  it("a 100,001-column header and a short row: the message cuts the column list", () => {
    const m = refused(["sim", "--data", "wide.csv", ...MSE]);
    expect(m).toMatch(/wide\.csv:2: too few columns: expected 100001 \(c0,c1,.*\.\.\. \(100001 in all\)\), got 2/);
  });

  it("a 2 MB field that is not a number: the message quotes its start", () => {
    const m = refused(["sim", "--data", "long-field.csv", ...MSE]);
    expect(m).toMatch(/long-field\.csv:2:3: column 'b' \(field 2\): expected a finite number, got 'x{20}\.\.\.'/);
  });

  it("a 2 MB column name: cut wherever a message quotes it", () => {
    const m = refused(["sim", "--data", "long-name.csv", "--target", "zz", ...MSE]);
    expect(m).toMatch(/no target column 'zz' \(columns: a,n+\.\.\. \(3 in all\)\)/);
  });
});

describe("model files (exit 2, file and field)", () => {
  const cases: [string, RegExp][] = [
    ["58-layers.json", /58-layers\.json: "layers" has 58 layers; the module takes at most 8/],
    ["9-layers.json", /9-layers\.json: "layers" has 9 layers; the module takes at most 8/],
    ["in-65537.json", /in-65537\.json: layers\[0\]\.in is 65537: expected an integer from 1 to 65535/],
    ["weight-1e39.json", /weight-1e39\.json: layers\[0\]\.weight\[0\]\[1\] is 1e\+39: expected a finite float32 number/],
    ["bias-1e39.json", /bias-1e39\.json: layers\[0\]\.bias\[0\] is -1e\+39: expected a finite float32 number/],
    ["too-big.json", /too-big\.json: "layers" 1000,1100: the model needs \d+ bytes on the board even one row at a time .*; the module has \d+/],
  ];
  for (const [file, want] of cases) {
    it(`${file}: sim --load, export and predict all refuse it`, () => {
      expect(refused(["sim", "--data", "ok.csv", "--load", file, "--epochs", "1"])).toMatch(want);
      expect(refused(["export", file, "--format", "c"])).toMatch(want);
      expect(refused(["predict", "--load", file, "--data", "ok.csv"])).toMatch(want);
    });
  }
});

describe("flags (exit 2, naming both)", () => {
  it("--layers 65537,1 names the size limit", () => {
    expect(refused(["plan", "--layers", "65537,1", "--loss", "mse"])).toMatch(/--layers 65537,1: size 1 is '65537'; each size is an integer from 1 to 65535/);
    expect(refused(["plan", "--layers", "8", "--loss", "mse"])).toMatch(/--layers 8: expected at least two sizes/);
  });

  it("--fault-rate 2 is not a probability", () => {
    expect(refused(["sim", "--data", "ok.csv", ...MSE.slice(0, -2), "--fault-rate", "2"])).toMatch(/--fault-rate 2: expected a number in \[0, 1\]/);
  });

  it("an extra positional argument", () => {
    expect(refused(["sim", "--data", "ok.csv", ...MSE, "extra"])).toMatch(/unexpected argument 'extra'/);
    expect(refused(["export", "ok.json", "two.json"])).toMatch(/unexpected argument 'two\.json'/);
  });

  it("--shuffle --no-shuffle, and a flag twice with different values", () => {
    expect(refused(["sim", "--data", "ok.csv", ...MSE, "--shuffle", "--no-shuffle"])).toMatch(/--shuffle and --no-shuffle contradict each other/);
    expect(refused(["sim", "--data", "ok.csv", ...MSE, "--lr", "0.1", "--lr", "0.2"])).toMatch(/--lr 0\.1 and --lr 0\.2 contradict each other/);
  });

  it("--link pty (or direct) with --engine", () => {
    const base = ["sim", "--data", "ok.csv", "--layers", "2,1", "--loss", "mse", "--epochs", "1"];
    expect(refused([...base, "--link", "pty", "--engine", "wasi:node"])).toMatch(/--link pty and --engine wasi:node contradict each other/);
    expect(refused([...base, "--link", "direct", "--engine", "wasi:node"])).toMatch(/--link direct and --engine wasi:node contradict each other/);
  });

  it("--load with --act: the model file's activations decide, so --act is refused", () => {
    expect(refused(["sim", "--data", "ok.csv", "--load", "ok.json", "--act", "relu", "--epochs", "1"]))
      .toMatch(/--act relu and --load: the model file sets the activations \(tanh,identity\)/);
  });
});
