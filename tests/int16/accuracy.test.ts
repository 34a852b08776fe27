// int16 trains as well as f32 (issue 22: within 1 point): iris, same seed and
// epochs, validation accuracy measured on the board's own int16 forward pass
// (EVAL), beside the f32 run's.
import { describe, expect, it } from "vitest";
import { jsonLines, runCli } from "../helpers/cli";

function lastEpoch(precision: string) {
  const r = runCli(["sim", "--dataset", "iris", "--layers", "4,16,3", "--loss", "ce", "--opt", "adam", "--lr", "0.01", "--batch", "16",
    "--epochs", "100", "--seed", "1", "--val-split", "0.3", "--precision", precision, "--json"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return jsonLines(r.stdout).filter((e) => e.event === "epoch").at(-1);
}

describe("int16 accuracy against f32", () => {
  it("iris 4-16-3 adam, 100 epochs: validation accuracy within 1 point, validation loss within 5%, and not the same run", () => {
    const f32 = lastEpoch("f32"), int16 = lastEpoch("int16");
    expect(f32.val_accuracy).toBeGreaterThan(0.9);
    expect(Math.abs(int16.val_accuracy - f32.val_accuracy)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(int16.val_loss - f32.val_loss)).toBeLessThanOrEqual(0.05 * f32.val_loss);
    expect(int16.val_loss).not.toBe(f32.val_loss); // the precision reached the module
  });
});
