// scripts/int16_reference.py, the NumPy reference of the module's training
// arithmetic (issue 22), against the module itself: golden cases trained by
// `sim` in this process on a RecordingBoard, the recorded run replayed by the
// reference, and the final weights compared bit for bit (as u32s), every
// batch's loss sum within 1e-12 relative (the BCE loss sums use f64
// log1p/exp, not bit-defined across libms; they never reach the gradients).
//
// This file: the module's f32 training (the harness the int16 mode's
// reference is built on). Without numpy for /usr/bin/python3 it skips with a
// message, except under CI, where it fails.
import { describe, expect, it } from "vitest";
import { allGoldenCases, caseArgs, type GoldenCase } from "../helpers/golden";
import { simInProcess } from "../helpers/inprocess";
import { RecordingBoard, type TraceEvent } from "../helpers/recording-board";
import { inCi } from "../torch/oracle";
import { bitDiff, epochLossProblems, numpyMissing, replay } from "./reference-run";

// One per optimizer and loss, and the features that change the arithmetic:
// clipping, frozen layers, schedules, a partial batch, eight layers, tails
// of widths that are not multiples of 4.
const F32_CASES = [
  "adagrad-linear", "adagrad-initial-accumulator", "adam-xor-bce", "adam-amsgrad", "adamw-amsgrad-weight-decay",
  "momentum-spiral-ce", "sgd-nesterov-weight-decay", "rmsprop-sine", "rmsprop-centered-momentum",
  "nadam-defaults", "nadam-momentum-decay-weight-decay", "radam-rectification", "radam-weight-decay-beta2",
  "partial-last-batch", "clip-value", "freeze-adam-weight-decay-clip", "eight-layers", "onecycle-per-batch",
  "ten-classes", "seed-minibatch", "normalize-raw-features",
];

const missing = numpyMissing();
const skip = missing !== null && !inCi;
if (skip) console.warn(`numpy-reference.test.ts skipped: ${missing}. Install Debian's python3-numpy.`);

describe.skipIf(skip)("the NumPy reference reproduces the module's f32 training bit for bit", () => {
  const cases = new Map(allGoldenCases().map((c) => [c.name, c]));
  it("the golden cases it names exist", () => {
    if (missing) throw new Error(`${missing} (CI=true: the reference must run)`);
    for (const n of F32_CASES) expect(cases.has(n), n).toBe(true);
  });
  for (const name of F32_CASES) {
    it(name, async () => {
      const c = cases.get(name) as GoldenCase;
      const board = new RecordingBoard();
      const args = caseArgs(c);
      const r = await simInProcess(args, board);
      const ref = replay(board);
      expect(bitDiff(r.outcome.weights, ref.weights)).toEqual([]);
      const trained = board.events.find((e) => e.op === "train") as Extract<TraceEvent, { op: "train" }>;
      expect(epochLossProblems(c.spec.loss, r.epochs, ref, trained.rows)).toEqual([]);
      expect(ref.batch_loss.length).toBeGreaterThan(0);
    }, 120_000);
  }
});
