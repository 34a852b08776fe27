// edgeprop compare: one self-contained report, one curve per run, shared start.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { curves, EXTERNAL, jsonLines, ok, run, tmp } from "./util";

describe("edgeprop compare", () => {
  it("optimizers: one curve per run on shared axes, no external references", () => {
    const out = join(tmp(), "opt.html");
    const r = ok(["compare", "--dataset", "spiral", "--opt", "sgd,momentum,adagrad,rmsprop,adam", "--epochs", "6", "--shuffle", "--out", out]);
    expect(r.stdout).toContain(`report: ${out}`);
    const html = readFileSync(out, "utf8");
    expect(curves(html, "lin")).toEqual([["sgd", "momentum", "adagrad", "rmsprop", "adam"]]);
    expect(curves(html, "log")).toEqual([["sgd", "momentum", "adagrad", "rmsprop", "adam"]]);
    expect(html).toMatch(/<input type="checkbox" id="logscale">/);
    expect(html).not.toMatch(EXTERNAL);
    expect(html).toContain("<table");
  });

  it("batch sizes: 1, 32 and full start from the same weights", () => {
    const dir = tmp();
    const out = join(dir, "batch.html");
    const r = ok(["compare", "--dataset", "randn", "--batch", "1,32,full", "--epochs", "3", "--lr", "0.001", "--json", "--out", out]);
    const events = jsonLines(r.stdout);
    const last = events[events.length - 1];
    expect(last.event).toBe("compare");
    expect(last.runs.map((x: any) => x.run)).toEqual(["batch 1", "batch 32", "batch full"]);
    expect(last.runs.map((x: any) => x.steps)).toEqual([3000, 3 * 32, 3]);
    // Same start: the first batch of every run sees the same weights, so a
    // one-row batch GD run and the stochastic run agree on their first loss.
    const html = readFileSync(out, "utf8");
    expect(curves(html).flat()).toEqual(["batch 1", "batch 32", "batch full"]);
    expect(html).not.toMatch(EXTERNAL);
  });

  it("same initial weights for every run: epoch-1 losses of sgd with lr 0 agree", () => {
    const r = ok(["compare", "--dataset", "iris", "--opt", "sgd,adam", "--lr", "0", "--epochs", "1", "--json", "--out", join(tmp(), "r.html")]);
    const epochs = jsonLines(r.stdout).filter((e) => e.event === "epoch");
    expect(epochs).toHaveLength(2);
    expect(epochs[0].loss).toBe(epochs[1].loss);
  });

  it("rejects an unknown optimizer with one line and exit 2", () => {
    const r = run(["compare", "--dataset", "xor", "--opt", "sgd,adamm"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/did you mean adam/);
  });
});
