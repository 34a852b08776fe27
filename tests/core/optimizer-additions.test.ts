// Engine-level checks of what configuration block version 2 added (amsgrad,
// NAdam, RAdam, clip_grad_value_): state that survives a resume, the plan's
// state slots, the version-1 block still taken, and refusals. The numerics
// against PyTorch are the golden cases and the randomized cross-check.
import { describe, expect, it } from "vitest";
import { Net, Status, randomData, runConfig, type NetSpec } from "../helpers/engine";
import { CONFIG_BYTES, ConfigOffset, encodeConfig } from "../../host/protocol/config-block";
import type { OptimizerName } from "../../host/model/config";
import { computePlan } from "../../host/model/plan";
import { moduleStaticBytes } from "../../host/boards/engine";
import { rng } from "../helpers/rng";
import { runCli } from "../helpers/cli";

const C_VERSION = ConfigOffset.VERSION, C_FLAGS = ConfigOffset.FLAGS;
const C_MOMENTUM_DECAY = ConfigOffset.MOMENTUM_DECAY, C_CLIP_VALUE = ConfigOffset.CLIP_VALUE, C_RESERVED = ConfigOffset.RESERVED;
const V2_BYTES = CONFIG_BYTES;

interface V2 { opt: OptimizerName; amsgrad?: boolean; momentumDecay?: number; clipValue?: number }

/** The host's version-2 block for `spec` with the version-2 settings `v2`. */
function blockV2(spec: NetSpec, v2: V2): Uint8Array {
  const run = runConfig({ ...spec, opt: v2.opt });
  run.optimizer.amsgrad = Boolean(v2.amsgrad);
  if (v2.momentumDecay !== undefined) run.optimizer.momentumDecay = v2.momentumDecay;
  return encodeConfig({ ...run, clipValue: v2.clipValue ?? 0 });
}

/** The same run as a version-1 block (what a host before version 2 sent). */
function blockV1(spec: NetSpec, opt: OptimizerName): Uint8Array {
  const b = blockV2(spec, { opt }).slice(0, 128);
  b[C_VERSION] = 1;
  return b;
}

function configure(net: Net, spec: NetSpec, block: Uint8Array): number {
  net.run = runConfig(spec);
  new Uint8Array(net.e.memory.buffer, net.e.config_ptr(), block.length).set(block);
  return net.e.configure();
}

const SPEC: NetSpec = { sizes: [3, 5, 2], act: "tanh", loss: "mse", chunk: 4, seed: 9, optimizer: { lr: 0.01 } };
const ROWS = 8;

function data() {
  return randomData(rng(5), ROWS, 3, 2, "mse");
}

function train(net: Net, steps: number): void {
  const { x, t } = data();
  for (let s = 0; s < steps; s++) net.trainBatch(x, t, ROWS);
}

function optimizerState(net: Net): Uint8Array {
  return new Uint8Array(net.e.memory.buffer, net.e.optimizer_state_ptr(), net.e.optimizer_state_bytes()).slice();
}

describe("configuration block version 2", () => {
  it("the module's block is 160 bytes", () => {
    expect(new Net().e.config_bytes()).toBe(V2_BYTES);
  });

  it("optimizer state slots: amsgrad adds max_exp_avg_sq; NAdam and RAdam keep m and v (mu_product is not state)", () => {
    const slots = (v2: V2) => {
      const net = new Net();
      expect(configure(net, SPEC, blockV2(SPEC, v2))).toBe(Status.OK);
      return net.e.plan_optimizer() / net.e.plan_params();
    };
    expect(slots({ opt: "adam" })).toBe(2);
    expect(slots({ opt: "adam", amsgrad: true })).toBe(3);
    expect(slots({ opt: "adamw", amsgrad: true })).toBe(3);
    expect(slots({ opt: "nadam" })).toBe(2);
    expect(slots({ opt: "radam" })).toBe(2);
  });

  it("the host's plan equals the module's for amsgrad, nadam and radam runs of many shapes", () => {
    const net = new Net();
    const staticBytes = moduleStaticBytes();
    const r = rng(11);
    const variants: V2[] = [{ opt: "adam", amsgrad: true }, { opt: "adamw", amsgrad: true }, { opt: "nadam" }, { opt: "radam" }];
    for (let i = 0; i < 120; i++) {
      const L = 1 + Math.floor(r() * 8);
      const sizes = Array.from({ length: L + 1 }, () => 1 + Math.floor(r() < 0.2 ? r() * 300 : r() * 40));
      const spec: NetSpec = { sizes, act: "relu", loss: "mse", chunk: 1 + Math.floor(r() * 64) };
      const v2 = variants[i % variants.length];
      const status = configure(net, spec, blockV2(spec, v2));
      const run = runConfig({ ...spec, opt: v2.opt });
      run.optimizer.amsgrad = Boolean(v2.amsgrad);
      const { pages: _p, chunk: _c, ...host } = computePlan(run, staticBytes);
      expect(host, JSON.stringify({ spec, v2 })).toEqual(net.plan());
      expect(status).toBe(host.total_bytes <= net.e.memory_limit() ? Status.OK : Status.TOO_BIG);
    }
  });

  it("a version-1 (128-byte) block is still taken, and version-2 fields left in memory by an earlier run do not leak into it", () => {
    const v1 = blockV1(SPEC, "adam");
    const fresh = new Net();
    expect(configure(fresh, SPEC, v1)).toBe(Status.OK);
    train(fresh, 3);
    const reused = new Net();
    expect(configure(reused, SPEC, blockV2(SPEC, { opt: "nadam", momentumDecay: 0.5, clipValue: 1e-4 }))).toBe(Status.OK);
    train(reused, 2);
    expect(configure(reused, SPEC, v1)).toBe(Status.OK);
    train(reused, 3);
    expect(reused.getWeights()).toEqual(fresh.getWeights());
  });

  it("refuses: a reserved byte set, amsgrad with an optimizer that has none, a negative or non-finite momentum_decay or clip value", () => {
    const refusedAt = (b: Uint8Array) => {
      const net = new Net();
      expect(configure(net, SPEC, b)).toBe(Status.BAD_CONFIG);
      return net.e.config_detail();
    };
    // The reserved bytes are 153..159 since byte 152 became the precision (docs/int16.md).
    for (const off of [C_RESERVED, ConfigOffset.RESERVED_END - 1, V2_BYTES - 1]) {
      const b = blockV2(SPEC, { opt: "adam" });
      b[off] = 1;
      expect(refusedAt(b)).toBe(off);
    }
    const unknownPrecision = blockV2(SPEC, { opt: "adam" });
    unknownPrecision[ConfigOffset.PRECISION] = 2;
    expect(refusedAt(unknownPrecision)).toBe(ConfigOffset.PRECISION);
    for (const opt of ["sgd", "nadam", "radam"] as const) expect(refusedAt(blockV2(SPEC, { opt, amsgrad: true }))).toBe(C_FLAGS);
    expect(refusedAt(blockV2(SPEC, { opt: "nadam", momentumDecay: -1e-3 }))).toBe(C_MOMENTUM_DECAY);
    expect(refusedAt(blockV2(SPEC, { opt: "nadam", momentumDecay: NaN }))).toBe(C_MOMENTUM_DECAY);
    expect(refusedAt(blockV2(SPEC, { opt: "sgd", clipValue: Infinity }))).toBe(C_CLIP_VALUE);
    expect(refusedAt(blockV2(SPEC, { opt: "sgd", clipValue: -1 }))).toBe(C_CLIP_VALUE);
    const unknown = blockV2(SPEC, { opt: "adam" });
    unknown[C_VERSION] = 3;
    expect(refusedAt(unknown)).toBe(C_VERSION);
  });
});

describe("NAdam's mu_product follows from the step count", () => {
  for (const momentumDecay of [4e-3, 0.3]) {
    it(`a run resumed from weights, m, v and the step count continues bit for bit (momentum_decay ${momentumDecay})`, () => {
      const block = blockV2(SPEC, { opt: "nadam", momentumDecay });
      const straight = new Net();
      expect(configure(straight, SPEC, block)).toBe(Status.OK);
      train(straight, 7);
      const weights = straight.getWeights(), state = optimizerState(straight), steps = straight.e.step_count();
      train(straight, 6);

      const resumed = new Net(); // a board rebooted: a new module, nothing but what the host pulled
      expect(configure(resumed, SPEC, block)).toBe(Status.OK);
      resumed.setWeights(weights);
      new Uint8Array(resumed.e.memory.buffer, resumed.e.optimizer_state_ptr(), state.length).set(state);
      resumed.e.set_step_count(steps);
      train(resumed, 6);
      expect(resumed.e.step_count()).toBe(13);
      expect(resumed.getWeights()).toEqual(straight.getWeights());
    });
  }

  it("moving the step count back and forth on one module gives the same update as a module that only went forward", () => {
    const block = blockV2(SPEC, { opt: "nadam" });
    const a = new Net(), b = new Net();
    expect(configure(a, SPEC, block)).toBe(Status.OK);
    expect(configure(b, SPEC, block)).toBe(Status.OK);
    train(a, 4);
    const w = a.getWeights(), s = optimizerState(a);
    train(a, 3); // mu_product advanced to step 7 ...
    a.setWeights(w); // ... then the host rewinds to step 4 (a resume from an older checkpoint)
    new Uint8Array(a.e.memory.buffer, a.e.optimizer_state_ptr(), s.length).set(s);
    a.e.set_step_count(4);
    train(a, 2);
    train(b, 6);
    expect(a.getWeights()).toEqual(b.getWeights());
  });

  // Walking 2^31 steps would take minutes: the test's default timeout is what catches that.
  it("a step count far ahead (mu_product underflowed to 0) is reached without walking every step again", () => {
    const net = new Net();
    expect(configure(net, SPEC, blockV2(SPEC, { opt: "nadam", momentumDecay: 0 }))).toBe(Status.OK);
    net.e.set_step_count(0x7ffffff0);
    train(net, 1);
    expect(net.e.step_count()).toBe(0x7ffffff1);
    expect(net.getWeights().every(Number.isFinite)).toBe(true);
    // beta1 0.9, psi 0: mu = 0.45 each step, so the float32 product underflows after ~190 factors
  });
});

describe("clip_grad_value_", () => {
  it("with plain SGD (lr 1) no weight moves by more than the clip value in one step, and some move by exactly that", () => {
    const clipValue = Math.fround(1e-3);
    const net = new Net();
    expect(configure(net, { ...SPEC, optimizer: { lr: 1 } }, blockV2({ ...SPEC, optimizer: { lr: 1 } }, { opt: "sgd", clipValue }))).toBe(Status.OK);
    const before = net.getWeights();
    train(net, 1);
    const moved = net.getWeights().map((w, i) => Math.abs(w - before[i]));
    expect(Math.max(...moved)).toBeLessThanOrEqual(clipValue * (1 + 1e-3));
    expect(moved.filter((d) => Math.abs(d - clipValue) < clipValue * 1e-3).length).toBeGreaterThan(0);
  });
});

describe("the new flags refuse what torch would refuse, before any work (exit 2, one line)", () => {
  const base = ["sim", "--dataset", "iris", "--epochs", "2", "--quiet"];
  const cases: [string[], RegExp][] = [
    [["--opt", "sgd", "--amsgrad"], /--amsgrad is for --opt adam or adamw/],
    [["--opt", "nadam", "--momentum-decay", "-1"], /--momentum-decay/],
    [["--clip-value", "-0.5"], /--clip-value/],
    // iris: 150 rows in batches of 75, 2 epochs = 4 steps; pct_start 0.25 x 4 = 1
    [["--batch", "75", "--schedule", "onecycle:0.1:0.25"], /divides 0 by 0/],
    [["--schedule", "plateau:2"], /FACTOR is in \(0, 1\)/],
    [["--schedule", "warmup:3+cosine"], /expected/],
  ];
  it.each(cases)("%j", (flags, why) => {
    const r = runCli([...base, ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(why);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stdout).toBe("");
  });
});
