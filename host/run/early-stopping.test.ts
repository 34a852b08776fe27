import { describe, expect, it } from "vitest";
import { EarlyStopping } from "./early-stopping";

const w = (v: number) => Float32Array.of(v);

describe("EarlyStopping (Keras semantics, restore_best_weights)", () => {
  it("improvement is val_loss < best - min_delta; stops when the wait reaches the patience; keeps the best epoch's weights", () => {
    const es = new EarlyStopping({ patience: 2, minDelta: 0.1 });
    expect(es.endEpoch(1, 1.0, w(1))).toBe(false);
    expect(es.endEpoch(2, 0.95, w(2))).toBe(false); // better, but by less than min_delta: wait 1
    expect(es.state.bestEpoch).toBe(1);
    expect(es.endEpoch(3, 0.85, w(3))).toBe(false); // 0.85 < 1.0 - 0.1: the new best
    expect(es.state).toMatchObject({ bestEpoch: 3, bestLoss: 0.85, wait: 0 });
    expect(es.endEpoch(4, 0.9, w(4))).toBe(false);
    expect(es.endEpoch(5, 0.8, w(5))).toBe(true); // 0.8 is not < 0.75: the wait reaches 2
    expect(Array.from(es.state.bestWeights!)).toEqual([3]);
  });

  it("keeps a copy of the weights (the session reuses its buffers), and continues from a saved state", () => {
    const weights = w(1);
    const es = new EarlyStopping({ patience: 3, minDelta: 0 });
    es.endEpoch(1, 0.5, weights);
    weights[0] = 9;
    expect(es.state.bestWeights![0]).toBe(1);
    const resumed = new EarlyStopping({ patience: 3, minDelta: 0 }, { ...es.state, wait: 2 });
    expect(resumed.endEpoch(2, 0.6, w(2))).toBe(true);
    expect(resumed.exhausted).toBe(true);
  });
});
