// Issue 11's training workflow: held-out data evaluated after every epoch
// (--val, --val-split), training and validation accuracy, ReduceLROnPlateau on
// the validation loss, early stopping with the best epoch's weights (also
// across --resume), shuffling by default.
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { simInProcess } from "../helpers/inprocess";
import { jsonLines, ok, root, run, tmp } from "./util";
import { LrSchedule, parseSchedule } from "../../host/run/schedule";
import { zscoreStats } from "../../host/data/normalization";
import { readDataFile } from "../../host/data/dataset";

const iris = join(root, "data", "iris.csv");
/** A spiral run that stops early (best epoch 16 of 21 run, patience 5). */
const SPIRAL = ["--dataset", "spiral", "--opt", "adam", "--lr", "0.05", "--batch", "32", "--val-split", "0.2", "--early-stop", "5"];

describe("held-out data", () => {
  it("--val-split: every epoch event carries accuracy, val_loss and val_accuracy (ce); the done event the kept model's", async () => {
    const r = await simInProcess(["--dataset", "iris", "--opt", "adam", "--lr", "0.01", "--batch", "16", "--epochs", "5", "--val-split", "0.2"]);
    expect(r.epochs).toHaveLength(5);
    for (const e of r.epochs) {
      expect(e.accuracy).toBeGreaterThanOrEqual(0);
      expect(e.val_loss).toBeGreaterThan(0);
      expect(e.val_accuracy).toBeGreaterThanOrEqual(0);
    }
    const last = r.epochs[4];
    expect(r.done).toMatchObject({ val_loss: last.val_loss, val_accuracy: last.val_accuracy, accuracy: last.accuracy });
    expect(r.outcome.record.valAccuracy).toBe(last.val_accuracy);
    // 120 training rows: 20% of each class's 50 held out
    expect(r.done.samples).toBe(5 * 120);
  });

  it("mse: val_loss only", async () => {
    const r = await simInProcess(["--dataset", "randn", "--epochs", "2", "--val-split", "0.1"]);
    expect(r.epochs[1].val_loss).toBeGreaterThan(0);
    expect(r.epochs[1].accuracy).toBeUndefined();
    expect(r.epochs[1].val_accuracy).toBeUndefined();
  });

  it("--val FILE: the validation figures are eval's on that file and model exactly, and predict's to float32 rounding", async () => {
    const dir = tmp();
    const lines = readFileSync(iris, "utf8").trim().split("\n");
    const header = lines[0], rows = lines.slice(1);
    const train = join(dir, "train.csv"), val = join(dir, "val.csv"), model = join(dir, "model.json");
    writeFileSync(train, [header, ...rows.filter((_, i) => i % 5 !== 0)].join("\n") + "\n");
    writeFileSync(val, [header, ...rows.filter((_, i) => i % 5 === 0)].join("\n") + "\n");
    const r = await simInProcess(["--data", train, "--val", val, "--layers", "4,8,3", "--loss", "ce", "--opt", "adam", "--lr", "0.02",
      "--batch", "16", "--epochs", "8", "--save", model]);
    const last = r.epochs[r.epochs.length - 1];
    const ev = jsonLines(ok(["eval", "--load", model, "--data", val, "--json", "--summary"]).stdout).pop();
    expect(last.val_loss).toBe(ev.loss);
    expect(last.val_accuracy).toBe(ev.accuracy);
    const pr = jsonLines(ok(["predict", "--load", model, "--data", val, "--json", "--summary"]).stdout).pop();
    expect(pr.rows).toBe(30);
    expect(Math.abs(last.val_loss - pr.loss)).toBeLessThan(1e-5 * Math.max(1, pr.loss));
    expect(last.val_accuracy).toBe(pr.accuracy);
    // training accuracy: predict's on the training rows
    const pt = jsonLines(ok(["predict", "--load", model, "--data", train, "--json", "--summary"]).stdout).pop();
    expect(last.accuracy).toBe(pt.accuracy);
  });

  it("ReduceLROnPlateau steps on the validation loss when there is validation data", async () => {
    const r = await simInProcess(["--dataset", "iris", "--opt", "adam", "--lr", "0.05", "--batch", "16", "--epochs", "25",
      "--val-split", "0.3", "--schedule", "plateau:0.5:0"]);
    const replay = (losses: number[]) => {
      const s = new LrSchedule(parseSchedule("plateau:0.5:0"), 0.05, 1, 25);
      return losses.map((l) => { const lr = s.lrFor(0); s.endEpoch(l); return lr; });
    };
    const lrs = r.epochs.map((e) => e.lr);
    expect(lrs).toEqual(replay(r.epochs.map((e) => e.val_loss)));
    expect(lrs).not.toEqual(replay(r.epochs.map((e) => e.loss)));
  });

  it("--val with --val-split, --early-stop without validation data, --min-delta without --early-stop: one line, exit 2", () => {
    for (const [args, msg] of [
      [["--val", iris, "--val-split", "0.2"], /--val .* and --val-split 0.2: give one source of validation rows/],
      [["--early-stop", "3"], /--early-stop 3 watches the validation loss: give --val FILE.csv or --val-split F as well/],
      [["--min-delta", "0.1"], /--min-delta 0.1 applies only with --early-stop PATIENCE/],
    ] as const) {
      const r = run(["sim", "--dataset", "iris", "--epochs", "1", ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
  });
});

describe("early stopping", () => {
  it("stops when the patience runs out, saves the best epoch's weights bit for bit (= a run of that many epochs) and says which", async () => {
    const dir = tmp();
    const a = join(dir, "a.json"), b = join(dir, "b.json");
    const r = await simInProcess([...SPIRAL, "--epochs", "80", "--save", a]);
    expect(r.done.stopped_early).toBe(true);
    const best = r.done.best_epoch;
    expect(best).toBeGreaterThan(1);
    expect(r.done.epochs).toBe(best + 5);
    const vals = r.epochs.map((e) => e.val_loss);
    expect(Math.min(...vals)).toBe(vals[best - 1]);
    expect(r.done.val_loss).toBe(vals[best - 1]);
    expect(JSON.parse(readFileSync(a, "utf8")).best_epoch).toBe(best);
    await simInProcess([...SPIRAL, "--epochs", String(best), "--save", b]);
    expect(readFileSync(a, "utf8")).toBe(readFileSync(b, "utf8"));
  });

  it("--checkpoint records the best epoch, its loss and weights and the wait; --resume continues exactly", async () => {
    const dir = tmp();
    const whole = join(dir, "whole.json"), resumed = join(dir, "resumed.json"), ck = join(dir, "ck");
    const w = await simInProcess([...SPIRAL, "--epochs", "80", "--save", whole]);
    const best = w.done.best_epoch;
    // interrupted two epochs after the best one: the wait is 2
    await simInProcess([...SPIRAL, "--epochs", String(best + 2), "--checkpoint", ck]);
    const saved = JSON.parse(readFileSync(join(ck, "checkpoint.json"), "utf8"));
    expect(saved.early_stop).toMatchObject({ best_epoch: best, wait: 2 });
    expect(saved.early_stop.best_val_loss).toBe(w.epochs[best - 1].val_loss);
    const r = await simInProcess(["--resume", ck, "--epochs", "80", "--save", resumed]);
    expect(r.done).toMatchObject({ best_epoch: best, epochs: best + 5, stopped_early: true });
    expect(readFileSync(resumed, "utf8")).toBe(readFileSync(whole, "utf8"));
  });
});

describe("shuffling", () => {
  it("is on by default (seeded): the same run as --shuffle, another than --no-shuffle; the help says so", async () => {
    const base = ["--dataset", "iris", "--epochs", "2", "--batch", "16"];
    const weights = async (extra: string[]) => Array.from((await simInProcess([...base, ...extra])).outcome.weights);
    const byDefault = await weights([]);
    expect(byDefault).toEqual(await weights(["--shuffle"]));
    expect(byDefault).not.toEqual(await weights(["--no-shuffle"]));
    const help = ok(["sim", "--help"]).stdout;
    expect(help).toMatch(/--shuffle\s+shuffle the rows each epoch \(seeded by --seed, as Keras' fit does\); --no-shuffle keeps file order \(default: true\)/);
  });
});

describe("what the user sees", () => {
  it("epoch lines and the result line show accuracy, val_loss and val_accuracy; the report draws the validation curves", () => {
    const dir = tmp();
    const report = join(dir, "r.html");
    const r = ok(["sim", "--dataset", "iris", "--opt", "adam", "--lr", "0.05", "--batch", "16", "--epochs", "30", "--val-split", "0.2",
      "--early-stop", "3", "--report", report]);
    expect(r.stdout).toMatch(/^epoch +1\/30  loss \S+  accuracy \d+\.\d%  val_loss \S+  val_accuracy \d+\.\d%  lr 0\.05$/m);
    // each figure names its epoch: the last epoch's training loss, the best epoch's (the saved model's) validation figures
    expect(r.stdout).toMatch(/^done: (\d+) epochs, .*final loss \S+ \(epoch \1\); best epoch \d+( \(stopped early\))?: val_loss \S+, accuracy \d+\.\d%, val_accuracy \d+\.\d%/m);
    const html = readFileSync(report, "utf8");
    expect(html.match(/<path class="valcurve"/g)?.length).toBe(2); // linear and log chart
    expect(html).toMatch(/<th>val loss<\/th><th>val accuracy<\/th><th>best epoch<\/th>/);
    expect(html).toMatch(/120 rows of iris, 30 held out for validation, 30 epochs on .*; the model kept is epoch \d+'s \(--early-stop\)/);
  });

  it("compare with validation data reports the validation accuracy of each run", () => {
    const dir = tmp();
    const out = join(dir, "c.html");
    const r = ok(["compare", "--dataset", "iris", "--opt", "sgd,adam", "--lr", "0.05", "--epochs", "3", "--val-split", "0.2", "--out", out]);
    expect(r.stdout.match(/final loss \S+, val accuracy \d+\.\d%, \d+ steps/g)).toHaveLength(2);
    expect(r.stdout).toMatch(/wall\s+val loss\s+val accuracy/);
    const j = jsonLines(ok(["compare", "--dataset", "iris", "--opt", "sgd,adam", "--epochs", "2", "--val-split", "0.2", "--out", out, "--json"]).stdout);
    const summary = j.find((e) => e.event === "compare");
    for (const run of summary.runs) expect(run.val_accuracy).toBeGreaterThanOrEqual(0);
  });

  it("--resident runs (tests/resident/cli.test.ts holds it to streaming's model): no longer refused as not available", () => {
    const r = run(["sim", "--dataset", "iris", "--epochs", "1", "--resident", "--quiet"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });
});

describe("unscaled inputs", () => {
  it("sim warns when the input columns' scales are far apart (and not for the built-in data sets)", () => {
    const dir = tmp();
    const f = join(dir, "unscaled.csv");
    const rows = Array.from({ length: 40 }, (_, i) => `${500 + 300 * Math.sin(i)},${0.2 * Math.cos(i)},${i % 2}`);
    writeFileSync(f, ["proline,hue,label", ...rows].join("\n") + "\n");
    const r = ok(["sim", "--data", f, "--layers", "2,2", "--loss", "ce", "--epochs", "1"]);
    expect(r.stderr).toMatch(/^warning: .*input spreads differ \S+-fold \(std of 'proline' .*, of 'hue' .*\).*--normalize/m);
    // --quiet: only the result line; --json: the warning is an event, counted in the done event
    const q = ok(["sim", "--data", f, "--layers", "2,2", "--loss", "ce", "--epochs", "1", "--quiet"]);
    expect(q.stderr).toBe("");
    expect(q.stdout).toMatch(/^done: [^\n]*\n$/);
    const j = ok(["sim", "--data", f, "--layers", "2,2", "--loss", "ce", "--epochs", "1", "--json"]);
    expect(j.stderr).toBe("");
    const events = jsonLines(j.stdout);
    const warnings = events.filter((e) => e.event === "warning");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ kind: "data" });
    expect(warnings[0].message).toMatch(/input spreads differ/);
    expect(events[events.length - 1]).toMatchObject({ event: "done", warnings: 1 });
    expect(ok(["sim", "--data", f, "--layers", "2,2", "--loss", "ce", "--epochs", "1", "--quiet", "--normalize"]).stderr).toBe("");
    expect(ok(["sim", "--dataset", "iris", "--epochs", "1", "--quiet"]).stderr).toBe("");
  });
});

describe("labels, dialects and normalisation in a run", () => {
  it("string labels, ';'-separated, --normalize: classes and the training rows' statistics saved; validation = eval on the raw file", async () => {
    const dir = tmp();
    const names = ["setosa", "versicolor", "virginica"];
    const lines = readFileSync(iris, "utf8").trim().split("\n");
    const rows = lines.slice(1).map((l) => { const f = l.split(","); f[4] = names[Number(f[4])]; return f.join(";"); });
    const header = lines[0].replace(/,/g, ";");
    const train = join(dir, "train.csv"), val = join(dir, "val.csv"), model = join(dir, "m.json");
    writeFileSync(train, [header, ...rows.filter((_, i) => i % 5 !== 0)].join("\n") + "\n");
    writeFileSync(val, [header, ...rows.filter((_, i) => i % 5 === 0)].join("\n") + "\n");
    const r = await simInProcess(["--data", train, "--val", val, "--delimiter", ";", "--layers", "4,8,3", "--loss", "ce", "--opt", "adam",
      "--lr", "0.02", "--batch", "16", "--epochs", "6", "--normalize", "--save", model]);
    const m = JSON.parse(readFileSync(model, "utf8"));
    expect(m.classes).toEqual(names);
    const stats = zscoreStats(readDataFile(train, { delimiter: ";" }).data);
    expect(m.normalization).toEqual({ kind: "zscore", mean: stats.mean, std: stats.std });
    // not the statistics of every row: the validation rows stay out
    const all = zscoreStats(readDataFile(iris).data);
    expect(m.normalization.mean).not.toEqual(all.mean);
    const last = r.epochs[r.epochs.length - 1];
    const ev = jsonLines(ok(["eval", "--load", model, "--data", val, "--delimiter", ";", "--json", "--summary"]).stdout).pop();
    expect(last.val_loss).toBe(ev.loss);
    expect(last.val_accuracy).toBe(ev.accuracy);
    const pt = jsonLines(ok(["predict", "--load", model, "--data", train, "--delimiter", ";", "--json", "--summary"]).stdout).pop();
    expect(last.accuracy).toBe(pt.accuracy);
    // --classes sets the index order; a validation label the training data lacks names its line
    const m2 = join(dir, "m2.json");
    await simInProcess(["--data", train, "--val-split", "0.2", "--layers", "4,3", "--loss", "ce", "--epochs", "1", "--classes", "virginica,setosa,versicolor", "--save", m2]);
    expect(JSON.parse(readFileSync(m2, "utf8")).classes).toEqual(["virginica", "setosa", "versicolor"]);
    writeFileSync(val, `${header}\n5.1;3.5;1.4;0.2;rosa\n`);
    const bad = run(["sim", "--data", train, "--val", val, "--layers", "4,3", "--loss", "ce", "--epochs", "1"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/val\.csv:2:\d+: column 'species' \(field 5\): label 'rosa' is not one of the training data's classes/);
  });
});

describe("issue 11's done-when command (README)", () => {
  it("wine with text labels and unscaled features: one command holds out 20%, normalises, stops early; the README's figures", () => {
    const dir = tmp();
    const model = join(dir, "wine.json");
    const argv = ["sim", "--data", join(root, "data", "wine.csv"), "--layers", "13,16,3", "--loss", "ce", "--opt", "adam", "--lr", "0.01",
      "--batch", "16", "--epochs", "200", "--val-split", "0.2", "--normalize", "--early-stop", "10", "--save", model];
    const r = ok(argv);
    expect(r.stdout).toContain("done: 41 epochs, ");
    expect(r.stdout).toMatch(/ \(epoch 41\); best epoch 31 \(stopped early\): val_loss 0\.05054320, accuracy 100\.0%, val_accuracy 94\.4%; model saved to /);
    const m = JSON.parse(readFileSync(model, "utf8"));
    expect(m.classes).toEqual(["class_0", "class_1", "class_2"]);
    expect(m.normalization.mean).toHaveLength(13);
    expect(m.best_epoch).toBe(31);
    // without --normalize the run warns about the scales first
    expect(run(argv.filter((f) => f !== "--normalize")).stderr).toMatch(/^warning: .*input spreads differ/m);
  });
});
