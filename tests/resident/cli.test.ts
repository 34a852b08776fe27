// `sim --resident` through the real CLI: the same model file, byte for byte,
// as streaming the same run (shuffled by default, with held-out data,
// normalisation and early stopping), far fewer bytes on the line, and a data
// set over the board's memory refused with the store's share named, exit 2.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { jsonLines, runCli } from "../helpers/cli";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";

const wine = path.join(repoRoot, "data", "wine.csv");

function run(extra: string[], dir: string, name: string) {
  const save = path.join(dir, `${name}.json`);
  const r = runCli(["sim", ...extra, "--save", save, "--json"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const done = jsonLines(r.stdout).find((e) => e.event === "done");
  return { saved: readFileSync(save, "utf8"), done };
}

describe("sim --resident", () => {
  for (const link of ["direct", "memory"]) {
    it(`${link}: a shuffled spiral run saves the streamed run's model byte for byte`, () => {
      const dir = tmpDir();
      try {
        const args = ["--dataset", "spiral", "--opt", "adam", "--epochs", "6", "--link", link];
        const streamed = run(args, dir, "streamed");
        const resident = run([...args, "--resident"], dir, "resident");
        expect(resident.saved).toBe(streamed.saved);
        expect(resident.done.final_loss).toBe(streamed.done.final_loss);
        expect(resident.done.plan_bytes).toBeGreaterThan(streamed.done.plan_bytes); // the store is in the plan
        if (link === "memory") expect(resident.done.bytes_sent).toBeLessThan(streamed.done.bytes_sent / 2);
      } finally {
        rmDir(dir);
      }
    });
  }

  it("wine with --val-split, --normalize and --early-stop: the same best epoch and model as streaming", () => {
    const dir = tmpDir();
    try {
      const args = ["--data", wine, "--layers", "13,16,3", "--loss", "ce", "--opt", "adam", "--lr", "0.01",
        "--val-split", "0.2", "--normalize", "--early-stop", "10", "--epochs", "60", "--link", "memory"];
      const streamed = run(args, dir, "streamed");
      const resident = run([...args, "--resident"], dir, "resident");
      expect(resident.saved).toBe(streamed.saved);
      expect(resident.done.best_epoch).toBe(streamed.done.best_epoch);
      expect(resident.done.val_accuracy).toBe(streamed.done.val_accuracy);
    } finally {
      rmDir(dir);
    }
  });

  it("a data set whose store does not fit the board is refused before any upload, exit 2, with the store's share", () => {
    const r = runCli(["sim", "--dataset", "randn", "--layers", "10,64,1", "--loss", "mse", "--board", "esp32-c3", "--resident", "--epochs", "1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs \d+ bytes, the board allows 40960 \(the sample store of 1000 rows takes 48000 of them\)/);
  });
});
