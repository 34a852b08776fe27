// Gradient-norm warnings and the terminal drawing helpers (no timing involved).
import { describe, expect, it } from "vitest";
import { GradWatch, type GradWarning } from "../../host/progress/grad-watch";
import { brailleChart, sparkline } from "../../host/progress/chart";
import { jsonLines, run } from "./util";

const batch = (index: number, norms: number[]) => ({ index, rows: 1, lossSum: 1, status: 0, gradNorms: Float32Array.from(norms), micros: 0 });

describe("gradient norms", () => {
  it("names the layer after 5 vanishing or exploding batches in a row, once", () => {
    const got: GradWarning[] = [];
    const w = new GradWatch([2, 32, 3], (x) => got.push(x));
    for (let i = 0; i < 4; i++) w.batch(1, batch(i, [1e-9, 1]));
    w.batch(1, batch(4, [1, 1])); // the run is broken
    expect(got).toHaveLength(0);
    for (let i = 0; i < 5; i++) w.batch(2, batch(i, [1e-9, 5e3]));
    expect(got.map((g) => [g.kind, g.layer, g.layer_shape, g.epoch, g.batch])).toEqual([
      ["vanishing_gradients", 1, "2->32", 2, 5], ["exploding_gradients", 2, "32->3", 2, 5]]);
    for (let i = 0; i < 10; i++) w.batch(3, batch(i, [1e-9, 5e3]));
    expect(got).toHaveLength(2);
  });

  it("vanishing gradients with a loss that fell: small steps; with a loss at or above its start: a too large --lr", () => {
    const lossy = (index: number, loss: number) => ({ ...batch(index, [1e-9]), lossSum: loss });
    const falling: GradWarning[] = [];
    const f = new GradWatch([2, 1], (x) => falling.push(x));
    for (let i = 0; i < 5; i++) f.batch(1, lossy(i, 1 - i / 10));
    expect(falling[0]).toMatchObject({ cause: "small_gradients" });
    expect(falling[0].message).toMatch(/or a too small --lr/);
    const stuck: GradWarning[] = [];
    const g = new GradWatch([2, 1], (x) => stuck.push(x));
    for (let i = 0; i < 5; i++) g.batch(1, lossy(i, 1 + i));
    expect(stuck[0]).toMatchObject({ cause: "lr_too_large" });
    expect(stuck[0].message).toMatch(/too large --lr.*try a 10x lower --lr/);
    expect(stuck[0].message).not.toMatch(/too small/);
  });

  it("SGD --lr 10 on iris: the hint points at a too large learning rate (issue 10 bug 6)", () => {
    const r = run(["sim", "--dataset", "iris", "--opt", "sgd", "--lr", "10", "--epochs", "10", "--link", "direct", "--json"]);
    expect(r.code).toBe(0);
    const events = jsonLines(r.stdout);
    const w = events.filter((e) => e.event === "warning");
    expect(w.map((e) => [e.kind, e.cause])).toEqual([["vanishing_gradients", "lr_too_large"]]);
    expect(w[0].message).toMatch(/too large --lr/);
    expect(w[0].message).not.toMatch(/too small --lr/);
    // the run stalls high: above the loss of guessing uniformly among 3 classes
    expect(events.find((e) => e.event === "done").final_loss).toBeGreaterThan(Math.log(3));
  });

  it("a run whose loss ends well above where it started points at a too large --lr; a slow run does not", () => {
    const overshoot = jsonLines(run(["sim", "--dataset", "spiral", "--opt", "sgd", "--lr", "10", "--epochs", "10", "--no-shuffle", "--link", "direct", "--json"]).stdout);
    const w = overshoot.filter((e) => e.event === "warning");
    expect(w.map((e) => [e.kind, e.cause])).toEqual([["loss_not_improving", "lr_too_large"]]);
    expect(w[0].message).toMatch(/well above where it started .*try a 10x lower --lr/);
    expect(overshoot.find((e) => e.event === "done").warnings).toBe(1);
    // spiral with SGD lr 0.01 barely moves in 5 epochs: slow, not overshooting
    const slow = jsonLines(run(["sim", "--dataset", "spiral", "--opt", "sgd", "--epochs", "5", "--link", "direct", "--json"]).stdout);
    expect(slow.filter((e) => e.event === "warning")).toEqual([]);
  });

  it("--json: a warning event naming the layer before the run diverges", () => {
    const r = run(["sim", "--dataset", "randn", "--layers", "10,1", "--opt", "sgd", "--lr", "0.5", "--batch", "1", "--epochs", "1", "--json"]);
    expect(r.code).toBe(3);
    const w = jsonLines(r.stdout).filter((e) => e.event === "warning");
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ kind: "exploding_gradients", layer: 1, layer_shape: "10->1" });
    expect(r.stderr).toMatch(/diverged/);
  });

  it("--quiet prints only the result line: no gradient warning (the done event still counts it)", () => {
    const argv = ["sim", "--dataset", "iris", "--opt", "sgd", "--lr", "10", "--epochs", "10", "--link", "direct"];
    expect(run(argv).stderr).toMatch(/warning: layer \d .*gradients vanish/);
    const q = run([...argv, "--quiet"]);
    expect(q.code).toBe(0);
    expect(q.stderr).toBe("");
    expect(q.stdout).toMatch(/^done: [^\n]*\n$/);
    const j = jsonLines(run([...argv, "--json"]).stdout);
    expect(j.find((e) => e.event === "done").warnings).toBe(j.filter((e) => e.event === "warning").length);
  });

  it("without --json the warning is one line on stderr", () => {
    const r = run(["sim", "--dataset", "randn", "--layers", "10,1", "--lr", "0.5", "--batch", "1", "--epochs", "1"]);
    expect(r.stderr).toMatch(/warning: layer 1 \(10->1\): gradients explode/);
    expect(r.stdout).not.toMatch(/\x1b/);
  });

  it("epoch events carry one grad norm per layer", () => {
    const r = run(["sim", "--dataset", "spiral", "--epochs", "2", "--json"]);
    const e = jsonLines(r.stdout).filter((x) => x.event === "epoch");
    expect(e[0].grad_norms).toHaveLength(2);
  });
});

describe("terminal charts", () => {
  it("braille chart has the asked size and labels the range", () => {
    const lines = brailleChart([4, 3, 2, 1.5, 1.2, 1.1, 1], 30, 5);
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/^4 ┤/);
    expect(lines[4]).toMatch(/^1 ┤/);
    expect(lines[0].length).toBe(lines[4].length);
    expect(sparkline([1, 0.1, 0.01], 3)).toBe("█▅▁");
  });
});
