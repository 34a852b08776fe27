// README.md's "A table as it comes": each kind of table's commands, run in
// full (tests/readme-examples.test.ts runs them cut to a few epochs), and the
// figures the README quotes from them. A command or a figure that changes
// fails here, so the README says what the commands print.
import { afterAll, describe, expect, it } from "vitest";
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../helpers/cli";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";

const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
const dir = tmpDir("edgeprop-readme-tables-");
mkdirSync(join(dir, "data"));
for (const f of readdirSync(join(repoRoot, "data")).filter((n) => n.endsWith(".csv"))) copyFileSync(join(repoRoot, "data", f), join(dir, "data", f));
afterAll(() => rmDir(dir));

/** Runs a README command (it must be in the README as written) in the folder; returns stdout + stderr. */
function readmeCommand(line: string): string {
  expect(readme, `README.md no longer has: ${line}`).toContain(line);
  const r = runCli(line.replace(/^npx edgeprop /, "").split(" "), dir);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout + r.stderr;
}
/** The README says `text` (its words may wrap across lines). */
const says = (text: string) => expect(readme.replace(/\s+/g, " "), `README.md no longer says: ${text}`).toContain(text);

describe("README: one command per kind of table, and what predict reports", () => {
  it("text labels (wine)", () => {
    readmeCommand("npx edgeprop sim --data data/wine.csv --layers 13,16,3 --loss ce --opt adam --lr 0.01 --batch 16 --epochs 200 --val-split 0.2 --normalize --early-stop 10 --save wine.json");
    const out = readmeCommand("npx edgeprop predict --load wine.json --data data/wine.csv --summary");
    for (const quoted of ["178 rows, accuracy 98.88% (argmax of the outputs), ce loss 0.01163489", "class_2 0.960 1.000 0.980 48"]) {
      says(quoted);
      expect(out.replace(/ +/g, " ")).toContain(quoted);
    }
    expect(out).toMatch(/class_1\s+0\s+69\s+2/);
  });

  it("categorical features with missing values, the label first (penguins)", () => {
    const train = readmeCommand("npx edgeprop sim --data data/penguins.csv --target species --drop year --categorical island,sex --missing drop --loss ce --hidden 16 --opt adam --lr 0.01 --batch 16 --epochs 200 --val-split 0.2 --normalize --early-stop 10 --save penguins.json");
    says("11 of 344 rows left out");
    expect(train).toContain("11 of 344 rows left out for a missing value (--missing drop)");
    expect(train).toContain("best epoch 22 (stopped early): val_loss 0.0003208252");
    says("The run keeps epoch 22 (`val_loss 0.0003208252`)");
    const m = JSON.parse(readFileSync(join(dir, "penguins.json"), "utf8"));
    expect(m.layers[0].in).toBe(9);
    says("9 inputs here");
    const out = readmeCommand("npx edgeprop predict --load penguins.json --data data/penguins.csv --summary");
    says("333 rows (11 left out for a missing value), accuracy 99.70%");
    expect(out).toContain("333 rows (11 left out for a missing value), accuracy 99.70%");
    says("(`Adelie` row: `145 1 0`, one Adelie taken for a Chinstrap)");
    expect(out).toMatch(/\n *Adelie +145 +1 +0\n/);
    // Without --categorical: the one message the README quotes.
    const text = runCli(["sim", "--data", "data/penguins.csv", "--target", "species", "--drop", "year", "--loss", "ce", "--hidden", "4", "--epochs", "1"], dir);
    expect(text.code).toBe(2);
    says("'island' (line 2: 'Torgersen'): --drop island or --categorical island;");
    expect(text.stderr).toContain("'island' (line 2: 'Torgersen'): --drop island or --categorical island;");
  });

  it("a regression with an unscaled target (diabetes)", () => {
    const train = readmeCommand("npx edgeprop sim --data data/diabetes.csv --categorical sex --loss mse --hidden 16 --opt adam --lr 0.003 --batch 32 --epochs 300 --val-split 0.2 --normalize --normalize-target --early-stop 20 --save diabetes.json");
    expect(train).toContain("best epoch 18 (stopped early): val_loss 3351.966");
    says("The run keeps epoch 18 (`val_loss 3351.966`)");
    const out = readmeCommand("npx edgeprop predict --load diabetes.json --data data/diabetes.csv --summary");
    says("442 rows, mse loss 2704.621");
    says("progression 42.5793 52.0060 0.5439");
    expect(out).toContain("442 rows, mse loss 2704.621");
    expect(out.replace(/ +/g, " ")).toContain("progression 42.5793 52.0060 0.5439");
    // The same run without --normalize-target: what the README compares it with.
    const plain = runCli(["sim", "--data", "data/diabetes.csv", "--categorical", "sex", "--loss", "mse", "--hidden", "16", "--opt", "adam", "--lr", "0.003",
      "--batch", "32", "--epochs", "300", "--val-split", "0.2", "--normalize", "--early-stop", "20", "--quiet"], dir);
    expect(plain.code, plain.stderr).toBe(0);
    says("takes 156 epochs to its best (`val_loss 3085.916`)");
    expect(plain.stdout).toContain("best epoch 156 (stopped early): val_loss 3085.916");
  });
});
