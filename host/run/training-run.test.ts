// The run sets a normalising model's input statistics on the board right after
// configuring it, and the saved model and the checkpoint's model.json carry them.
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "../cli/args";
import { SIM_OPTIONS, runSpecOf } from "../cli/run-options";
import { trainOnBoard } from "./training-run";
import { DirectBoard } from "../boards/in-process";
import { DivergedError } from "../errors";
import { readCheckpoint } from "./checkpoint";
import { readModel } from "../model/model-file";

describe("trainOnBoard with input statistics", () => {
  it("sets them on the board after configure; --save and --checkpoint write them into the model", async () => {
    const dir = mkdtempSync(join(tmpdir(), "edgeprop-norm-"));
    const save = join(dir, "m.json"), ck = join(dir, "ck");
    const spec = runSpecOf(parseArgs(["--dataset", "iris", "--epochs", "1", "--save", save, "--checkpoint", ck], SIM_OPTIONS, "sim"));
    const normalization = { mean: [5.8, 3.0, 3.7, 1.2].map(Math.fround), std: [0.8, 0.4, 1.7, 0.7].map(Math.fround) };
    spec.normalization = normalization;
    spec.settings.run.normalizeInputs = true;
    const board = new DirectBoard();
    try {
      await trainOnBoard(board, spec, { line: () => {}, json: () => {} });
      const stats = await board.getInputStats();
      expect(Array.from(stats.mean)).toEqual(normalization.mean);
      expect(Array.from(stats.std)).toEqual(normalization.std);
    } finally {
      await board.close();
    }
    for (const file of [save, join(ck, "model.json")]) {
      expect(JSON.parse(readFileSync(file, "utf8")).normalization).toEqual({ kind: "zscore", ...normalization });
    }
  });
});

/** A real in-process board whose GET_WEIGHTS answers NaN from the `from`-th call on (a board that lies). */
class NaNWeightsBoard extends DirectBoard {
  calls = 0;
  constructor(private readonly from: number) { super(); }
  override async getWeights(): Promise<Float32Array> {
    const w = await super.getWeights();
    return ++this.calls >= this.from ? w.fill(NaN) : w;
  }
}

describe("trainOnBoard with a board that answers GET_WEIGHTS with NaN", () => {
  it("is divergence (exit 3): the epoch-1 checkpoint stays loadable, --save gets epoch 1's model, no file holds null", async () => {
    const dir = mkdtempSync(join(tmpdir(), "edgeprop-nan-"));
    const save = join(dir, "m.json"), ck = join(dir, "ck");
    const spec = runSpecOf(parseArgs(["--dataset", "xor", "--epochs", "3", "--save", save, "--checkpoint", ck], SIM_OPTIONS, "sim"));
    // Calls: the initial weights (--save), epoch 1's, the checkpoint's of epoch 1, then epoch 2's: NaN.
    const board = new NaNWeightsBoard(4);
    let failure: unknown;
    try {
      await trainOnBoard(board, spec, { line: () => {}, json: () => {} }).catch((err: unknown) => { failure = err; });
    } finally {
      await board.close();
    }
    expect(failure).toBeInstanceOf(DivergedError);
    expect((failure as DivergedError).message).toMatch(/epoch 2.*not finite.*The last finite model was saved to/s);
    const checkpoint = readCheckpoint(ck);
    expect(checkpoint.epoch).toBe(1);
    for (const file of [save, join(ck, "model.json"), join(ck, "checkpoint.json")]) expect(readFileSync(file, "utf8")).not.toMatch(/null/);
    expect(Array.from(readModel(save).weights)).toEqual(Array.from(checkpoint.model.weights));
  });
});
