// A checkpoint is input: its saved settings are held to the flags' own limits
// (one table), its step to what a board counts (issue 20, item 8). Each is
// refused with exit 2 and a message naming the field and its range.
import { beforeAll, describe, expect, it } from "vitest";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ok, run, tmp } from "./util";

let good = "";
beforeAll(() => {
  good = join(tmp(), "ck");
  ok(["sim", "--dataset", "xor", "--opt", "adam", "--val-split", "0.25", "--epochs", "1", "--checkpoint", good, "--quiet"]);
});

/** A copy of the good checkpoint with checkpoint.json edited by `edit`. */
function edited(edit: (c: any) => void): string {
  const dir = join(tmp(), "ck");
  cpSync(good, dir, { recursive: true });
  const file = join(dir, "checkpoint.json");
  const c = JSON.parse(readFileSync(file, "utf8"));
  edit(c);
  writeFileSync(file, JSON.stringify(c));
  return dir;
}

describe("the limits of a checkpoint", () => {
  it("--epochs 1e300 is refused like any number beyond the flag's maximum", () => {
    const r = run(["sim", "--dataset", "xor", "--epochs", "1e300"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--epochs 1e300: expected a number in \[1, 1000000\]/);
  });

  it.each([
    ["val-split", 0.95, /"settings"."val-split": 0.95 is not a number in \[0, 0.9\] \(the limits of --val-split\)/],
    ["epochs", 1e300, /"settings"."epochs": 1e\+300 is not a number in \[1, 1000000\]/],
    ["lr", -1, /"settings"."lr": -1 is not a number >= 0/],
  ])("a saved %s of %s is refused as the flag would be (exit 2)", (key, value, message) => {
    const dir = edited((c) => { c.settings[key] = value; });
    const r = run(["sim", "--resume", dir, "--epochs", "3"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it.each([2 ** 32 - 1, 2 ** 31, -1, 1.5])("\"step\" %s is refused at load with its range (not wrapped on the board)", (step) => {
    const dir = edited((c) => { c.step = step; });
    const r = run(["sim", "--resume", dir, "--epochs", "3"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/checkpoint.json: "step" is [-\d.]+: expected an integer from 0 to 2147483647/);
    expect(r.stderr).not.toMatch(/diverged|--lr/);
  });

  it("a step the run would take past what a board counts is refused before any work", () => {
    const dir = edited((c) => { c.step = 2 ** 31 - 2; });
    const r = run(["sim", "--resume", dir, "--epochs", "3"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--epochs 3: the run would take \d+ optimizer steps after the checkpoint's 2147483646; a board counts at most 2147483647/);
  });
});
