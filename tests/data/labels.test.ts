// Class labels (issue 11): text labels become class indices, sorted or in
// the --classes order; numbers keep working as today; a model with "classes"
// reads a CSV's text labels with its own classes, and predict/eval name them.
import { afterAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseCsv } from "../../host/data/csv";
import { checkAgainstModel, parseClassList, readDataFile, splitTable } from "../../host/data/dataset";
import { writeModel } from "../../host/model/model-file";
import type { ModelConfig } from "../../host/model/config";
import { jsonLines, runCli } from "../helpers/cli";
import { rmDir, tmpDir } from "../helpers/paths";

const message = (f: () => unknown): string => {
  try { f(); } catch (err) { return (err as Error).message; }
  throw new Error("no error");
};

const FRUIT = "w,h,fruit\n1,2,pear\n3,4,apple\n5,6,fig\n7,8,apple\n";

describe("splitTable: labels", () => {
  it("text labels: indices of the sorted labels, carried as classes", () => {
    const d = splitTable(parseCsv(FRUIT, "f.csv"));
    expect(d.classes).toEqual(["apple", "fig", "pear"]);
    expect(Array.from(d.t)).toEqual([2, 0, 1, 0]);
    expect(d.firstTextLabel).toBe(0);
  });

  it("--classes gives the order; numbers match the class of that number", () => {
    const d = splitTable(parseCsv(FRUIT, "f.csv"), undefined, { classes: ["pear", "fig", "apple"] });
    expect(Array.from(d.t)).toEqual([0, 2, 1, 2]);
    const n = splitTable(parseCsv("a,label\n1,0\n2,2.0\n3,1\n", "n.csv"), undefined, { classes: parseClassList("2,1,0") });
    expect(n.classes).toEqual(["2", "1", "0"]);
    expect(Array.from(n.t)).toEqual([2, 0, 1]);
  });

  it("integer labels without --classes stay as they are (no classes)", () => {
    const d = splitTable(parseCsv("a,label\n1,0\n2,2\n", "n.csv"));
    expect(d.classes).toBeUndefined();
    expect(Array.from(d.t)).toEqual([0, 2]);
  });

  it("messages", () => {
    expect(message(() => splitTable(parseCsv(FRUIT, "f.csv"), undefined, { classes: ["pear", "apple"] })))
      .toBe("f.csv:4:5: column 'fruit' (field 3): label 'fig' is not one of --classes pear,apple");
    expect(message(() => splitTable(parseCsv(FRUIT, "f.csv"), undefined, { classes: ["pear", "apple"], classesFrom: "the model" })))
      .toBe("f.csv:4:5: column 'fruit' (field 3): label 'fig' is not one of the model's classes (pear,apple)");
    expect(message(() => splitTable(parseCsv("w,fruit\n1,pear\n2,\n", "f.csv"))))
      .toBe("f.csv:3:3: column 'fruit' (field 2): expected a class label, got an empty field");
    expect(message(() => splitTable(parseCsv("w,fruit\n1,pear\n2,NaN\n", "f.csv"))))
      .toBe("f.csv:3:3: column 'fruit' (field 2): expected a finite number, got 'NaN'");
    expect(message(() => splitTable(parseCsv("w,h,y\n1,2,pear\n", "f.csv"), "h,y", { classes: ["pear"] })))
      .toBe("--classes need one target column (class labels), not 2 (h,y)");
    expect(message(() => parseClassList("a,,b"))).toBe("--classes a,,b: label 2 is empty");
    expect(message(() => parseClassList("a,b,a"))).toBe("--classes a,b,a: 'a' is named twice");
  });

  it("checked against the model: text labels need ce, and one output per class", () => {
    const table = parseCsv(FRUIT, "f.csv");
    const d = splitTable(table);
    expect(message(() => checkAgainstModel(d, table, [2, 1], "mse")))
      .toBe("f.csv:2:5: column 'fruit' (field 3): expected a finite number, got 'pear' (text class labels need --loss ce)");
    expect(message(() => checkAgainstModel(d, table, [2, 4], "ce")))
      .toBe("f.csv: column 'fruit' has 3 class labels (apple,fig,pear) but the model has 4 outputs: name every class with --classes");
    expect(message(() => checkAgainstModel(d, table, [2, 2], "ce")))
      .toBe("f.csv: column 'fruit' has 3 class labels (apple,fig,pear) but the model has 2 outputs");
    checkAgainstModel(d, table, [2, 3], "ce");
  });
});

describe("predict and eval with a model that has classes", () => {
  const dir = tmpDir("edgeprop-labels-");
  afterAll(() => rmDir(dir));
  // 2 inputs -> 3 logits: output k is large where input k... the weights make class = argmax(w, h, 0.5 + ...), known per row
  const model: ModelConfig = { sizes: [2, 3], activations: ["identity"], loss: "ce" } as ModelConfig;
  const weights = Float32Array.from([1, 0, 0, 1, -1, -1, 0, 0, 1]);
  const classes = ["wide", "tall", "small"];
  // rows: (w, h) -> logits (w, h, 1 - w - h): argmax wide, tall, small, wide (the last row's label is wrong on purpose)
  const csv = "w,h,shape\n3,1,wide\n0.5,2,tall\n0.1,0.2,small\n2,0,tall\n";

  it("class names beside the output, targets read with the model's classes, accuracy counts them", () => {
    writeModel(join(dir, "m.json"), model, weights, { classes });
    writeFileSync(join(dir, "shapes.csv"), csv);
    const r = runCli(["predict", "--load", "m.json", "--data", "shapes.csv", "--json"], dir);
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    const rows = lines.filter((e) => e.event === "prediction");
    expect(rows.map((e) => [e.class, e.class_index, e.target])).toEqual([["wide", 0, "wide"], ["tall", 1, "tall"], ["small", 2, "small"], ["wide", 0, "tall"]]);
    expect(lines[lines.length - 1].accuracy).toBe(0.75);
    const human = runCli(["predict", "--load", "m.json", "--data", "shapes.csv"], dir).stdout.split("\n");
    expect(human[0]).toBe("row 1: [3, 1, -3]  class wide  target wide");
    const e = jsonLines(runCli(["eval", "--load", "m.json", "--data", "shapes.csv", "--json"], dir).stdout);
    expect(e.filter((x) => x.event === "prediction").map((x) => x.class)).toEqual(["wide", "tall", "small", "wide"]);
    expect(e[e.length - 1].accuracy).toBe(0.75);
  });

  it("a label the model does not know: one line, exit 2, file:line:column", () => {
    writeFileSync(join(dir, "odd.csv"), "w,h,shape\n3,1,wide\n1,1,round\n");
    const r = runCli(["predict", "--load", "m.json", "--data", "odd.csv"], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("edgeprop predict: odd.csv:3:5: column 'shape' (field 3): label 'round' is not one of the model's classes (wide,tall,small)\n");
  });

  it("a ';'-separated file with --delimiter, and without (detected)", () => {
    writeFileSync(join(dir, "semi.csv"), csv.replace(/,/g, ";"));
    for (const extra of [[], ["--delimiter", ";"]]) {
      const r = runCli(["predict", "--load", "m.json", "--data", "semi.csv", "--json", "--summary", ...extra], dir);
      expect(r.code, r.stderr).toBe(0);
      expect(jsonLines(r.stdout)[0].accuracy).toBe(0.75);
    }
  });
});

describe("readDataFile: the flags as typed", () => {
  const dir = tmpDir("edgeprop-datafile-");
  afterAll(() => rmDir(dir));

  it("--delimiter, --classes, then known classes, then sorted", () => {
    const file = join(dir, "f.csv");
    writeFileSync(file, FRUIT.replace(/,/g, "\t"));
    expect(readDataFile(file, { delimiter: "tab" }).data.classes).toEqual(["apple", "fig", "pear"]);
    expect(readDataFile(file, { classes: "fig,pear,apple", knownClasses: ["x"] }).data.classes).toEqual(["fig", "pear", "apple"]);
    expect(Array.from(readDataFile(file, { knownClasses: ["pear", "apple", "fig"] }).data.t)).toEqual([0, 1, 2, 1]);
    expect(message(() => readDataFile(file, { knownClasses: ["pear", "apple"], knownClassesFrom: "the training data" })))
      .toBe(`${file}:4:5: column 'fruit' (field 3): label 'fig' is not one of the training data's classes (pear,apple)`);
    expect(message(() => readDataFile(file, { delimiter: "|" }))).toBe(`--delimiter "|": expected ',', ';' or tab ('\\t')`);
  });
});
