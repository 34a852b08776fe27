// The engine reports NON_FINITE when an update makes a weight NaN or infinite
// (issue 20, item 4): an lr beyond float32 (SET_LR 1e39, 1e308) or an
// impossible optimizer state gave status OK and NaN weights before. Finite
// runs keep their bits (tests/core/golden.test.ts).
import { describe, expect, it } from "vitest";
import { Net, Status } from "../helpers/engine";

const x = [0.5, -1, 0.25, 2, -0.75, 1.5];
const t = [1, -1, 0.5];

function stepStatus(net: Net): number {
  new Float32Array(net.e.memory.buffer, net.e.input_ptr(), x.length).set(x);
  new Float32Array(net.e.memory.buffer, net.e.target_ptr(), t.length).set(t);
  return net.e.train_chunk(3, 1);
}

describe("engine: a non-finite updated weight is NON_FINITE", () => {
  for (const lr of [1e39, 1e308]) {
    it(`sgd with lr ${lr} (beyond float32)`, () => {
      const net = new Net();
      expect(net.configure({ sizes: [2, 3, 1], act: "tanh", loss: "mse", chunk: 3 })).toBe(Status.OK);
      net.e.set_lr(lr);
      expect(stepStatus(net)).toBe(Status.NON_FINITE);
      expect(net.getWeights().some((w) => !Number.isFinite(w))).toBe(true);
    });
  }

  it("adam with a step count that wraps to 0 (bias correction 1 - beta^0 = 0)", () => {
    const net = new Net();
    expect(net.configure({ sizes: [2, 3, 1], act: "tanh", loss: "mse", chunk: 3, opt: "adam" })).toBe(Status.OK);
    net.e.set_lr(0.01);
    net.e.set_step_count(-1); // u32 0xffffffff on the wire
    expect(stepStatus(net)).toBe(Status.NON_FINITE);
  });

  it("an adam second moment that is negative (an impossible state) gives NaN: NON_FINITE", () => {
    const net = new Net();
    expect(net.configure({ sizes: [2, 3, 1], act: "tanh", loss: "mse", chunk: 3, opt: "adam" })).toBe(Status.OK);
    net.e.set_lr(0.01);
    const n = net.e.optimizer_state_bytes() / 4;
    new Float32Array(net.e.memory.buffer, net.e.optimizer_state_ptr(), n).fill(-1e30);
    net.e.set_step_count(3);
    expect(stepStatus(net)).toBe(Status.NON_FINITE);
  });

  it("a finite step is OK and its weights finite", () => {
    const net = new Net();
    expect(net.configure({ sizes: [2, 3, 1], act: "tanh", loss: "mse", chunk: 3 })).toBe(Status.OK);
    net.e.set_lr(0.1);
    expect(stepStatus(net)).toBe(Status.OK);
    expect(net.getWeights().every(Number.isFinite)).toBe(true);
  });
});
