// A frozen layer's gradient norm is 0 by design (--freeze): the watch must not
// call it vanishing, while a trained layer's vanishing norms are still named.
import { describe, expect, it } from "vitest";
import { GradWatch, type GradWarning } from "./grad-watch.js";
import type { BatchResult } from "../boards/board.js";

const batch = (index: number, norms: number[]): BatchResult =>
  ({ index, rows: 4, status: 0, stepped: true, lossSum: 4, steps: index + 1, gradNorms: norms, busyMicros: 0 }) as unknown as BatchResult;

function warnings(frozen: number, norms: number[]): GradWarning[] {
  const got: GradWarning[] = [];
  const watch = new GradWatch([3, 4, 4, 1], (w) => got.push(w), 3, frozen);
  for (let b = 0; b < 6; b++) watch.batch(1, batch(b, norms));
  return got;
}

describe("GradWatch with frozen layers", () => {
  it("says nothing of the frozen layers' zero norms", () => {
    expect(warnings(2, [0, 0, 0.5])).toEqual([]);
  });
  it("without --freeze the same zero norms are vanishing gradients of layers 1 and 2", () => {
    expect(warnings(0, [0, 0, 0.5]).map((w) => [w.kind, w.layer])).toEqual([["vanishing_gradients", 1], ["vanishing_gradients", 2]]);
  });
  it("a trained layer above the frozen ones is still watched", () => {
    expect(warnings(1, [0, 0, 0.5]).map((w) => [w.kind, w.layer])).toEqual([["vanishing_gradients", 2]]);
  });
});
