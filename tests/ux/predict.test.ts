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
    // --proba with a bce model: each output's sigmoid.
    const q = jsonLines(ok(["predict", "--load", xor, "--dataset", "xor", "--json", "--proba"]).stdout).filter((e) => e.event === "prediction");
    expect(q.length).toBeGreaterThan(0);
    for (const r of q) {
      expect(r.proba).toHaveLength(1);
      expect(r.proba[0]).toBeCloseTo(1 / (1 + Math.exp(-r.output[0])), 6);
    }
  });

  it("the summary: confusion matrix and per-class precision/recall/F1 named by class; --proba gives softmax rows", () => {
    const names = ["setosa", "versicolor", "virginica"];
    const named = join(dir, "iris-named.csv");
    const lines = readFileSync(iris, "utf8").trim().split("\n");
    writeFileSync(named, [lines[0], ...lines.slice(1).map((l) => l.replace(/,(\d)$/, (_, c) => `,${names[Number(c)]}`))].join("\n") + "\n");
    const namedModel = join(dir, "iris-named.json");
    ok(["sim", "--data", named, "--target", "species", "--layers", "4,16,3", "--loss", "ce", "--opt", "adam", "--lr", "0.01", "--batch", "16", "--shuffle", "--epochs", "60", "--save", namedModel, "--quiet"]);
    const p = jsonLines(ok(["predict", "--load", namedModel, "--data", named, "--json", "--proba"]).stdout);
    const rows = p.filter((e) => e.event === "prediction");
    const s = p[p.length - 1];
    expect(s.classes).toEqual(["setosa", "versicolor", "virginica"]);
    const byTrue = [0, 1, 2].map(() => [0, 0, 0]);
    for (const r of rows) byTrue[["setosa", "versicolor", "virginica"].indexOf(r.target)][r.class_index]++;
    expect(s.confusion).toEqual(byTrue);
    expect(s.per_class.map((c: any) => c.support)).toEqual([50, 50, 50]);
    const recall1 = byTrue[1][1] / 50;
    expect(s.per_class[1].recall).toBeCloseTo(recall1, 12);
    for (const r of rows) {
      const z = r.output.reduce((a: number, v: number) => a + Math.exp(v), 0);
      r.proba.forEach((q: number, k: number) => expect(q).toBeCloseTo(Math.exp(r.output[k]) / z, 6));
    }
    const human = ok(["predict", "--load", namedModel, "--data", named, "--summary"]).stdout;
    expect(human).toMatch(/confusion matrix \(rows: true class, columns: predicted class\)/);
    expect(human).toMatch(/^\s+versicolor\s+0\s+\d+\s+\d+$/m);
    expect(human).toMatch(/^\s+class\s+precision\s+recall\s+f1\s+support$/m);
    expect(human).toMatch(/^\s+virginica\s+[01]\.\d{3}\s+[01]\.\d{3}\s+[01]\.\d{3}\s+50$/m);
  });

  it("a regression's summary gives MAE, RMSE and R2 per output; --proba is refused for mse", () => {
    const sine = join(dir, "sine.json");
    ok(["sim", "--dataset", "sine", "--opt", "adam", "--lr", "0.01", "--batch", "32", "--epochs", "30", "--save", sine, "--quiet"]);
    const p = jsonLines(ok(["predict", "--load", sine, "--dataset", "sine", "--json"]).stdout);
    const rows = p.filter((e) => e.event === "prediction");
    const s = p[p.length - 1];
    expect(s.per_output).toHaveLength(1);
    const d = rows.map((r) => r.output[0] - r.target[0]);
    const mean = rows.reduce((a, r) => a + r.target[0], 0) / rows.length;
    const sq = d.reduce((a, v) => a + v * v, 0);
    expect(s.per_output[0].mae).toBeCloseTo(d.reduce((a, v) => a + Math.abs(v), 0) / rows.length, 6);
    expect(s.per_output[0].rmse).toBeCloseTo(Math.sqrt(sq / rows.length), 6);
    expect(s.per_output[0].r2).toBeCloseTo(1 - sq / rows.reduce((a, r) => a + (r.target[0] - mean) ** 2, 0), 6);
    expect(s.per_output[0].r2).toBeGreaterThan(0.5);
    expect(ok(["predict", "--load", sine, "--dataset", "sine", "--summary"]).stdout).toMatch(/^\s+output\s+MAE\s+RMSE\s+R2$/m);
    const r = run(["predict", "--load", sine, "--dataset", "sine", "--proba"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--proba: this model's loss is mse/);
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
