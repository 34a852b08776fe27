// assembly/int16/forward.ts's requantization in 32 bits when z = acc + B
// wraps an i32 though every bias fits one: its first pass has already stored
// z over acc, puts acc back (z - B) and the i64 path takes over. The forward
// outputs must still be docs/int16.md §5's (reference.ts), bit for bit, for a
// ReLU and an identity hidden layer, beside the same network whose z fit.
import { describe, expect, it } from "vitest";
import { Net, runConfig } from "../helpers/engine";
import { forward, type Layer } from "./reference";

const OK = 0;

/**
 * 16-3-2: layer 1's weights and inputs all 1 (q = 4096 at b = 13, S = 24), so
 * acc = 16 2^24 = 2^28 per output; a bias of 120 is B = 120 2^24 < 2^31 (it
 * fits) but z = 136 2^24 passes 2^31 - 1. A bias of 100 keeps z inside.
 */
function layers(bias0: number, relu: boolean): Layer[] {
  const W2 = [0.5, -0.25, 0.75, -1, 0.125, 0.3];
  return [
    { nIn: 16, nOut: 3, W: new Array(48).fill(1), b: [bias0, -3, 0.5], relu },
    { nIn: 3, nOut: 2, W: W2.map(Math.fround), b: [0.1, -0.2].map(Math.fround), relu: false },
  ];
}

describe("int16 forward when acc + B wraps an i32 (the biases fit): the i64 path, bit for bit", () => {
  for (const act of ["relu", "identity"] as const) {
    for (const bias0 of [120, 100, -120]) {
      it(`16-3-2 ${act}, layer 1's first bias ${bias0}`, () => {
        const L = layers(bias0, act === "relu");
        const net = new Net();
        expect(net.configure({ ...runConfig({ sizes: [16, 3, 2], act, loss: "mse", chunk: 3 }), precision: "int16" as const })).toBe(OK);
        net.setWeights(L.flatMap((l) => [...l.W, ...l.b]));
        // rows of ones, then halves: the second row's z fits where the first's does not
        const x = [...new Array(16).fill(1), ...new Array(16).fill(0.5), ...new Array(16).fill(1)];
        net.f32(net.e.input_ptr(), x.length).set(x);
        net.f32(net.e.target_ptr(), 6).set(new Array(6).fill(0));
        const ref = forward(L, x, 3);
        expect(net.e.eval_chunk(3, 0)).toBe(OK);
        expect(Array.from(net.f32(net.e.output_ptr(), ref.y.length))).toEqual(ref.y);
      });
    }
  }
});
