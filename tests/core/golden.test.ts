// Every case in tests/golden: the run described by case.json, trained from
// init.json, must land within 1e-4 (relative) of expected.json: final weights
// (max |w - w_ref| / max |w_ref|) and every epoch's loss.
import { describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { caseArgs, goldenCases } from "../helpers/golden";
import { eachRel, flatParams, maxRel, modelProblems, readJson } from "../helpers/model";
import { simInProcess } from "../helpers/inprocess";
import { jsonLines, runCli } from "../helpers/cli";
import { goldenDir, rmDir, tmpDir } from "../helpers/paths";

const TOL = 1e-4;

// Read at collection time: a missing folder makes this file fail, not skip.
const cases = goldenCases();

describe("golden cases", () => {
  it(`finds the case folders in ${goldenDir}`, () => {
    expect(existsSync(goldenDir)).toBe(true);
    expect(cases.length).toBeGreaterThan(0);
    expect(cases.length).toBe(readdirSync(goldenDir, { withFileTypes: true }).filter((d) => d.isDirectory()).length);
  });

  for (const c of cases) {
    describe(c.name, () => {
      it("in-process (sim flags, DirectBoard): weights and every epoch loss within 1e-4", async () => {
        const dir = tmpDir();
        try {
          const save = path.join(dir, "model.json");
          const r = await simInProcess([...caseArgs(c), "--save", save]);
          const expectedLoss: number[] = c.expected.epoch_loss;
          expect(r.epochs.map((e) => e.epoch)).toEqual(expectedLoss.map((_, k) => k + 1));
          const losses = r.epochs.map((e) => e.loss);
          expect(eachRel(losses, expectedLoss), `epoch losses ${losses.slice(0, 3)}... vs ${expectedLoss.slice(0, 3)}...`).toBeLessThan(TOL);
          const want = flatParams(c.expected);
          expect(maxRel(Array.from(r.outcome.weights), want)).toBeLessThan(TOL);
          // The saved file holds the same weights, and the case's activations.
          const saved = readJson(save);
          expect(modelProblems(saved)).toEqual([]);
          expect(maxRel(flatParams(saved), want)).toBeLessThan(TOL);
          expect(saved.layers.map((l: any) => l.activation)).toEqual(
            c.spec.layers.slice(1).map((_: number, l: number) => (l === c.spec.layers.length - 2 ? "identity" : c.spec.act)));
          expect(saved.loss).toBe(c.spec.loss);
        } finally {
          rmDir(dir);
        }
      });

      it("through the real CLI: JSON event contract, exit 0, saved edgeprop-model v1", () => {
        const dir = tmpDir();
        try {
          const save = path.join(dir, "out.json");
          const r = runCli(["sim", ...caseArgs(c), "--link", "direct", "--json", "--save", save]);
          expect(r.stderr).toBe("");
          expect(r.code).toBe(0);
          const events = jsonLines(r.stdout);
          // other event kinds (e.g. warnings) may appear; epochs in order, done last
          for (const e of events) expect(typeof e.event).toBe("string");
          const epochs = events.filter((e) => e.event === "epoch");
          const done = events[events.length - 1];
          expect(events.filter((e) => e.event === "done")).toHaveLength(1);
          const E = c.spec.epochs;
          expect(epochs.length).toBe(E);
          epochs.forEach((e, k) => {
            expect(e.event).toBe("epoch");
            expect(e.epoch).toBe(k + 1);
            expect(typeof e.loss).toBe("number");
            expect(Number.isFinite(e.loss)).toBe(true);
            expect(typeof e.lr).toBe("number");
            // the epoch's lr (its first batch's): torch's own, recorded by scripts/golden.py
            expect(Math.abs(e.lr - c.expected.epoch_lr[k])).toBeLessThanOrEqual(1e-12 * Math.abs(c.expected.epoch_lr[k]));
          });
          expect(eachRel(epochs.map((e) => e.loss), c.expected.epoch_loss)).toBeLessThan(TOL);
          const rows = countRows(c.data);
          expect(done.event).toBe("done");
          expect(done.epochs).toBe(E);
          expect(done.samples).toBe(E * rows);
          expect(typeof done.seconds).toBe("number");
          expect(done.seconds).toBeGreaterThanOrEqual(0);
          expect(typeof done.samples_per_s).toBe("number");
          expect(done.samples_per_s).toBeGreaterThan(0);
          const saved = readJson(save);
          expect(modelProblems(saved)).toEqual([]);
          expect(saved.format).toBe("edgeprop-model");
          expect(saved.version).toBe(1);
          expect(maxRel(flatParams(saved), flatParams(c.expected))).toBeLessThan(TOL);
          // atomic save: nothing but the model is left in the folder
          expect(readdirSync(dir)).toEqual(["out.json"]);
        } finally {
          rmDir(dir);
        }
      });
    });
  }
});

function countRows(csv: string): number {
  const text = readFileSync(csv, "utf8");
  return text.split(/\r?\n/).slice(1).filter((l) => l.trim() !== "").length;
}
