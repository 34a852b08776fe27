import { describe, expect, it } from "vitest";
import { parseSplit, shardsByValue } from "./shards";

describe("--split", () => {
  it("parses iid, dirichlet:ALPHA and by:COLUMN (a column name may hold ':' and spaces)", () => {
    expect(parseSplit("iid")).toEqual({ kind: "iid" });
    expect(parseSplit("dirichlet:0.5")).toEqual({ kind: "dirichlet", alpha: 0.5 });
    expect(parseSplit("by:island")).toEqual({ kind: "by", column: "island" });
    expect(parseSplit("by:site: north")).toEqual({ kind: "by", column: "site: north" });
  });
  it("refuses by: without a column and anything else, naming the three forms", () => {
    expect(() => parseSplit("by:")).toThrow(/--split by:: expected by:COLUMN, a column of the data file/);
    expect(() => parseSplit("by: ")).toThrow(/expected by:COLUMN/);
    expect(() => parseSplit("natural")).toThrow(/expected iid, dirichlet:ALPHA \(ALPHA > 0, e.g. dirichlet:0.5\) or by:COLUMN/);
  });
});

describe("shardsByValue", () => {
  it("one shard per value, its rows ascending, the values in natural order", () => {
    expect(shardsByValue(["10", "2", "10", "b", "2", "a", "1"])).toEqual([
      { value: "1", rows: [6] }, { value: "2", rows: [1, 4] }, { value: "10", rows: [0, 2] }, { value: "a", rows: [5] }, { value: "b", rows: [3] },
    ]);
  });
  it("no rows, no shards", () => {
    expect(shardsByValue([])).toEqual([]);
  });
});
