// JSON input files: a syntax error or a nesting too deep is reported at its
// line and column (issue 20, item 8: a file nested 9,000 deep was reported at
// 1:1, the position scanner having overflowed the call stack).
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAX_JSON_DEPTH, parseJsonInput } from "./json-input";
import { readModel } from "../model/model-file";
import { readCheckpoint } from "../run/checkpoint";

const refusal = (text: string) => {
  try { parseJsonInput(text, "f.json"); } catch (err) { return (err as Error).message; }
  return "accepted";
};

describe("parseJsonInput", () => {
  it("a document nested 9,000 deep (broken or not) is refused where it passes the limit", () => {
    const deepBroken = `{\n  "format": ${"[".repeat(9000)}${"]".repeat(8999)}\n`;
    expect(refusal(deepBroken)).toBe(`f.json:2:${13 + MAX_JSON_DEPTH - 1}: nested deeper than ${MAX_JSON_DEPTH} levels of arrays and objects`);
    expect(refusal(`${"[".repeat(9000)}${"]".repeat(9000)}`)).toBe(`f.json:1:${MAX_JSON_DEPTH + 1}: nested deeper than ${MAX_JSON_DEPTH} levels of arrays and objects`);
    const ok = `${"[".repeat(MAX_JSON_DEPTH)}1${"]".repeat(MAX_JSON_DEPTH)}`;
    expect(parseJsonInput(ok, "f.json")).toEqual(JSON.parse(ok));
  });

  it.each([
    ['{"a": 1,\n "b": [1, 2,, 3]}', "f.json:2:13: not valid JSON: unexpected \",\""],
    ['{"a": 1\n', "f.json:2:1: not valid JSON: unexpected end of the file"],
    ['{"a": 1} x', "f.json:1:10: not valid JSON: unexpected \"x\""],
    ['{"a" 1}', "f.json:1:6: not valid JSON: unexpected \"1\""],
    ['{"a": [1, {"b": tru}]}', "f.json:1:17: not valid JSON: unexpected \"t\""],
    ["", "f.json:1:1: not valid JSON: unexpected end of the file"],
  ])("%j: %s", (text, message) => {
    expect(refusal(text)).toBe(message);
  });

  it("parses what JSON.parse parses", () => {
    for (const text of ['{"a": [1, -2.5e3, "x\\"y", true, false, null, {}, []], "b": {"c": {}}}', " [ ] ", '"s"', "0"]) {
      expect(parseJsonInput(text, "f.json")).toEqual(JSON.parse(text));
    }
  });

  it("model files and checkpoints are read through it", () => {
    const dir = mkdtempSync(join(tmpdir(), "edgeprop-json-"));
    const deep = `{\n  "format": ${"[".repeat(9000)}${"]".repeat(8999)}\n`;
    writeFileSync(join(dir, "m.json"), deep);
    writeFileSync(join(dir, "checkpoint.json"), deep);
    expect(() => readModel(join(dir, "m.json"))).toThrow(`m.json:2:${13 + MAX_JSON_DEPTH - 1}: nested deeper than`);
    expect(() => readCheckpoint(dir)).toThrow(`checkpoint.json:2:${13 + MAX_JSON_DEPTH - 1}: nested deeper than`);
  });
});
