import { describe, expect, it } from "vitest";
import { mulberry32 } from "../data/rng";
import { crc32 } from "../protocol/crc32";
import { decodeMessage, encodeMessage, HEADER_BYTES, helloMessage, Kind, MAX_EXAMPLES, MessageRefused, modelVersionOf, type FleetMessage } from "./messages";

const sizes = [2, 3, 2];
const model = { sizes, activations: ["relu", "identity"], loss: "ce" };
const expected = { modelVersion: modelVersionOf(model), sizes, weightCount: 17 };

function update(over: Partial<FleetMessage> = {}): FleetMessage {
  return {
    kind: Kind.UPDATE, encoding: "f32", modelVersion: expected.modelVersion, round: 3, lr: 0, examples: 40, sizes,
    weights: Float32Array.from({ length: 17 }, (_, i) => i / 7 - 1), ...over,
  };
}

/** The bytes with `patch` applied, the CRC recomputed (a well-framed hostile message). */
function resealed(bytes: Uint8Array, patch: (v: DataView) => void): Uint8Array {
  const b = bytes.slice();
  const v = new DataView(b.buffer);
  patch(v);
  v.setUint32(b.length - 4, crc32(b.subarray(0, b.length - 4)), true);
  return b;
}

describe("fleet messages", () => {
  it("round-trips an update and a round bit for bit", () => {
    const m = update();
    const d = decodeMessage(encodeMessage(m), expected);
    expect(d).toEqual(m);
    const r = update({ kind: Kind.ROUND, examples: 0, lr: 0.1 });
    expect(decodeMessage(encodeMessage(r), expected).lr).toBe(0.1); // f64: the lr sim sets, exactly
    expect(encodeMessage(m).length).toBe(HEADER_BYTES + 4 * 3 + 4 * 17 + 4);
  });

  it("carries f16 weights in half the bytes, rounded to nearest even", () => {
    const m = update({ encoding: "f16", weights: Float32Array.of(1, -2, 0.1, 1 + 2 ** -11, 65504, 0, 1e-8, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12) });
    const bytes = encodeMessage(m);
    expect(bytes.length).toBe(HEADER_BYTES + 4 * 3 + 2 * 17 + 4);
    const d = decodeMessage(bytes, expected);
    expect(d.encoding).toBe("f16");
    expect([...d.weights.slice(0, 7)]).toEqual([1, -2, Math.fround(0.0999755859375), 1, 65504, 0, 0]);
    // Beyond f16's range a weight becomes infinite, and the message is refused.
    expect(() => decodeMessage(encodeMessage(update({ encoding: "f16", weights: new Float32Array(17).fill(70000) })), expected)).toThrow(/weight 0 is Infinity/);
  });

  it("round-trips a hello", () => {
    const d = decodeMessage(encodeMessage(helloMessage(123)), expected);
    expect(d.kind).toBe(Kind.HELLO);
    expect(d.examples).toBe(123);
  });

  const refusals: [string, Uint8Array, RegExp][] = [
    ["a NaN weight", encodeMessage(update({ weights: Float32Array.from({ length: 17 }, (_, i) => (i === 5 ? NaN : 0)) })), /weight 5 is NaN/],
    ["an infinite weight", encodeMessage(update({ weights: Float32Array.from({ length: 17 }, (_, i) => (i === 0 ? -Infinity : 0)) })), /weight 0 is -Infinity/],
    ["a wrong shape", encodeMessage(update({ sizes: [2, 4, 2] })), /shape 2,4,2/],
    ["a wrong weight count", encodeMessage(update({ weights: new Float32Array(16) })), /16 weights/],
    ["another model", encodeMessage(update({ modelVersion: 1 })), /model version/],
    ["round 0", encodeMessage(update({ round: 0 })), /round 0/],
    ["no examples", encodeMessage(update({ examples: 0 })), /0 examples/],
    ["too many examples", encodeMessage(update({ examples: MAX_EXAMPLES + 1 })), /example count/],
    ["a NaN lr", encodeMessage(update({ lr: NaN })), /learning rate/],
    ["a bad CRC", (() => { const b = encodeMessage(update()); b[40] = (b[40] ?? 0) ^ 1; return b; })(), /CRC/],
    ["a bad magic", resealed(encodeMessage(update()), (v) => v.setUint8(0, 0)), /magic/],
    ["a future version", resealed(encodeMessage(update()), (v) => v.setUint8(4, 2)), /version 2/],
    ["an unknown weight encoding", resealed(encodeMessage(update()), (v) => v.setUint8(7, 2)), /weight encoding 2/],
    ["an unknown kind", resealed(encodeMessage(update()), (v) => v.setUint8(5, 9)), /kind 9/],
    ["a header claiming 2^32-1 weights", resealed(encodeMessage(update()), (v) => v.setUint32(28, 0xffffffff, true)), /over the bounds/],
    ["a truncated message", encodeMessage(update()).subarray(0, 50), /the header says/],
    ["a few bytes", new Uint8Array([1, 2, 3]), /shorter than a header/],
    ["a hello with weights", resealed(encodeMessage(update({ kind: Kind.HELLO })), () => {}), /HELLO carries no model/],
  ];
  for (const [what, bytes, why] of refusals) {
    it(`refuses ${what}`, () => {
      expect(() => decodeMessage(bytes, expected)).toThrow(MessageRefused);
      expect(() => decodeMessage(bytes, expected)).toThrow(why);
    });
  }

  it("refuses hostile bytes with MessageRefused, never anything else", () => {
    const rand = mulberry32(7);
    const good = encodeMessage(update());
    for (let i = 0; i < 2000; i++) {
      const b = i % 2 === 0 ? good.slice() : Uint8Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256));
      if (i % 2 === 0) for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      // Half of the damaged ones resealed: the checks after the CRC see them too.
      const bytes = i % 4 === 0 ? resealed(b, () => {}) : b;
      try {
        const m = decodeMessage(bytes, expected);
        expect(m.weights.every(Number.isFinite)).toBe(true);
      } catch (err) {
        expect(err).toBeInstanceOf(MessageRefused);
      }
    }
  });

  it("names the model by its sizes, activations, loss and normalization", () => {
    expect(modelVersionOf({ ...model, activations: ["tanh", "identity"] })).not.toBe(expected.modelVersion);
    expect(modelVersionOf({ ...model, loss: "bce" })).not.toBe(expected.modelVersion);
    expect(modelVersionOf({ ...model, normalizeInputs: true })).not.toBe(expected.modelVersion);
  });
});
