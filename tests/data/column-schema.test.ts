// The model file keeps its columns by name (issue 23): trained on a CSV, a
// model predicts, evaluates and validates on files whose columns are in
// another order or have more of them, with the same outputs bit for bit; a
// missing column is exit 2 naming it; the target needs no --target again;
// the C header lists the inputs in order. A model file without the names
// (older files) still reads columns by position.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jsonLines, ok, root, run, tmp } from "../ux/util";

const dir = tmp();
const iris = join(root, "data", "iris.csv");
const model = join(dir, "iris.json");
const lines = readFileSync(iris, "utf8").trim().split("\n").map((l) => l.split(","));
/** iris.csv with its columns in the order `order` (names of the header; "note" is a column the model never saw). */
function reordered(name: string, order: string[]): string {
  const header = lines[0] ?? [];
  const rows = lines.map((cells, r) => order.map((col) => col === "note" ? (r === 0 ? "note" : `n${r}`) : cells[header.indexOf(col)] ?? ""));
  const file = join(dir, name);
  writeFileSync(file, rows.map((r) => r.join(",")).join("\n") + "\n");
  return file;
}
const predictions = (args: string[]) => jsonLines(ok(["predict", "--load", model, "--json", ...args]).stdout);

describe("columns by name", () => {
  ok(["sim", "--data", iris, "--target", "species", "--layers", "4,8,3", "--loss", "ce", "--opt", "adam", "--lr", "0.01",
    "--epochs", "15", "--normalize", "--save", model, "--quiet"]);

  it("the model file keeps the input names in order and the target", () => {
    const m = JSON.parse(readFileSync(model, "utf8"));
    expect(m.inputs).toEqual(["sepal_length", "sepal_width", "petal_length", "petal_width"]);
    expect(m.targets).toEqual(["species"]);
    expect(m.version).toBe(1);
  });

  it("predict on the columns reordered (label first, an extra column): the same outputs bit for bit, targets found without --target", () => {
    const same = predictions(["--data", iris]);
    const moved = predictions(["--data", reordered("moved.csv", ["species", "petal_width", "note", "sepal_length", "petal_length", "sepal_width"])]);
    expect(moved).toEqual(same);
    const summary = same[same.length - 1];
    expect(summary.accuracy).toBeGreaterThan(0.6); // the targets were read (no --target given)
  });

  it("predict on inputs only, in another order: the same outputs", () => {
    const same = predictions(["--data", iris]).filter((e) => e.event === "prediction").map((e) => e.output);
    const inputs = predictions(["--data", reordered("inputs.csv", ["petal_width", "petal_length", "sepal_width", "sepal_length"])]);
    expect(inputs.filter((e) => e.event === "prediction").map((e) => e.output)).toEqual(same);
    expect(inputs[inputs.length - 1].accuracy).toBeUndefined();
  });

  it("eval (the board's forward pass) on the reordered file equals eval on the original", () => {
    const a = jsonLines(ok(["eval", "--load", model, "--data", iris, "--json"]).stdout);
    const b = jsonLines(ok(["eval", "--load", model, "--data", reordered("eval.csv", ["petal_length", "species", "sepal_width", "petal_width", "sepal_length"]), "--json"]).stdout);
    expect(b.filter((e) => e.event === "prediction")).toEqual(a.filter((e) => e.event === "prediction"));
  });

  it("a missing input column: exit 2, one line naming it", () => {
    const r = run(["predict", "--load", model, "--data", reordered("missing.csv", ["species", "sepal_length", "petal_length", "petal_width"])]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/missing\.csv:1: no column 'sepal_width' \(input 2 of 4 of the model/);
  });

  it("--val reads its columns by name: a reordered file gives the same validation loss", () => {
    const val = (file: string) => {
      const e = jsonLines(ok(["sim", "--load", model, "--data", iris, "--val", file, "--epochs", "1", "--no-shuffle", "--json"]).stdout);
      return e.find((x) => x.event === "epoch")?.val_loss;
    };
    const straight = val(iris);
    expect(straight).toBeTypeOf("number");
    expect(val(reordered("val.csv", ["note", "species", "sepal_width", "sepal_length", "petal_width", "petal_length"]))).toBe(straight);
    const r = run(["sim", "--load", model, "--data", iris, "--val", reordered("valmissing.csv", ["species", "sepal_length"]), "--epochs", "1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no column 'sepal_width' \(an input of the training data/);
  });

  it("training on from the model reads --data by name and remembers the target", () => {
    const e = jsonLines(ok(["sim", "--load", model, "--data", reordered("train.csv", ["species", "petal_width", "sepal_width", "petal_length", "sepal_length"]),
      "--epochs", "1", "--no-shuffle", "--json"]).stdout);
    const f = jsonLines(ok(["sim", "--load", model, "--data", iris, "--epochs", "1", "--no-shuffle", "--json"]).stdout);
    expect(e.find((x) => x.event === "epoch")?.loss).toBe(f.find((x) => x.event === "epoch")?.loss);
  });

  it("the C header lists the inputs in order (comment and edgeprop_input_names[]) and compiles with -Wall -Werror", () => {
    const header = join(dir, "model.h");
    ok(["export", model, "--format", "c", "--out", header]);
    const text = readFileSync(header, "utf8");
    expect(text).toContain(" *   in[0] sepal_length\n *   in[1] sepal_width\n *   in[2] petal_length\n *   in[3] petal_width\n");
    expect(text).toContain(`static const char *const edgeprop_input_names[4] = {"sepal_length", "sepal_width", "petal_length", "petal_width"};`);
    writeFileSync(join(dir, "names.c"), `#include <stdio.h>\n#include "model.h"\nint main(void) { int i; for (i = 0; i <= EDGEPROP_INPUTS; i++) printf("%s\\n", edgeprop_input_name(i) ? edgeprop_input_name(i) : "(null)"); return 0; }\n`);
    writeFileSync(join(dir, "unused.c"), `#include "model.h"\nint unused(void);\nint unused(void) { return EDGEPROP_INPUTS; }\n`);
    execFileSync("gcc", ["-std=c99", "-Wall", "-Werror", "-Wextra", "-pedantic", "-o", join(dir, "names"), "names.c", "-lm"], { cwd: dir });
    execFileSync("gcc", ["-std=c99", "-Wall", "-Werror", "-Wextra", "-c", "unused.c", "-o", "unused.o"], { cwd: dir });
    expect(execFileSync(join(dir, "names"), { encoding: "utf8" })).toBe("sepal_length\nsepal_width\npetal_length\npetal_width\n(null)\n");
  });

  it("a model file without the names (older files) reads columns by position, as before", () => {
    const m = JSON.parse(readFileSync(model, "utf8"));
    delete m.inputs;
    delete m.targets;
    const old = join(dir, "old.json");
    writeFileSync(old, JSON.stringify(m));
    const a = jsonLines(ok(["predict", "--load", old, "--data", iris, "--json"]).stdout);
    expect(a).toEqual(predictions(["--data", iris]));
  });
});
