import { describe, expect, it } from "vitest";
import { EpochStream } from "./epoch-stream.js";
import { Type } from "./frame.js";
import { encodeSetLr } from "./codec.js";

/** Every request of a stream as [type, batch, lr, first, rows, ends its batch]. */
function listed(s: EpochStream): (number | boolean)[][] {
  return Array.from({ length: s.length }, (_, i) =>
    [s.type(i), s.batchOf(i), s.lrOf(i), s.firstOf(i), s.rowsOf(i), !s.isSetLr(i) && s.endsBatch(i)]);
}

describe("EpochStream", () => {
  it("lists 21 rows in batches of 8, chunks of 3, with a SET_LR before the batch whose lr changes", () => {
    const s = new EpochStream(0.1, [0.1, 0.2, 0.2], { type: Type.BATCH, rows: 21, batch: 8, chunk: 3 }, () => new Uint8Array(0));
    expect(listed(s)).toEqual([
      [Type.BATCH, 0, 0.1, 0, 3, false], [Type.BATCH, 0, 0.1, 3, 3, false], [Type.BATCH, 0, 0.1, 6, 2, true],
      [Type.SET_LR, -1, 0.2, 0, 0, false],
      [Type.BATCH, 1, 0.2, 8, 3, false], [Type.BATCH, 1, 0.2, 11, 3, false], [Type.BATCH, 1, 0.2, 14, 2, true],
      [Type.BATCH, 2, 0.2, 16, 3, false], [Type.BATCH, 2, 0.2, 19, 2, true],
    ]);
    expect([...s.payload(3)]).toEqual([...encodeSetLr(0.2)]);
  });

  it("asks encode for a training request's payload by its index", () => {
    const s = new EpochStream(0.5, [0.25], { type: Type.TRAIN_STORE, rows: 5, batch: 5, chunk: 5 }, (i) => new Uint8Array([i]));
    expect(listed(s)).toEqual([[Type.SET_LR, -1, 0.25, 0, 0, false], [Type.TRAIN_STORE, 0, 0.25, 0, 5, true]]);
    expect([...s.payload(1)]).toEqual([1]);
  });

  it("finds the batch, rows and batch end of each of a 500,000-row epoch's 62,500 chunks of 8", () => {
    const s = new EpochStream(0.1, undefined, { type: Type.BATCH, rows: 500_000, batch: 1000, chunk: 8 }, () => new Uint8Array(0));
    expect(s.length).toBe(62_500);
    expect([s.batchOf(62_499), s.firstOf(62_499), s.rowsOf(62_499), s.endsBatch(62_499), s.endsBatch(124)]).toEqual([499, 499_992, 8, true, true]);
    expect(s.endsBatch(123)).toBe(false);
  });

  it("lists no request for no rows", () => {
    expect(new EpochStream(0.1, [], { type: Type.BATCH, rows: 0, batch: 4, chunk: 2 }, () => new Uint8Array(0)).length).toBe(0);
  });
});
