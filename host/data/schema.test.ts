// A table read through a model's column names: any order, extra columns
// ignored, a missing one named; positions stay the file's own.
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCsv } from "./csv";
import { schemaTable, selectColumns } from "./schema";

const dir = mkdtempSync(join(tmpdir(), "edgeprop-schema-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const csv = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return readCsv(f);
};

describe("data/schema", () => {
  const schema = { inputs: ["a", "b"], targets: ["y"] };

  it("picks the model's columns by name, in the model's order, ignoring others", () => {
    const t = csv("r.csv", "note,y,b,a\n9,1,20,10\n8,0,21,11\n");
    const { table, hasTargets } = schemaTable(t, schema);
    expect(hasTargets).toBe(true);
    expect(table.columns).toEqual(["a", "b", "y"]);
    expect(Array.from(table.values)).toEqual([10, 20, 1, 11, 21, 0]);
    // a field's position is still where it is in the file: column a is the 4th field
    expect(table.fieldPosition(1, 0)).toEqual(t.fieldPosition(1, 3));
  });

  it("without the target column: inputs only", () => {
    const { table, hasTargets } = schemaTable(csv("i.csv", "b,a\n1,2\n"), schema);
    expect(hasTargets).toBe(false);
    expect(table.columns).toEqual(["a", "b"]);
    expect(Array.from(table.values)).toEqual([2, 1]);
  });

  it("a missing input is named, with the model's inputs and the file's columns", () => {
    expect(() => schemaTable(csv("m.csv", "a,y\n1,2\n"), schema))
      .toThrow(/m\.csv:1: no column 'b' \(input 2 of 2 of the model: a,b\); the file has a,y/);
  });

  it("some targets but not all is refused, naming the missing one", () => {
    expect(() => schemaTable(csv("t.csv", "a,b,y0\n1,2,3\n"), { inputs: ["a", "b"], targets: ["y0", "y1"] }))
      .toThrow(/no column 'y1' \(a target of the model, as y0 are\)/);
  });

  it("text fields keep their codes when moved", () => {
    const t = selectColumns(csv("x.csv", "s,n\nred,1\nblue,2\n"), ["n", "s"], () => "");
    expect(t.text[0]).toBeNull();
    expect(t.text[1]?.names).toEqual(["red", "blue"]);
  });
});
