// One row of OPTIMIZER_FIELDS is all a hyper-parameter takes on the host: each
// row reaches the flag table and --help, the OptimizerConfig (its defaults),
// the encoded configuration block at its offset or bit, and the names a
// refusal gives. A row whose offset collides with another field, or a field
// the encoder misses, fails here.
import { describe, expect, it } from "vitest";
import { OPTIMIZER_FIELDS, fieldDefault, offsetName } from "./optimizer-fields";
import { OPTIMIZER_CHOICES, optimizerDefaults, type RunConfig } from "./config";
import { ConfigFlag, ConfigOffset, CONFIG_BYTES, configFieldName, encodeConfig } from "../protocol/config-block";
import { OPTIMIZER_OPTIONS, SIM_OPTIONS, resolveRun } from "../cli/run-options";
import { helpText, parseArgs } from "../cli/args";

const RUN: RunConfig = {
  sizes: [2, 3], activations: ["identity"], loss: "mse", optimizer: optimizerDefaults("adam"), clipNorm: 0, init: "pytorch", seed: 1, chunk: 1,
};

describe("OPTIMIZER_FIELDS: one row per hyper-parameter", () => {
  it("keys, flags, torch names, offsets and bits are each used once; f64 offsets are 8-aligned inside the block and bits are single bits", () => {
    const once = (xs: unknown[]) => new Set(xs).size === xs.length;
    expect(once(OPTIMIZER_FIELDS.map((f) => f.key))).toBe(true);
    expect(once(OPTIMIZER_FIELDS.map((f) => f.flag))).toBe(true);
    expect(once(OPTIMIZER_FIELDS.map((f) => f.torch))).toBe(true);
    const offsets = OPTIMIZER_FIELDS.flatMap((f) => ("f64" in f.block ? [f.block.f64] : []));
    const bits = OPTIMIZER_FIELDS.flatMap((f) => ("bit" in f.block ? [f.block.bit] : []));
    expect(once(offsets) && once(bits)).toBe(true);
    for (const o of offsets) expect(o % 8 === 0 && o >= ConfigOffset.LR && o + 8 <= CONFIG_BYTES, `offset ${o}`).toBe(true);
    for (const b of bits) expect(b > 0 && (b & (b - 1)) === 0, `bit ${b}`).toBe(true);
    // No optimizer field overlaps a field written elsewhere in config-block.ts.
    const others = [ConfigOffset.CLIP_NORM, ConfigOffset.CLIP_VALUE, ConfigOffset.FROZEN, ConfigOffset.RESERVED];
    for (const o of offsets) expect(others.some((x) => x >= o && x < o + 8), `offset ${o}`).toBe(false);
  });

  it("every row round-trips through the encoded block: its value at its offset (or its bit), nothing else changed, and its torch name in refusals", () => {
    const base = encodeConfig(RUN);
    for (const f of OPTIMIZER_FIELDS) {
      const value = typeof f.default === "boolean" ? !f.default : 0.375;
      const block = encodeConfig({ ...RUN, optimizer: { ...RUN.optimizer, [f.key]: value } });
      const v = new DataView(block.buffer);
      const changed = [...block.keys()].filter((i) => block[i] !== base[i]);
      if ("f64" in f.block) {
        expect(v.getFloat64(f.block.f64, true), f.key).toBe(value);
        const at = f.block.f64;
        expect(changed.every((i) => i >= at && i < at + 8), f.key).toBe(true);
        expect(ConfigOffset[offsetName(f) as keyof typeof ConfigOffset], f.key).toBe(f.block.f64);
        expect(configFieldName(f.block.f64), f.key).toBe(f.torch);
      } else {
        expect(block[ConfigOffset.FLAGS] ^ base[ConfigOffset.FLAGS], f.key).toBe(f.block.bit);
        expect(changed, f.key).toEqual([ConfigOffset.FLAGS]);
        expect(ConfigFlag[offsetName(f)], f.key).toBe(f.block.bit);
      }
    }
  });

  it("every row is a flag of --help with its help text, and the flag sets its field", () => {
    const help = helpText("sim", "", SIM_OPTIONS);
    for (const f of OPTIMIZER_FIELDS) {
      expect(help, `--${f.flag} in --help`).toMatch(new RegExp(`^  --${f.flag}( |$)`, "m"));
      expect(help, `--${f.flag}'s help`).toContain(f.help);
      expect(OPTIMIZER_OPTIONS.find((o) => o.name === f.flag)?.sets).toBe(f.key);
      const boolean = typeof f.default === "boolean";
      // the optimizer each flag applies to (torch refuses nesterov without momentum, centered outside rmsprop)
      const opt = f.key === "nesterov" ? "momentum" : f.key === "centered" ? "rmsprop" : "adam";
      const a = parseArgs(["--layers", "2,3", "--loss", "mse", "--opt", opt, `--${f.flag}`, ...(boolean ? [] : ["0.375"])], SIM_OPTIONS, "sim");
      expect(resolveRun(a, 10, null).run.optimizer[f.key], `--${f.flag}`).toBe(boolean ? true : 0.375);
    }
  });

  it("the defaults are torch.optim's, per --opt choice", () => {
    const d = Object.fromEntries(OPTIMIZER_CHOICES.map((c) => [c, optimizerDefaults(c)]));
    expect(d.sgd).toEqual({
      name: "sgd", lr: 0.01, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0, alpha: 0.99, eps: 1e-8,
      centered: false, beta1: 0.9, beta2: 0.999, amsgrad: false, momentumDecay: 4e-3, lrDecay: 0, initialAccumulator: 0,
    });
    expect(d.momentum).toEqual({ ...d.sgd, momentum: 0.9 });
    expect(d.adagrad).toEqual({ ...d.sgd, name: "adagrad", eps: 1e-10 });
    expect(d.rmsprop).toEqual({ ...d.sgd, name: "rmsprop" });
    expect(d.adam).toEqual({ ...d.sgd, name: "adam", lr: 0.001 });
    expect(d.adamw).toEqual({ ...d.sgd, name: "adamw", lr: 0.001, weightDecay: 0.01 });
    expect(d.nadam).toEqual({ ...d.sgd, name: "nadam", lr: 0.002 });
    expect(d.radam).toEqual({ ...d.sgd, name: "radam", lr: 0.001 });
    expect(() => optimizerDefaults("lbfgs")).toThrow(/unknown optimizer 'lbfgs'/);
    // A flag shows (and parses in) a default only where no --opt choice has its own.
    for (const f of OPTIMIZER_FIELDS) {
      const option = OPTIMIZER_OPTIONS.find((o) => o.name === f.flag)!;
      const varies = OPTIMIZER_CHOICES.some((c) => fieldDefault(f, c) !== f.default);
      expect(option.default, `--${f.flag}`).toBe(varies || typeof f.default === "boolean" ? undefined : f.default);
    }
  });
});
