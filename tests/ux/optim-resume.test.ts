// The optimizers and schedules of configuration block version 2 through
// --checkpoint / --resume: stopped after epoch 3 of 8 and resumed, a run ends
// with the uninterrupted run's weights bit for bit. NAdam's mu_product comes
// back from the step count, amsgrad's max_exp_avg_sq with the optimizer state,
// ReduceLROnPlateau's state from the checkpoint's loss history.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { jsonLines, ok, tmp } from "./util";

function weights(file: string): number[] {
  const m = JSON.parse(readFileSync(file, "utf8"));
  return m.layers.flatMap((l: any) => [...l.weight.flat(), ...l.bias]);
}

const runs: [string, string[]][] = [
  ["nadam, ReduceLROnPlateau (the lr it halved at epoch 3 carries over)", ["--dataset", "spiral", "--opt", "nadam", "--lr", "0.05", "--momentum-decay", "0.01", "--schedule", "plateau:0.5:0", "--batch", "16", "--no-shuffle"]],
  ["adam amsgrad, warm-up + cosine, clip_grad_value_", ["--dataset", "iris", "--opt", "adam", "--amsgrad", "--lr", "0.01", "--schedule", "warmup:4:0.1+cosine:3", "--clip-value", "0.05", "--batch", "10", "--shuffle"]],
  ["radam, MultiStepLR across the resume point", ["--dataset", "randn", "--layers", "10,8,1", "--opt", "radam", "--lr", "0.01", "--schedule", "multistep:2,4,4,6:0.5", "--batch", "25"]],
];

describe("--checkpoint / --resume with amsgrad, NAdam, RAdam and the new schedules", () => {
  it.each(runs)("%s: stopped after epoch 3 of 8, resumed, equals the uninterrupted run", (_n, flags) => {
    const dir = tmp();
    const ck = join(dir, "ck");
    const full = jsonLines(ok(["sim", ...flags, "--epochs", "8", "--save", join(dir, "full.json"), "--json"]).stdout).filter((e) => e.event === "epoch");
    ok(["sim", ...flags, "--epochs", "3", "--checkpoint", ck, "--quiet"]);
    const resumed = jsonLines(ok(["sim", "--resume", ck, "--epochs", "8", "--save", join(dir, "resumed.json"), "--json"]).stdout).filter((e) => e.event === "epoch");
    expect(resumed.map((e) => e.epoch)).toEqual([4, 5, 6, 7, 8]);
    expect(resumed.map((e) => e.lr)).toEqual(full.slice(3).map((e) => e.lr));
    expect(new Set(full.map((e) => e.lr)).size).toBeGreaterThan(1); // the schedule moved the lr
    expect(weights(join(dir, "resumed.json"))).toEqual(weights(join(dir, "full.json")));
  });
});
