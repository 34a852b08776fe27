// An interrupted run resumed from its checkpoint ends with the weights of an
// uninterrupted run, bit for bit.
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { jsonLines, ok, run, tmp } from "./util";

function weights(file: string): number[] {
  const m = JSON.parse(readFileSync(file, "utf8"));
  return m.layers.flatMap((l: any) => [...l.weight.flat(), ...l.bias]);
}

const runs: [string, string[]][] = [
  ["adam, shuffled, step schedule (spiral)", ["--dataset", "spiral", "--opt", "adam", "--lr", "0.01", "--shuffle", "--schedule", "step:3:0.5", "--batch", "32"]],
  ["adagrad with lr decay (iris)", ["--dataset", "iris", "--opt", "adagrad", "--lr-decay", "0.01", "--batch", "10", "--shuffle"]],
  ["rmsprop centered + momentum, full batch (randn)", ["--dataset", "randn", "--layers", "10,8,1", "--opt", "rmsprop", "--centered", "--momentum", "0.5", "--batch", "full"]],
];

describe("--checkpoint / --resume", () => {
  it.each(runs)("%s: stopped after epoch 3 of 8, resumed, equals the uninterrupted run", (_n, flags) => {
    const dir = tmp();
    const ck = join(dir, "ck");
    ok(["sim", ...flags, "--epochs", "8", "--save", join(dir, "full.json"), "--quiet"]);
    ok(["sim", ...flags, "--epochs", "3", "--checkpoint", ck, "--quiet"]);
    expect(readdirSync(ck).sort()).toEqual(["checkpoint.json", "model.json"]);
    const c = JSON.parse(readFileSync(join(ck, "checkpoint.json"), "utf8"));
    expect(c.format).toBe("edgeprop-checkpoint");
    expect(c.epoch).toBe(3);
    expect(c.step).toBeGreaterThan(0);
    const r = ok(["sim", "--resume", ck, "--epochs", "8", "--save", join(dir, "resumed.json"), "--json"]);
    const epochs = r.stdout.trim().split("\n").map((l) => JSON.parse(l)).filter((e) => e.event === "epoch").map((e) => e.epoch);
    expect(epochs).toEqual([4, 5, 6, 7, 8]);
    expect(weights(join(dir, "resumed.json"))).toEqual(weights(join(dir, "full.json")));
    // the checkpoint moved on with the resumed run
    expect(JSON.parse(readFileSync(join(ck, "checkpoint.json"), "utf8")).epoch).toBe(8);
    expect(existsSync(join(ck, "model.json"))).toBe(true);
  });

  it("a missing checkpoint is one line and exit 2", () => {
    const r = run(["sim", "--resume", join(tmp(), "none"), "--epochs", "5"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/no checkpoint here/);
  });
});

describe("--resume with a flag typed again", () => {
  it("takes the typed value even when it is the flag's default (batch 32 over a checkpoint's 16)", () => {
    const dir = tmp();
    // A resumed run keeps checkpointing into its directory: one checkpoint per resume.
    const start = (ck: string) => ok(["sim", "--dataset", "spiral", "--layers", "2,16,3", "--loss", "ce", "--opt", "adam",
      "--lr", "0.05", "--batch", "16", "--epochs", "2", "--checkpoint", ck, "--quiet", "--link", "direct"]);
    const ck1 = join(dir, "ck1"), ck2 = join(dir, "ck2");
    start(ck1);
    start(ck2);
    const kept = jsonLines(ok(["sim", "--resume", ck1, "--epochs", "3", "--json", "--link", "direct"]).stdout);
    expect(kept.find((e) => e.event === "epoch").steps).toBe(Math.ceil(300 / 16));
    const typed = jsonLines(ok(["sim", "--resume", ck2, "--epochs", "3", "--batch", "32", "--json", "--link", "direct"]).stdout);
    expect(typed.find((e) => e.event === "epoch").steps).toBe(Math.ceil(300 / 32));
  });
});
