// The int16 copy of the weights is made once per change of the weights, not
// every chunk (assembly/int16/state.ts): every way the weights can change must
// make it again. Each test warms the copy (a forward pass), changes the
// weights through one path only, and evaluates: the outputs must be a fresh
// module's (one that never quantized, given the same weights). Without that
// path's weightsChanged() call the first module computes with the stale copy.
import { describe, expect, it } from "vitest";
import { Net, runConfig, type NetSpec } from "../helpers/engine";
import { encodeConfig } from "../../host/protocol/config-block";
import type { RunConfig } from "../../host/model/config";
import { encodeEval, encodeSetWeights, decodeEvalReply } from "../../host/protocol/codec";
import { ModuleBoard, T, S } from "../protocol/support";
import { rng } from "../helpers/rng";

const SIZES = [5, 7, 3];
const ROWS = 4;
/** Weights and biases of SIZES, counted here: asking the module (param_count) is itself a write path. */
const PARAMS = 5 * 7 + 7 + 7 * 3 + 3;

const spec = (seed: number, extra: Partial<NetSpec> = {}): NetSpec => ({
  sizes: SIZES, act: "relu", loss: "mse", opt: "sgd", optimizer: { lr: 0.5 }, chunk: ROWS, seed, ...extra,
});
const int16 = (s: NetSpec, storeRows = 0): RunConfig => ({ ...runConfig(s), precision: "int16", storeRows });

const r = rng(2203);
const X = Array.from({ length: ROWS * SIZES[0] }, () => Math.fround(r() * 4 - 2));
const Y = Array.from({ length: ROWS * SIZES[2] }, () => Math.fround(r() * 2 - 1));
const NEW_WEIGHTS = Float32Array.from({ length: PARAMS }, () => Math.fround(r() * 2 - 1));

function stage(net: Net): void {
  net.f32(net.e.input_ptr(), X.length).set(X);
  net.f32(net.e.target_ptr(), Y.length).set(Y);
}

/** The outputs of one eval chunk of X (bits). */
function evaluate(net: Net): number[] {
  stage(net);
  expect(net.e.eval_chunk(ROWS, 0)).toBe(S.OK);
  return Array.from(new Uint32Array(net.e.memory.buffer, net.e.output_ptr(), ROWS * SIZES[2]));
}

/** A module that has never run a forward pass, given `weights`: its copy is made from them. */
function freshOutputs(weights: Float32Array, seed = 1): number[] {
  const net = new Net();
  expect(net.configure(int16(spec(seed)))).toBe(S.OK);
  net.f32(net.e.params_ptr(), PARAMS).set(weights);
  return evaluate(net);
}

/** Reads the weights through a pointer asked for before (no export called now). */
function weightsAt(net: Net, ptr: number): Float32Array {
  return new Float32Array(net.e.memory.buffer, ptr, PARAMS).slice();
}

describe("int16: the weights' int16 copy is made again after every write of the weights", () => {
  it("the direct link's write at params_ptr()", () => {
    const net = new Net();
    expect(net.configure(int16(spec(1)))).toBe(S.OK);
    const ptr = net.e.params_ptr();
    const before = evaluate(net);
    new Float32Array(net.e.memory.buffer, net.e.params_ptr(), PARAMS).set(NEW_WEIGHTS);
    const after = evaluate(net);
    expect(after).not.toEqual(before);
    expect(after).toEqual(freshOutputs(weightsAt(net, ptr)));
  });

  it("the protocol's SET_WEIGHTS, then EVAL", () => {
    const run = int16(spec(1));
    const board = new ModuleBoard();
    let seq = 0;
    board.one(T.HELLO, seq++);
    expect(board.one(T.CONFIGURE, seq++, encodeConfig(run)).payload[0]).toBe(S.OK);
    const rows = { x: Float32Array.from(X), t: null, first: 0, count: ROWS, nIn: SIZES[0], nT: 0 };
    const evalOutputs = () => {
      const f = board.one(T.EVAL, seq++, encodeEval(false, rows));
      expect(f.type).toBe(T.EVAL | T.REPLY);
      const reply = decodeEvalReply(f.payload, ROWS, SIZES[2]);
      expect(reply.status).toBe(S.OK);
      return Array.from(new Uint32Array(reply.outputs.slice().buffer));
    };
    const before = evalOutputs();
    for (let off = 0; off < PARAMS; off += 16) { // pieces that fit the board's receive payload
      const piece = NEW_WEIGHTS.subarray(off, Math.min(PARAMS, off + 16));
      expect(board.one(T.SET_WEIGHTS, seq++, encodeSetWeights(0, off, piece)).type).toBe(T.SET_WEIGHTS | T.REPLY);
    }
    const after = evalOutputs();
    expect(after).not.toEqual(before);
    expect(after).toEqual(freshOutputs(NEW_WEIGHTS));
  });

  it("configure again (a new seed: new weights) on the same module", () => {
    const net = new Net();
    expect(net.configure(int16(spec(1)))).toBe(S.OK);
    const before = evaluate(net);
    expect(net.configure(int16(spec(2)))).toBe(S.OK);
    const after = evaluate(net); // no export that hands out the weights called since configure
    expect(after).not.toEqual(before);
    const fresh = new Net();
    expect(fresh.configure(int16(spec(2)))).toBe(S.OK);
    expect(after).toEqual(evaluate(fresh));
    expect(weightsAt(net, net.e.params_ptr())).toEqual(weightsAt(fresh, fresh.e.params_ptr()));
  });

  it("the optimizer step at the end of a batch (train_chunk)", () => {
    const net = new Net();
    expect(net.configure(int16(spec(1)))).toBe(S.OK);
    const ptr = net.e.params_ptr();
    const before = evaluate(net);
    stage(net);
    expect(net.e.train_chunk(ROWS, 1)).toBe(S.OK);
    const after = evaluate(net);
    expect(after).not.toEqual(before);
    expect(after).toEqual(freshOutputs(weightsAt(net, ptr)));
  });

  it("the optimizer step of a TRAIN_STORE step (store_train)", () => {
    const net = new Net();
    expect(net.configure(int16(spec(1), ROWS))).toBe(S.OK);
    const ptr = net.e.params_ptr();
    for (let k = 0; k < ROWS; k++) {
      const row = new Float32Array(net.e.memory.buffer, net.e.store_row_ptr(), SIZES[0] + SIZES[2]);
      row.set(X.slice(k * SIZES[0], (k + 1) * SIZES[0]), 0);
      row.set(Y.slice(k * SIZES[2], (k + 1) * SIZES[2]), SIZES[0]);
      net.e.store_commit_row();
    }
    const before = evaluate(net);
    expect(net.e.store_train(0, ROWS, 0, 1, 0, 0, 0)).toBe(S.OK);
    expect(net.e.store_refused()).toBeFalsy();
    const after = evaluate(net);
    expect(after).not.toEqual(before);
    expect(after).toEqual(freshOutputs(weightsAt(net, ptr)));
  });

  it("between two batches the copy is kept (the step's bits are a fresh module's every batch)", () => {
    // Two batches of two chunks each, then the weights against a module that quantizes
    // every chunk afresh: one fed the same chunks, with its copy dropped before each (params_ptr()).
    const a = new Net(), b = new Net();
    for (const n of [a, b]) expect(n.configure(int16(spec(3, { chunk: 2 })))).toBe(S.OK);
    const ptrA = a.e.params_ptr();
    for (let batch = 0; batch < 2; batch++) {
      for (let c = 0; c < 2; c++) {
        for (const n of [a, b]) {
          n.f32(n.e.input_ptr(), 2 * SIZES[0]).set(X.slice(c * 2 * SIZES[0], (c + 1) * 2 * SIZES[0]));
          n.f32(n.e.target_ptr(), 2 * SIZES[2]).set(Y.slice(c * 2 * SIZES[2], (c + 1) * 2 * SIZES[2]));
        }
        b.e.params_ptr();
        expect(a.e.train_chunk(2, c === 1 ? 1 : 0)).toBe(S.OK);
        expect(b.e.train_chunk(2, c === 1 ? 1 : 0)).toBe(S.OK);
        expect(a.e.loss_sum()).toBe(b.e.loss_sum());
      }
    }
    expect(weightsAt(a, ptrA)).toEqual(weightsAt(b, b.e.params_ptr()));
  });
});
