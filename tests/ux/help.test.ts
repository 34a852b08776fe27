// Help that teaches: every command's help lists every flag with its default;
// a mistyped flag gets a suggestion.
import { describe, expect, it } from "vitest";
import { SIM_OPTIONS } from "../../host/commands/sim";
import { COMPARE_OPTIONS } from "../../host/commands/compare";
import { DEMO_OPTIONS } from "../../host/commands/demo";
import { PREDICT_OPTIONS, EVAL_OPTIONS } from "../../host/commands/predict";
import { EXPORT_OPTIONS } from "../../host/commands/export";
import { DATASETS_OPTIONS } from "../../host/commands/datasets";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ok, root, run } from "./util";

const commands: [string, { name: string; default?: unknown }[]][] = [
  ["sim", SIM_OPTIONS], ["compare", COMPARE_OPTIONS], ["demo", DEMO_OPTIONS], ["predict", PREDICT_OPTIONS],
  ["eval", EVAL_OPTIONS], ["export", EXPORT_OPTIONS], ["datasets", DATASETS_OPTIONS],
];

describe("help", () => {
  it("edgeprop --help lists the commands", () => {
    const r = ok(["--help"]);
    for (const [c] of commands) expect(r.stdout).toMatch(new RegExp(`^  ${c}\\s`, "m"));
  });

  it.each(commands)("edgeprop %s --help lists every flag with its default", (cmd, specs) => {
    const h = ok([cmd, "--help"]).stdout;
    for (const s of specs) {
      expect(h).toContain(`--${s.name}`);
      if (s.default !== undefined && s.default !== false) expect(h).toContain(`(default: ${s.default})`);
    }
  });

  it("an unknown flag suggests the closest", () => {
    const r = run(["demo", "--fsat"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option --fsat \(did you mean --fast\?\)/);
    const s = run(["sim", "--datset", "xor"]);
    expect(s.stderr).toMatch(/did you mean --dataset\?/);
  });

  it("-h is --help; 'edgeprop help CMD' is CMD --help; --version is package.json's", () => {
    for (const cmd of ["sim", "predict", "export", "train", "ports"]) {
      const long = ok([cmd, "--help"]).stdout;
      expect(ok([cmd, "-h"]).stdout).toBe(long);
      expect(ok(["help", cmd]).stdout).toBe(long);
    }
    const version = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version;
    expect(ok(["--version"]).stdout).toBe(`edgeprop ${version}\n`);
    const r = run(["help", "nope"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command 'nope'/);
  });
});
