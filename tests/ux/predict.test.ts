// predict (host) and eval (board) on a trained model: outputs per row,
// accuracy with targets, the same numbers both ways.
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jsonLines, ok, root, run, tmp } from "./util";

describe("edgeprop predict / eval", () => {
  const dir = tmp();
  const model = join(dir, "iris.json");
  const iris = join(root, "data", "iris.csv");

  it("a trained Iris model predicts with high accuracy; eval on the board agrees", () => {
    ok(["sim", "--dataset", "iris", "--opt", "adam", "--lr", "0.01", "--batch", "16", "--shuffle", "--epochs", "60", "--save", model, "--quiet"]);
    const p = jsonLines(ok(["predict", "--load", model, "--data", iris, "--json"]).stdout);
    const rows = p.filter((e) => e.event === "prediction");
    const summary = p[p.length - 1];
    expect(rows).toHaveLength(150);
    expect(rows[0].output).toHaveLength(3);
    expect(summary.event).toBe("summary");
    expect(summary.accuracy).toBeGreaterThan(0.9);
    // accuracy is argmax == label, recomputed here
    const right = rows.filter((r) => r.output.indexOf(Math.max(...r.output)) === r.target).length;
    expect(summary.accuracy).toBeCloseTo(right / 150, 12);
    const e = jsonLines(ok(["eval", "--load", model, "--data", iris, "--json"]).stdout);
    const erows = e.filter((x) => x.event === "prediction");
    erows.forEach((r, i) => r.output.forEach((v: number, k: number) => expect(Math.abs(v - rows[i].output[k])).toBeLessThan(1e-5 * Math.max(1, Math.abs(v)))));
    expect(e[e.length - 1].accuracy).toBe(summary.accuracy);
    expect(Math.abs(e[e.length - 1].loss - summary.loss)).toBeLessThan(1e-5);
  });

  it("without target columns: outputs only; with a bce model: threshold 0 accuracy", () => {
    const lines = readFileSync(iris, "utf8").trim().split("\n");
    const inputs = join(dir, "inputs.csv");
    writeFileSync(inputs, lines.map((l) => l.split(",").slice(0, 4).join(",")).join("\n") + "\n");
    const p = jsonLines(ok(["predict", "--load", model, "--data", inputs, "--json"]).stdout);
    expect(p.filter((e) => e.event === "prediction")).toHaveLength(150);
    expect(p[p.length - 1].accuracy).toBeUndefined();
    const human = ok(["predict", "--load", model, "--data", inputs]).stdout;
    expect(human).toMatch(/no target columns/);

    const xor = join(dir, "xor.json");
    ok(["sim", "--dataset", "xor", "--layers", "2,16,1", "--loss", "bce", "--opt", "adam", "--lr", "0.02", "--shuffle", "--epochs", "80", "--save", xor, "--quiet"]);
    const s = jsonLines(ok(["predict", "--load", xor, "--dataset", "xor", "--json", "--summary"]).stdout);
    expect(s).toHaveLength(1);
    expect(s[0].accuracy).toBeGreaterThan(0.85);
  });

  it("a CSV whose columns don't fit the model is one line, exit 2", () => {
    const bad = join(dir, "bad.csv");
    writeFileSync(bad, "a,b\n1,2\n");
    const r = run(["predict", "--load", model, "--data", bad]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/model takes 4 inputs/);
  });
});
