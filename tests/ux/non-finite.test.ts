// A non-finite weight anywhere is divergence (issue 20, item 4): exit 3, the
// last finite model saved, no checkpoint replaced by one that cannot be
// loaded, no file ever holding the `null` JSON.stringify makes of NaN.
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ok, run, tmp } from "./util";

const RANDN = ["--dataset", "randn", "--opt", "sgd", "--batch", "full", "--quiet"];

function weights(file: string): number[] {
  const m = JSON.parse(readFileSync(file, "utf8"));
  return m.layers.flatMap((l: { weight: number[][]; bias: number[] }) => [...l.weight.flat(), ...l.bias]);
}

describe("--lr beyond float32: the update makes the weights non-finite", () => {
  it("with --checkpoint: exit 3 and no checkpoint of NaN weights", () => {
    const dir = tmp();
    const ck = join(dir, "ck");
    const r = run(["sim", ...RANDN, "--lr", "1e39", "--epochs", "1", "--checkpoint", ck]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/diverged at epoch 1, batch 1: the gradient or the updated weights are not finite/);
    expect(existsSync(join(ck, "checkpoint.json"))).toBe(false);
  });

  it("--resume --retune --lr 1e39 leaves the good checkpoint as it was; --save gets its (last finite) model, and says so", () => {
    const dir = tmp();
    const ck = join(dir, "ck"), save = join(dir, "m.json");
    ok(["sim", ...RANDN, "--lr", "0.01", "--epochs", "2", "--checkpoint", ck]);
    const before = readdirSync(ck).sort().map((f) => readFileSync(join(ck, f), "utf8"));
    const r = run(["sim", "--resume", ck, "--retune", "--lr", "1e39", "--epochs", "3", "--save", save, "--quiet"]);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/diverged at epoch 3.*The last finite model was saved to /s);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(readdirSync(ck).sort().map((f) => readFileSync(join(ck, f), "utf8"))).toEqual(before);
    expect(readFileSync(save, "utf8")).not.toMatch(/null/);
    expect(weights(save)).toEqual(weights(join(ck, "model.json")));
    ok(["predict", "--load", save, "--dataset", "randn", "--summary"]);
  });
});
