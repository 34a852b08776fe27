// The host's learning-rate schedules (host/run/schedule.ts) against
// torch.optim.lr_scheduler itself: the lr of every batch of a run, as torch
// steps each scheduler (per epoch; OneCycleLR per batch; ReduceLROnPlateau on
// a given sequence of epoch losses). Equal to the last bit or within 1e-15
// relative (libm's cos against V8's).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { LrSchedule, parseSchedule, scheduleFromJson } from "../../host/run/schedule";
import { oracleFailure, PYTHON, skipWithoutTorch, torchMissing } from "./oracle";

const missing = torchMissing();
const skip = skipWithoutTorch("tests/torch/schedules.test.ts", missing);

interface Case { name: string; schedule: Record<string, unknown>; lr: number; epochs: number; steps: number; losses?: number[] }

// ReduceLROnPlateau's inputs: improving, flat (within the 1e-4 threshold), worse, improving again.
const LOSSES = [1, 0.8, 0.79995, 0.8, 0.81, 0.7, 0.69999, 0.7, 0.7, 0.71, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5];

const CASES: Case[] = [
  { name: "multistep, a milestone twice and one at 0", schedule: { name: "multistep", milestones: [0, 3, 3, 7], gamma: 0.3 }, lr: 0.1, epochs: 12, steps: 1 },
  { name: "multistep, default gamma", schedule: { name: "multistep", milestones: [2, 5] }, lr: 0.05, epochs: 8, steps: 1 },
  { name: "warm-up + cosine past T_max", schedule: { name: "warmup_cosine", warmup: 4, start_factor: 0.1, t_max: 5, eta_min: 0.001 }, lr: 0.05, epochs: 20, steps: 1 },
  { name: "warm-up (torch's default start_factor) + cosine", schedule: { name: "warmup_cosine", warmup: 1, t_max: 3 }, lr: 0.2, epochs: 9, steps: 1 },
  { name: "onecycle, 7 batches an epoch", schedule: { name: "onecycle", max_lr: 0.1, pct_start: 0.3, cycle_momentum: false }, lr: 0.01, epochs: 5, steps: 7 },
  { name: "onecycle, warm-up shorter than one step", schedule: { name: "onecycle", max_lr: 0.02, pct_start: 0.1, div_factor: 10, final_div_factor: 100, cycle_momentum: false }, lr: 0.01, epochs: 2, steps: 3 },
  { name: "plateau, patience 1", schedule: { name: "plateau", factor: 0.5, patience: 1 }, lr: 0.1, epochs: LOSSES.length, steps: 1, losses: LOSSES },
  { name: "plateau, torch's defaults (patience 10)", schedule: { name: "plateau" }, lr: 0.1, epochs: 36, steps: 1, losses: [...LOSSES, ...Array(16).fill(0.5)] },
  { name: "plateau, cooldown and min_lr", schedule: { name: "plateau", factor: 0.2, patience: 0, cooldown: 2, min_lr: 0.003 }, lr: 0.1, epochs: LOSSES.length, steps: 1, losses: LOSSES },
];

const PROGRAM = String.raw`
import json, sys, warnings
import torch
warnings.simplefilter("ignore")
sys.path.insert(0, "scripts")
import torch_training as tt
out = []
for c in json.load(sys.stdin):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=c["lr"])
    s = c["schedule"]
    per_batch = s["name"] in tt.PER_BATCH_SCHEDULES
    sched = tt.PER_BATCH_SCHEDULES[s["name"]](opt, s, c["steps"], c["epochs"]) if per_batch else tt.SCHEDULES[s["name"]](opt, s)
    lrs = []
    for e in range(c["epochs"]):
        for b in range(c["steps"]):
            lrs.append(opt.param_groups[0]["lr"])
            opt.step()
            if per_batch:
                sched.step()
        if isinstance(sched, torch.optim.lr_scheduler.ReduceLROnPlateau):
            sched.step(c["losses"][e])
        elif not per_batch:
            sched.step()
    out.append(lrs)
print(json.dumps(out))
`;

function torchLrs(): number[][] {
  const r = spawnSync(PYTHON, ["-c", PROGRAM], { input: JSON.stringify(CASES), encoding: "utf8" });
  if (r.status !== 0) throw new Error(`torch failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function hostLrs(c: Case): number[] {
  const s = new LrSchedule(scheduleFromJson(c.schedule), c.lr, c.steps, c.epochs);
  const lrs: number[] = [];
  for (let e = 0; e < c.epochs; e++) {
    for (let b = 0; b < c.steps; b++) lrs.push(s.lrFor(e, b));
    s.endEpoch(c.losses?.[e] ?? NaN);
  }
  return lrs;
}

describe.skipIf(skip)("learning-rate schedules: every batch's lr equals torch.optim.lr_scheduler's", () => {
  it("the oracle runs", () => {
    if (missing) throw new Error(oracleFailure(missing));
  });
  const want = missing ? [] : torchLrs();
  CASES.forEach((c, k) => {
    it(c.name, () => {
      const got = hostLrs(c);
      expect(got).toHaveLength(want[k].length);
      got.forEach((v, i) => expect(Math.abs(v - want[k][i]), `batch ${i}: ${v} vs torch ${want[k][i]}`).toBeLessThanOrEqual(1e-15 * Math.abs(want[k][i])));
      // the schedule really moves (a test that cannot fail would not)
      expect(new Set(got).size).toBeGreaterThan(1);
    });
  });
});

describe("--schedule syntax", () => {
  it("parses each form into torch's arguments, defaults as torch has them", () => {
    expect(parseSchedule("multistep:5,2,5:0.5")).toEqual({ kind: "multistep", milestones: [2, 5, 5], gamma: 0.5 });
    expect(parseSchedule("multistep:3")).toEqual({ kind: "multistep", milestones: [3], gamma: 0.1 });
    expect(parseSchedule("warmup:3+cosine:20")).toEqual({ kind: "warmup-cosine", warmup: 3, startFactor: 1 / 3, tMax: 20, etaMin: 0 });
    expect(parseSchedule("warmup:3:0.01+cosine:20:1e-5")).toEqual({ kind: "warmup-cosine", warmup: 3, startFactor: 0.01, tMax: 20, etaMin: 1e-5 });
    expect(parseSchedule("onecycle:0.1")).toEqual({ kind: "onecycle", maxLr: 0.1, pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4 });
    expect(parseSchedule("onecycle:0.1:0.25:10:100")).toEqual({ kind: "onecycle", maxLr: 0.1, pctStart: 0.25, divFactor: 10, finalDivFactor: 100 });
    expect(parseSchedule("plateau")).toEqual({ kind: "plateau", factor: 0.1, patience: 10, threshold: 1e-4, cooldown: 0, minLr: 0, eps: 1e-8 });
    expect(parseSchedule("plateau:0.5:2")).toMatchObject({ kind: "plateau", factor: 0.5, patience: 2 });
  });

  it("refuses what torch would refuse or what means nothing, naming the part", () => {
    const bad: [string, RegExp][] = [
      ["multistep:a,3", /milestones are epochs/], ["multistep:3:0", /GAMMA > 0/], ["multistep", /expected/],
      ["warmup:0+cosine:5", /warm-up length/], ["warmup:2:0+cosine:5", /START_FACTOR is in \(0, 1\]/],
      ["warmup:2:1.5+cosine:5", /START_FACTOR/], ["warmup:2+cosine:0", /TMAX/], ["warmup:2+cos:5", /expected/],
      ["onecycle", /expected/], ["onecycle:0", /MAX_LR > 0/], ["onecycle:0.1:1.2", /PCT_START/],
      ["plateau:1", /FACTOR is in \(0, 1\)/], ["plateau:0.5:1.5", /PATIENCE/], ["plateau:0.5:1:3", /expected/],
    ];
    for (const [text, why] of bad) expect(() => parseSchedule(text), text).toThrow(why);
  });

  it("refuses a OneCycleLR run torch cannot do (pct_start x total steps = 1: its warm-up divides 0 by 0)", () => {
    expect(() => new LrSchedule(parseSchedule("onecycle:0.1:0.25"), 0.01, 2, 2)).toThrow(/divides 0 by 0/);
    expect(() => new LrSchedule(parseSchedule("onecycle:0.1:0.25"), 0.01, 3, 2)).not.toThrow();
  });
});
