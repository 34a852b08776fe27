import { describe, expect, it } from "vitest";
import { DATA_OPTIONS, MODEL_OPTIONS, OPTIMIZER_OPTIONS, OUTPUT_OPTIONS, SIM_OPTIONS, TRAINING_OPTIONS, resolveRun } from "./run-options";
import { optimizerDefaults } from "../model/config";
import { parseArgs } from "./args";
import { encodeConfig } from "../protocol/config-block";

describe("what --resume may change, declared beside each flag", () => {
  it("every data, model and optimizer flag says whether a resume may change it (a new one must decide)", () => {
    const undecided = [...DATA_OPTIONS, ...MODEL_OPTIONS, ...OPTIMIZER_OPTIONS].filter((o) => o.persist && !o.onResume).map((o) => o.name);
    expect(undecided).toEqual([]);
  });

  it("of the training flags only --epochs, --batch, --chunk and --shuffle change freely; --load is fixed", () => {
    expect(TRAINING_OPTIONS.filter((o) => o.persist && !o.onResume).map((o) => o.name).sort()).toEqual(["batch", "chunk", "epochs", "shuffle"]);
    expect(OUTPUT_OPTIONS.find((o) => o.name === "load")?.onResume).toBe("fixed");
    expect(OPTIMIZER_OPTIONS.find((o) => o.name === "opt")?.onResume).toBe("fixed");
    expect(OPTIMIZER_OPTIONS.find((o) => o.name === "lr")?.onResume).toBe("retune");
  });
});

describe("optimizer flags: the option table is the one place on the host", () => {
  it("every optimizer hyper-parameter flag names the OptimizerConfig field it sets, and resolveRun sets it from the table", () => {
    const defaults = optimizerDefaults("adam") as unknown as Record<string, unknown>;
    const setters = OPTIMIZER_OPTIONS.filter((o) => o.sets);
    // --opt picks the defaults, --schedule and the clipping flags set the run, not the optimizer.
    expect(OPTIMIZER_OPTIONS.filter((o) => !o.sets).map((o) => o.name).sort()).toEqual(["clip-norm", "clip-value", "opt", "schedule"]);
    for (const o of setters) {
      expect(Object.keys(defaults), `--${o.name} sets ${o.sets}`).toContain(o.sets);
      const argv = o.kind === "flag" ? [`--${o.name}`] : [`--${o.name}`, o.name === "beta1" || o.name === "beta2" ? "0.5" : "0.25"];
      const a = parseArgs(["--layers", "2,3", "--loss", "mse", "--opt", "adam", ...argv], SIM_OPTIONS, "sim");
      // nesterov and centered are checked against the optimizer: resolve the field alone.
      if (o.name === "nesterov") { a.opt = "sgd"; a.momentum = 0.9; }
      if (o.name === "centered") a.opt = "rmsprop";
      const got = resolveRun(a, 10, null).run.optimizer as unknown as Record<string, unknown>;
      expect(got[o.sets!], `--${o.name}`).toBe(o.kind === "flag" ? true : Number(argv[1]));
    }
  });
});

describe("optimizer flags reach the configuration block", () => {
  it("each flag's value changes the encoded block (a flag added to the table but not to config-block.ts fails here)", () => {
    const base = (extra: string[], opt = "adam") => {
      const a = parseArgs(["--layers", "2,3", "--loss", "mse", "--opt", opt, ...extra], SIM_OPTIONS, "sim");
      return encodeConfig(resolveRun(a, 10, null).run);
    };
    for (const o of OPTIMIZER_OPTIONS.filter((s) => s.sets)) {
      // the optimizer each flag applies to (torch refuses nesterov without momentum, centered outside rmsprop)
      const opt = o.name === "nesterov" ? "momentum" : o.name === "centered" ? "rmsprop" : "adam";
      const value = o.name === "beta1" || o.name === "beta2" ? "0.5" : "0.375";
      const flag = o.kind === "flag" ? [`--${o.name}`] : [`--${o.name}`, value];
      expect(Buffer.from(base(flag, opt)).equals(Buffer.from(base([], opt))), `--${o.name} is not in the configuration block`).toBe(false);
    }
  });
});
