import { describe, expect, it } from "vitest";
import { fedAvg } from "./fedavg";
import { mulberry32 } from "../data/rng";

const rand = mulberry32(3);
const w = (n: number) => Float32Array.from({ length: n }, () => rand() * 2 - 1);

describe("fedAvg", () => {
  it("weights by examples", () => {
    const g = new Float32Array(2);
    const r = fedAvg(g, [{ id: "a", examples: 1, weights: Float32Array.of(0, 4) }, { id: "b", examples: 3, weights: Float32Array.of(4, 0) }], 100);
    expect([...r.weights]).toEqual([3, 1]);
    expect(r.used).toEqual(["a", "b"]);
  });

  it("gives one client's model, and N identical clients' model, bit for bit", () => {
    const g = w(50), u = w(50);
    expect(fedAvg(g, [{ id: "x", examples: 37, weights: u }], 100).weights).toEqual(u);
    const same = ["c", "a", "b", "d"].map((id, i) => ({ id, examples: 10 + 7 * i, weights: u }));
    expect(Buffer.from(fedAvg(g, same, 100).weights.buffer)).toEqual(Buffer.from(u.buffer));
  });

  it("does not depend on the order the updates arrived in", () => {
    const g = w(64);
    const ups = Array.from({ length: 9 }, (_, i) => ({ id: `c${i}`, examples: 1 + ((i * 37) % 11), weights: w(64) }));
    const a = fedAvg(g, ups, 100).weights;
    const b = fedAvg(g, [...ups].reverse(), 100).weights;
    const c = fedAvg(g, [ups[4], ups[0], ups[8], ups[2], ups[6], ups[1], ups[7], ups[3], ups[5]].filter((u) => u !== undefined), 100).weights;
    expect(Buffer.from(b.buffer)).toEqual(Buffer.from(a.buffer));
    expect(Buffer.from(c.buffer)).toEqual(Buffer.from(a.buffer));
  });

  it("sums in client-id order, where float64 rounding would otherwise show the arrival order", () => {
    // (1e20 + 1) - 1e20 is 0 in float64, (1e20 - 1e20) + 1 is 1: only a fixed order gives one answer.
    const g = new Float32Array(1);
    const a = { id: "a", examples: 1, weights: Float32Array.of(1e20) };
    const b = { id: "b", examples: 1, weights: Float32Array.of(1) };
    const c = { id: "c", examples: 1, weights: Float32Array.of(-1e20) };
    const results = [[a, b, c], [a, c, b], [c, b, a], [b, c, a]].map((order) => fedAvg(g, order, Infinity).weights[0]);
    expect(results).toEqual([0, 0, 0, 0]);
  });

  it("leaves out an update further than the norm bound from the global model, and keeps the model when none is left", () => {
    const g = new Float32Array(3);
    const far = { id: "evil", examples: 1_000_000, weights: Float32Array.of(1e6, 0, 0) };
    const near = { id: "good", examples: 5, weights: Float32Array.of(0.5, 0.5, 0.5) };
    const r = fedAvg(g, [far, near], 10);
    expect(r.rejected.map((x) => x.id)).toEqual(["evil"]);
    expect(r.weights).toEqual(near.weights);
    expect(fedAvg(g, [far], 10).weights).toEqual(g);
  });
});
