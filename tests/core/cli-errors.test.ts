// Every error path of `edgeprop sim`, through the real CLI: exit 2, ONE line
// on stderr naming file, line and column where they apply and what was
// expected, and with --save no output file (nor a temporary one). A diverging
// run exits 3, names epoch and batch, suggests --lr / --clip-norm, and keeps
// the last finite model.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { jsonLines, runCli, type CliResult } from "../helpers/cli";
import { rmDir, tmpDir } from "../helpers/paths";
import { flatParams, modelJson, modelProblems } from "../helpers/model";
import { rng } from "../helpers/rng";

let dir = "";
let fixtures: string[] = [];
const TEXT: Record<string, string> = {};

function fixture(name: string, text: string): void {
  TEXT[name] = text;
}

// data with 2 inputs a,b and an mse target y / a ce label
fixture("ok.csv", "a,b,y\n0.5,1,2\n-1,0.25,3\n");
fixture("labels.csv", "a,b,label\n0.5,1,0\n-1,0.25,2\n");
fixture("few.csv", "a,b,y\n0.5,1,2\n\n-1,0.25\n0,0,0\n");
fixture("many.csv", "a,b,y\n0.5,1,2\n-1,0.25,3,4\n");
fixture("text.csv", "a,b,y\n0.5,1,2\n-1,oops,3\n");
fixture("nan.csv", "a,b,y\n0.5,1,2\n-1,0.25,NaN\n");
fixture("inf.csv", "a,b,y\n0.5,Inf,2\n");
fixture("neginf.csv", "a,b,y\n0.5,1,2\n0.5,1,2\n-Infinity,1,2\n");
fixture("huge.csv", "a,b,y\n0.5,1e39,2\n");
fixture("empty-field.csv", "a,b,y\n0.5,1,2\n-1,,3\n");
fixture("label-high.csv", "a,b,label\n0.5,1,0\n0.5,1,1\n0.5,1,3\n");
fixture("label-neg.csv", "a,b,label\n0.5,1,-1\n");
fixture("label-frac.csv", "a,b,label\n0.5,1,0\n0.5,1,1.5\n");
fixture("bad-token.json", '{\n "format": "edgeprop-model",\n "version": @\n}\n');
fixture("missing-comma.json", '{\n "format": "edgeprop-model"\n "version": 1\n}\n');
fixture("truncated.json", '{"format": "edgeprop-model", "version": 1, "loss": "mse", "layers": [');
fixture("keras.json", JSON.stringify({ format: "keras", version: 1 }));
fixture("v2.json", JSON.stringify({ ...modelJson([2, 1], ["identity"], "mse", [0.1, 0.2, 0.3]), version: 2 }));
fixture("ragged.json", JSON.stringify(modelJson([2, 1], ["identity"], "mse", [0.1, 0.2, 0.3])).replace("[[0.1,0.2]]", "[[0.1]]"));
fixture("three-in.json", JSON.stringify(modelJson([3, 1], ["identity"], "mse", [0.1, 0.2, 0.3, 0.4])));
fixture("two-out.json", JSON.stringify(modelJson([2, 2], ["identity"], "mse", [0.1, 0.2, 0.3, 0.4, 0.5, 0.6])));

beforeAll(() => {
  dir = tmpDir("edgeprop-cli-errors-");
  for (const [name, text] of Object.entries(TEXT)) writeFileSync(path.join(dir, name), text);
  fixtures = readdirSync(dir).sort();
});
afterAll(() => rmDir(dir));

/** line:col (1-based) of the first occurrence of `needle` in a fixture. */
function at(name: string, needle: string): string {
  const i = TEXT[name].indexOf(needle);
  if (i < 0) throw new Error(`${needle} not in ${name}`);
  const before = TEXT[name].slice(0, i).split("\n");
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

/** Runs `sim ARGS --save out.json` in the fixture folder; checks the common contract. */
function simFails(args: string[], code = 2): string {
  const res: CliResult = runCli(["sim", ...args, "--link", "direct", "--save", "out.json"], dir);
  const lines = res.stderr.trimEnd().split("\n");
  expect(res.code, `stderr: ${res.stderr}`).toBe(code);
  expect(lines, `stderr must be ONE line, got:\n${res.stderr}`).toHaveLength(1);
  expect(lines[0]).toMatch(/^edgeprop sim: /);
  expect(lines[0], "prefix printed twice").not.toMatch(/^edgeprop sim: edgeprop sim:/);
  expect(res.stderr).not.toMatch(/internal error|\n\s+at /);
  if (code === 2) {
    expect(readdirSync(dir).sort(), "no output file and no temporary file").toEqual(fixtures);
    expect(res.stdout).toBe("");
  }
  return lines[0];
}

const MSE = ["--layers", "2,1", "--loss", "mse", "--epochs", "1"];
const CE = ["--layers", "2,3", "--loss", "ce", "--epochs", "1"];

describe("data file errors (exit 2, file:line[:col])", () => {
  it("the fixtures themselves train (so each failure below is the one thing wrong)", () => {
    for (const args of [["--data", "ok.csv", ...MSE], ["--data", "labels.csv", ...CE]]) {
      const res = runCli(["sim", ...args, "--link", "direct", "--json"], dir);
      expect(res.code, res.stderr).toBe(0);
    }
  });

  it("missing data file", () => {
    const m = simFails(["--data", "nope.csv", ...MSE]);
    expect(m).toContain("nope.csv");
    expect(m).toMatch(/no such file|not found|does not exist/i);
  });

  it("a row with too few columns", () => {
    const m = simFails(["--data", "few.csv", ...MSE]);
    expect(m).toContain("few.csv:4:"); // the blank line 3 is skipped, line 4 is short
    expect(m).toMatch(/too few/i);
    expect(m).toMatch(/expected 3/);
  });

  it("a row with too many columns", () => {
    const m = simFails(["--data", "many.csv", ...MSE]);
    expect(m).toContain("many.csv:3:");
    expect(m).toMatch(/too many/i);
    expect(m).toMatch(/expected 3/);
  });

  const nonNumbers: [string, string, string, string][] = [
    ["text", "text.csv", "oops", "b"],
    ["Inf", "inf.csv", "Inf", "b"],
    ["-Infinity", "neginf.csv", "-Infinity", "a"],
    ["a number beyond float32", "huge.csv", "1e39", "b"],
  ];
  for (const [what, file, token, column] of nonNumbers) {
    it(`a value that is not a finite number: ${what}`, () => {
      const m = simFails(["--data", file, ...MSE]);
      expect(m).toContain(`${file}:${at(file, token)}:`);
      expect(m).toContain(`'${column}'`);
      expect(m).toMatch(/finite/);
      expect(m).toContain(token);
    });
  }

  it("NaN is a missing value, as pandas reads it (issue 23): its field, and the --missing flag that handles it", () => {
    const m = simFails(["--data", "nan.csv", ...MSE]);
    expect(m).toContain(`nan.csv:${at("nan.csv", "NaN")}: column 'y' (field 3): a missing value ('NaN'): --missing drop leaves such rows out`);
  });

  it("an empty field", () => {
    const m = simFails(["--data", "empty-field.csv", ...MSE]);
    expect(m).toContain("empty-field.csv:3:4:"); // "-1,,3": the empty field starts at column 4
    expect(m).toContain("'b'");
    expect(m).toMatch(/empty/);
  });

  it("an unknown --target column", () => {
    const m = simFails(["--data", "ok.csv", "--target", "zz", ...MSE]);
    expect(m).toContain("ok.csv");
    expect(m).toContain("zz");
    expect(m).toMatch(/a, b, y|a,b,y/); // names the columns there are
  });

  for (const [file, label, line] of [["label-high.csv", "3", 4], ["label-neg.csv", "-1", 2], ["label-frac.csv", "1.5", 3]] as const) {
    it(`a class label outside 0..classes-1 (ce): ${label}`, () => {
      const m = simFails(["--data", file, ...CE]);
      expect(m).toContain(`${file}:${line}`);
      expect(m).toContain(label);
      expect(m).toContain("0..2");
    });
  }
});

describe("model / data mismatch (exit 2)", () => {
  it("--layers input size does not match the data", () => {
    const m = simFails(["--data", "ok.csv", "--layers", "3,1", "--loss", "mse"]);
    expect(m).toContain("ok.csv");
    expect(m).toMatch(/2 input/);
    expect(m).toMatch(/3/);
  });

  it("--layers output size does not match the target columns", () => {
    const m = simFails(["--data", "ok.csv", "--layers", "2,2", "--loss", "mse"]);
    expect(m).toContain("ok.csv");
    expect(m).toMatch(/2 outputs/);
  });

  it("--load a model whose input size does not match the data", () => {
    const m = simFails(["--data", "ok.csv", "--load", "three-in.json"]);
    expect(m).toMatch(/3 inputs/);
  });

  it("--load a model whose output size does not match the data", () => {
    const m = simFails(["--data", "ok.csv", "--load", "two-out.json"]);
    expect(m).toMatch(/2 outputs/);
  });
});

describe("--load errors (exit 2)", () => {
  it("missing model file", () => {
    const m = simFails(["--data", "ok.csv", "--load", "nope.json"]);
    expect(m).toContain("nope.json");
    expect(m).toMatch(/no such file|not found|does not exist/i);
  });

  for (const [file, marker] of [["missing-comma.json", '"version"'], ["bad-token.json", "@"]] as const) {
    it(`malformed JSON names line and column (${file})`, () => {
      const m = simFails(["--data", "ok.csv", "--load", file]);
      expect(m).toContain(`${file}:${at(file, marker)}:`);
      expect(m).toMatch(/JSON/);
    });
  }

  it("truncated JSON (a half-written file)", () => {
    const m = simFails(["--data", "ok.csv", "--load", "truncated.json"]);
    expect(m).toContain("truncated.json");
    expect(m).toMatch(/JSON/);
  });

  it("valid JSON in another format", () => {
    const m = simFails(["--data", "ok.csv", "--load", "keras.json"]);
    expect(m).toContain("keras.json");
    expect(m).toContain("edgeprop-model");
  });

  it("an edgeprop-model of another version", () => {
    const m = simFails(["--data", "ok.csv", "--load", "v2.json"]);
    expect(m).toContain("v2.json");
    expect(m).toMatch(/version/);
  });

  it("a model whose weight shape does not match its sizes", () => {
    const m = simFails(["--data", "ok.csv", "--load", "ragged.json"]);
    expect(m).toContain("ragged.json");
    expect(m).toMatch(/weight/);
  });
});

describe("option errors (exit 2)", () => {
  it("an unknown option, with a did-you-mean", () => {
    const m = simFails(["--data", "ok.csv", ...MSE, "--lrr", "0.1"]);
    expect(m).toContain("--lrr");
    expect(m).toMatch(/did you mean --lr\b/);
  });

  it("an unknown option with nothing close", () => {
    const m = simFails(["--data", "ok.csv", ...MSE, "--frobnicate"]);
    expect(m).toContain("--frobnicate");
  });

  const bad: [string, string[], RegExp][] = [
    ["--lr abc", ["--lr", "abc"], /--lr abc.*number/],
    ["--lr -1", ["--lr", "-1"], /--lr -1/],
    ["--batch 0", ["--batch", "0"], /--batch 0.*(positive|full)/],
    ["--batch abc", ["--batch", "abc"], /--batch abc/],
    ["--opt foo", ["--opt", "foo"], /--opt foo.*sgd.*adam/],
    ["--opt adamm (suggests adam)", ["--opt", "adamm"], /did you mean adam\b/],
    ["--act foo", ["--act", "foo"], /--act foo.*relu/],
    ["--epochs 0", ["--epochs", "0"], /--epochs 0/],
    ["--epochs 1.5", ["--epochs", "1.5"], /--epochs 1.5.*integer/],
    ["--schedule bogus", ["--schedule", "bogus"], /--schedule bogus.*step:SIZE:GAMMA/],
    ["--schedule step:0:0.5", ["--schedule", "step:0:0.5"], /--schedule step:0:0.5/],
    ["--nesterov without momentum", ["--nesterov"], /--nesterov.*momentum/],
    ["--beta1 1", ["--opt", "adam", "--beta1", "1"], /beta1/],
    ["--lr without a value", ["--lr"], /--lr/],
  ];
  for (const [name, extra, re] of bad) {
    it(`a bad value: ${name}`, () => {
      expect(simFails(["--data", "ok.csv", ...MSE, ...extra])).toMatch(re);
    });
  }

  it("--layers that is not a list of sizes", () => {
    expect(simFails(["--data", "ok.csv", "--layers", "2,x", "--loss", "mse"])).toMatch(/--layers 2,x/);
  });

  it("a missing --data", () => {
    expect(simFails(MSE)).toMatch(/--data/);
  });

  it("an unknown command exits 2 and names it", () => {
    const res = runCli(["simm"], dir);
    expect(res.code).toBe(2);
    expect(res.stderr.split("\n")[0]).toMatch(/unknown command 'simm'.*did you mean 'sim'/);
  });
});

function lastLine(text: string): string {
  const lines = text.trimEnd().split("\n");
  return lines[lines.length - 1];
}

describe("divergence (exit 3)", () => {
  // y = 1000 a + 500 b + 2000: with mse and lr 1e6 the weights blow up at once.
  function writeBig(name: string) {
    const r = rng(11);
    const lines = ["a,b,y"];
    for (let i = 0; i < 40; i++) {
      const a = Math.fround(r() * 2 - 1), b = Math.fround(r() * 2 - 1);
      lines.push(`${a},${b},${1000 * a + 500 * b + 2000}`);
    }
    writeFileSync(path.join(dir, name), lines.join("\n") + "\n");
  }

  const scenarios: [string, string[]][] = [
    ["mini-batches, diverging in the first epoch", ["--batch", "4", "--epochs", "5"]],
    ["full batch, diverging after several epochs", ["--batch", "full", "--epochs", "40"]],
    ["stochastic", ["--batch", "1", "--epochs", "5"]],
  ];
  for (const [name, extra] of scenarios) {
    it(`huge --lr, ${name}: exit 3, epoch and batch named, last finite model saved`, () => {
      const sub = tmpDir("edgeprop-diverge-");
      try {
        writeBig("big.csv");
        const data = path.join(dir, "big.csv");
        const save = path.join(sub, "model.json");
        const res = runCli(["sim", "--data", data, "--layers", "2,1", "--loss", "mse", "--opt", "sgd", "--lr", "1e6", ...extra, "--link", "direct", "--json", "--save", save], sub);
        expect(res.code, `stdout:\n${res.stdout}\nstderr:\n${res.stderr}`).toBe(3);
        // warnings may come first; the stop itself is the last line, and one line
        const last = lastLine(res.stderr);
        expect(last).toMatch(/^edgeprop sim: /);
        expect(last).toMatch(/epoch \d+/);
        expect(last).toMatch(/batch \d+/);
        expect(last).toMatch(/--lr/);
        expect(last).toMatch(/--clip-norm/);
        // every epoch reported before the stop had a finite loss; no done event
        const events = jsonLines(res.stdout);
        expect(events.filter((e) => e.event === "done")).toEqual([]);
        for (const e of events.filter((e) => e.event === "epoch")) {
          expect(Number.isFinite(e.loss), JSON.stringify(e)).toBe(true);
        }
        // the saved model is a valid, all-finite edgeprop-model
        expect(existsSync(save), "--save keeps the last finite model").toBe(true);
        const text = readFileSync(save, "utf8");
        const m = JSON.parse(text);
        expect(modelProblems(m)).toEqual([]);
        const w = flatParams(m);
        expect(w.every((v) => typeof v === "number" && Number.isFinite(v)), text.slice(0, 300)).toBe(true);
        expect(readdirSync(sub)).toEqual(["model.json"]);
        // and it loads back
        const again = runCli(["sim", "--data", data, "--load", save, "--lr", "1e-9", "--epochs", "1", "--link", "direct", "--json"], sub);
        expect(again.code, again.stderr).toBe(0);
      } finally {
        rmDir(sub);
        rmDir(path.join(dir, "big.csv"));
        fixtures = readdirSync(dir).sort();
      }
    });
  }

  it("without --save: exit 3 and no file", () => {
    writeBig("big2.csv");
    try {
      const res = runCli(["sim", "--data", "big2.csv", "--layers", "2,1", "--loss", "mse", "--lr", "1e6", "--batch", "4", "--epochs", "5", "--link", "direct"], dir);
      expect(res.code, res.stderr).toBe(3);
      expect(lastLine(res.stderr)).toMatch(/^edgeprop sim: .*epoch \d+.*batch \d+/);
      expect(readdirSync(dir).filter((f) => f.endsWith(".json") && !TEXT[f])).toEqual([]);
    } finally {
      rmDir(path.join(dir, "big2.csv"));
    }
  });
});
