import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkOutputDirectory, checkOutputFile } from "./output-path";

const scratch = () => mkdtempSync(join(tmpdir(), "edgeprop-outpath-"));

describe("checkOutputFile", () => {
  it("accepts a new file, an existing regular file and a missing parent (created at write time), creating nothing", () => {
    const d = scratch();
    writeFileSync(join(d, "old.json"), "{}");
    expect(() => checkOutputFile("--save", join(d, "new.json"))).not.toThrow();
    expect(() => checkOutputFile("--save", join(d, "old.json"))).not.toThrow();
    expect(() => checkOutputFile("--save", join(d, "a", "b", "m.json"))).not.toThrow();
    expect(readdirSync(d)).toEqual(["old.json"]);
  });

  it("refuses a directory, a trailing slash, a device, an empty name and a parent that is a file", () => {
    const d = scratch();
    mkdirSync(join(d, "dir"));
    writeFileSync(join(d, "file"), "");
    expect(() => checkOutputFile("--save", join(d, "dir"))).toThrow(/--save .*dir: is a directory, not a regular file/);
    expect(() => checkOutputFile("--save", join(d, "new") + "/")).toThrow(/names a directory; give a file name/);
    expect(() => checkOutputFile("--save", "/dev/full")).toThrow(/--save \/dev\/full: is a device/);
    expect(() => checkOutputFile("--report", " ")).toThrow(/--report needs a file name/);
    expect(() => checkOutputFile("--save", join(d, "file", "m.json"))).toThrow(/is not a directory/);
  });
});

describe("checkOutputDirectory", () => {
  it("accepts a new or existing directory; refuses a file, or a checkpoint file that is a directory", () => {
    const d = scratch();
    writeFileSync(join(d, "file"), "");
    mkdirSync(join(d, "ck", "model.json"), { recursive: true });
    expect(() => checkOutputDirectory("--checkpoint", join(d, "new"), ["model.json"])).not.toThrow();
    expect(() => checkOutputDirectory("--checkpoint", join(d, "file"), ["model.json"])).toThrow(/is a file, not a directory/);
    expect(() => checkOutputDirectory("--checkpoint", join(d, "ck"), ["model.json"])).toThrow(/model\.json is a directory/);
  });
});
