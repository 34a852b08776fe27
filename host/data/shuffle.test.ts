import { describe, expect, it } from "vitest";
import { epochOrder, permuteInPlace, permuteRows } from "./shuffle";

describe("permuteInPlace", () => {
  it("gives permuteRows' rows without a second buffer, and puts them back bit for bit", () => {
    for (const rows of [1, 2, 7, 1000]) {
      const x = Float32Array.from({ length: rows * 3 }, (_, i) => Math.fround(Math.sin(i) * 1e3));
      const t = Float32Array.from({ length: rows }, (_, i) => i);
      const before = [x.slice(), t.slice()];
      for (const epoch of [0, 1, 5]) {
        const order = epochOrder(rows, 42, epoch);
        const wantX = new Float32Array(x.length), wantT = new Float32Array(t.length);
        permuteRows(x, 3, order, wantX);
        permuteRows(t, 1, order, wantT);
        const restore = permuteInPlace([{ data: x, width: 3 }, { data: t, width: 1 }], order);
        expect(x).toEqual(wantX);
        expect(t).toEqual(wantT);
        expect(order).toEqual(epochOrder(rows, 42, epoch)); // the order is left as given
        restore();
        expect(x).toEqual(before[0]);
        expect(t).toEqual(before[1]);
      }
    }
  });
});
