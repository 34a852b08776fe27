// Every case in tests/golden: the run described by case.json, trained from
// init.json, must land within 1e-4 (relative) of expected.json: final weights
// (max |w - w_ref| / max |w_ref|) and every epoch's loss. A case the command
// line cannot run yet (tests/helpers/golden.ts KEYS_THE_CLI_DOES_NOT_RUN_YET:
// "normalize") is trained by the same session on a board that normalises
// with the statistics scripts/golden.py wrote into expected.json.
import { describe, expect, it } from "vitest";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { allGoldenCases, caseArgs, goldenCases, goldenCasesAwaitingTheCli, type GoldenCase } from "../helpers/golden";
import { DirectBoard } from "../../host/boards/in-process";
import { ConfigOffset, InputFlag } from "../../host/protocol/config-block";
import { wasmPath } from "../helpers/paths";
import { eachRel, flatParams, maxRel, modelProblems, readJson } from "../helpers/model";
import { simInProcess } from "../helpers/inprocess";
import { jsonLines, runCli } from "../helpers/cli";
import { goldenDir, rmDir, tmpDir } from "../helpers/paths";

const TOL = 1e-4;

// Read at collection time: a missing folder makes this file fail, not skip.
const cases = goldenCases();
const awaiting = goldenCasesAwaitingTheCli();

/**
 * What the host does for `--normalize` (once wired): configure the model with
 * normalizeInputs and set the training rows' statistics on the board. Here the
 * statistics are the ones the PyTorch script used (expected.json's
 * "normalization"), so the module's own normalisation is what is tested.
 */
class NormalizingBoard extends DirectBoard {
  constructor(private readonly statistics: { mean: number[]; std: number[] }) { super(wasmPath); }
  override async configure(block: Uint8Array) {
    const b = block.slice();
    b[ConfigOffset.INPUT_FLAGS] |= InputFlag.NORMALIZE;
    const plan = await super.configure(b);
    await this.setInputStats(Float32Array.from(this.statistics.mean), Float32Array.from(this.statistics.std));
    return plan;
  }
}

/** caseArgs without the flags the CLI does not act on yet. */
function argsWithoutPending(c: GoldenCase): string[] {
  return caseArgs(c).filter((a) => a !== "--normalize");
}

describe("golden cases", () => {
  it(`finds the case folders in ${goldenDir}`, () => {
    expect(existsSync(goldenDir)).toBe(true);
    expect(cases.length).toBeGreaterThan(0);
    expect(allGoldenCases().length).toBe(readdirSync(goldenDir, { withFileTypes: true }).filter((d) => d.isDirectory()).length);
    expect(cases.length + awaiting.length).toBe(allGoldenCases().length);
  });

  for (const c of awaiting) {
    it(`${c.name}: on a board that normalises its inputs with the script's statistics (in-process session): weights and every epoch loss within 1e-4`, async () => {
      const stats = c.expected.normalization;
      expect(stats.kind).toBe("zscore");
      expect(stats.mean.length).toBe(c.spec.layers[0]);
      const r = await simInProcess(argsWithoutPending(c), new NormalizingBoard(stats));
      const losses = r.epochs.map((e) => e.loss);
      expect(eachRel(losses, c.expected.epoch_loss), `epoch losses ${losses.slice(0, 3)}... vs ${c.expected.epoch_loss.slice(0, 3)}...`).toBeLessThan(TOL);
      expect(maxRel(Array.from(r.outcome.weights), flatParams(c.expected))).toBeLessThan(TOL);
      // the same run on the raw inputs without normalisation is far from it (the case tests something)
      const raw = await simInProcess(argsWithoutPending(c));
      expect(maxRel(Array.from(raw.outcome.weights), flatParams(c.expected))).toBeGreaterThan(1e-2);
    });
  }

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
          // A table case: the preprocessing the model keeps is what PyTorch's reference computed (float32 values).
          for (const key of ["inputs", "categorical", "missing", "normalization", "target_normalization"]) {
            if (c.expected[key] !== undefined) expect(saved[key], key).toEqual(c.expected[key]);
          }
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
