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
