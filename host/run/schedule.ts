// Learning-rate schedules as torch.optim.lr_scheduler (torch 1.13) defines
// them. Most are stepped once per epoch, as torch users call .step() after
// each epoch (epoch counted from 0); OneCycleLR is stepped after every batch,
// as torch users step it; ReduceLROnPlateau after every epoch on the epoch's
// loss. The new schedules follow torch's own recursive update (what
// scheduler.step() computes), float64 for float64, so the lr each batch gets
// is torch's lr; the older three keep their closed forms (equal within an ulp).
import { UsageError } from "../errors.js";

export type Schedule =
  | { kind: "constant" }
  | { kind: "step"; stepSize: number; gamma: number }
  | { kind: "exponential"; gamma: number }
  | { kind: "cosine"; tMax: number; etaMin: number }
  /** MultiStepLR: lr *= gamma at each milestone (a milestone listed twice applies gamma twice). */
  | { kind: "multistep"; milestones: number[]; gamma: number }
  /** SequentialLR([LinearLR(startFactor, 1.0, warmup), CosineAnnealingLR(tMax, etaMin)], milestones=[warmup]). */
  | { kind: "warmup-cosine"; warmup: number; startFactor: number; tMax: number; etaMin: number }
  /** OneCycleLR(maxLr, epochs, steps_per_epoch, pctStart, 'cos', cycle_momentum=False, divFactor, finalDivFactor), per batch. */
  | { kind: "onecycle"; maxLr: number; pctStart: number; divFactor: number; finalDivFactor: number }
  /** ReduceLROnPlateau(mode='min', factor, patience, threshold, 'rel', cooldown, minLr, eps). */
  | { kind: "plateau"; factor: number; patience: number; threshold: number; cooldown: number; minLr: number; eps: number };

/** torch's defaults for ReduceLROnPlateau (mode min, threshold_mode rel). */
export const PLATEAU_DEFAULTS = { factor: 0.1, patience: 10, threshold: 1e-4, cooldown: 0, minLr: 0, eps: 1e-8 };
/** torch's defaults for OneCycleLR. */
export const ONECYCLE_DEFAULTS = { pctStart: 0.3, divFactor: 25, finalDivFactor: 1e4 };
/** torch's default LinearLR start_factor. */
export const WARMUP_START_FACTOR = 1 / 3;

/** Python's % (the result takes the divisor's sign), which CosineAnnealingLR's restart test uses. */
const pyMod = (a: number, m: number) => ((a % m) + m) % m;

/** CosineAnnealingLR's recursive step from `lr` at its epoch k - 1 to k (k >= 1, not its first step). */
function cosineStep(lr: number, base: number, k: number, tMax: number, etaMin: number): number {
  if (pyMod(k - 1 - tMax, 2 * tMax) === 0) return lr + (base - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
  return (1 + Math.cos(Math.PI * k / tMax)) / (1 + Math.cos(Math.PI * (k - 1) / tMax)) * (lr - etaMin) + etaMin;
}

function multistepLr(s: { milestones: number[]; gamma: number }, lr: number, epoch: number): number {
  let v = lr * Math.pow(s.gamma, s.milestones.filter((m) => m === 0).length);
  for (let e = 1; e <= epoch; e++) {
    const count = s.milestones.filter((m) => m === e).length;
    if (count > 0) v = v * Math.pow(s.gamma, count);
  }
  return v;
}

function warmupCosineLr(s: Extract<Schedule, { kind: "warmup-cosine" }>, base: number, epoch: number): number {
  let v = base * s.startFactor; // LinearLR's initial step
  for (let e = 1; e <= epoch; e++) {
    if (e < s.warmup) {
      v = v * (1 + (1 - s.startFactor) / (s.warmup * s.startFactor + (e - 1) * (1 - s.startFactor)));
    } else if (e === s.warmup) {
      v = s.etaMin + (base - s.etaMin) * (1 + Math.cos(0)) / 2; // the cosine's step(0): its closed form at 0
    } else {
      v = cosineStep(v, base, e - s.warmup, s.tMax, s.etaMin);
    }
  }
  return v;
}

/** The lr of 0-based `epoch` for a schedule stepped per epoch (not onecycle, not plateau). */
export function lrAt(s: Schedule, lr: number, epoch: number): number {
  switch (s.kind) {
    case "constant": return lr;
    case "step": return lr * Math.pow(s.gamma, Math.floor(epoch / s.stepSize));
    case "exponential": return lr * Math.pow(s.gamma, epoch);
    case "cosine": return s.etaMin + (lr - s.etaMin) * (1 + Math.cos(Math.PI * epoch / s.tMax)) / 2;
    case "multistep": return multistepLr(s, lr, epoch);
    case "warmup-cosine": return warmupCosineLr(s, lr, epoch);
    case "onecycle": case "plateau":
      throw new Error(`lrAt: the ${s.kind} schedule is not a function of the epoch alone (use LrSchedule)`);
  }
}

/** OneCycleLR's lr at scheduler step `step` (0 = the first batch) of `totalSteps`. */
export function oneCycleLr(s: Extract<Schedule, { kind: "onecycle" }>, step: number, totalSteps: number): number {
  const initial = s.maxLr / s.divFactor;
  const min = initial / s.finalDivFactor;
  const warmEnd = s.pctStart * totalSteps - 1;
  const anneal = (start: number, end: number, pct: number) => end + (start - end) / 2.0 * (Math.cos(Math.PI * pct) + 1);
  if (step <= warmEnd) return anneal(initial, s.maxLr, step / warmEnd);
  return anneal(s.maxLr, min, (step - warmEnd) / (totalSteps - 1 - warmEnd));
}

/** Why torch would refuse this OneCycleLR run (its first phase would divide 0 by 0), or null. */
export function oneCycleProblem(s: Extract<Schedule, { kind: "onecycle" }>, totalSteps: number): string | null {
  if (s.pctStart * totalSteps === 1) return `pct_start ${s.pctStart} x ${totalSteps} steps = 1 leaves torch's warm-up phase empty (it divides 0 by 0): change PCT_START, --epochs or --batch`;
  if (s.pctStart === 1 && totalSteps >= 1) return "pct_start 1 leaves no annealing phase (torch divides by zero): use PCT_START < 1";
  return null;
}

/**
 * A schedule in use over one run: the lr of every batch, stepped as torch
 * steps it. `stepsPerEpoch` batches an epoch, `epochs` in the run.
 */
export class LrSchedule {
  private lr: number;
  private best = Infinity;
  private badEpochs = 0;
  private cooldownLeft = 0;

  constructor(readonly schedule: Schedule, private readonly baseLr: number,
    private readonly stepsPerEpoch: number, private readonly epochs: number) {
    this.lr = baseLr;
    if (schedule.kind === "onecycle") {
      const problem = oneCycleProblem(schedule, stepsPerEpoch * epochs);
      if (problem) throw new UsageError(`--schedule onecycle: ${problem}`);
    }
  }

  /** True when the lr can change between the batches of an epoch. */
  get perBatch(): boolean { return this.schedule.kind === "onecycle"; }

  /** The lr of batch `batch` (0-based) of `epoch` (0-based). */
  lrFor(epoch: number, batch = 0): number {
    const s = this.schedule;
    if (s.kind === "onecycle") return oneCycleLr(s, epoch * this.stepsPerEpoch + batch, this.stepsPerEpoch * this.epochs);
    if (s.kind === "plateau") return this.lr;
    return lrAt(s, this.baseLr, epoch);
  }

  /** After an epoch: ReduceLROnPlateau's step on the epoch's monitored loss (others ignore it). */
  endEpoch(loss: number): void {
    const s = this.schedule;
    if (s.kind !== "plateau") return;
    if (loss < this.best * (1 - s.threshold)) { this.best = loss; this.badEpochs = 0; } else this.badEpochs++;
    if (this.cooldownLeft > 0) { this.cooldownLeft--; this.badEpochs = 0; }
    if (this.badEpochs > s.patience) {
      const next = Math.max(this.lr * s.factor, s.minLr);
      if (this.lr - next > s.eps) this.lr = next;
      this.cooldownLeft = s.cooldown;
      this.badEpochs = 0;
    }
  }
}

const SYNTAX = "step:SIZE:GAMMA, exp:GAMMA, cosine:TMAX[:ETA_MIN], multistep:M1,M2,...[:GAMMA], "
  + "warmup:N[:START_FACTOR]+cosine:TMAX[:ETA_MIN], onecycle:MAX_LR[:PCT_START[:DIV_FACTOR[:FINAL_DIV_FACTOR]]] "
  + "or plateau[:FACTOR[:PATIENCE]]";

/** The --schedule syntax, for help texts. */
export const SCHEDULE_SYNTAX = "step:SIZE:GAMMA|exp:GAMMA|cosine:TMAX[:ETA_MIN]|multistep:M1,M2,..[:GAMMA]|warmup:N[:START]+cosine:TMAX[:ETA_MIN]|onecycle:MAX_LR[:PCT_START[:DIV[:FINAL_DIV]]]|plateau[:FACTOR[:PATIENCE]]";

const isCount = (v: number) => Number.isInteger(v) && v > 0;

/** Parses the --schedule forms of SYNTAX. */
export function parseSchedule(text: string | undefined): Schedule {
  if (!text) return { kind: "constant" };
  const fail = (why?: string): never => {
    throw new UsageError(`--schedule ${text}: ${why ? `${why}; ` : ""}expected ${SYNTAX}`);
  };
  const warm = /^warmup:([^+]*)\+cosine:(.*)$/.exec(text);
  if (warm) {
    const w = warm[1].split(":").map(Number), c = warm[2].split(":").map(Number);
    if ([...w, ...c].some((v) => !Number.isFinite(v)) || w.length > 2 || c.length > 2) fail();
    if (!isCount(w[0])) fail("the warm-up length N is a whole number of epochs >= 1");
    const startFactor = w[1] ?? WARMUP_START_FACTOR;
    if (!(startFactor > 0 && startFactor <= 1)) fail("START_FACTOR is in (0, 1] (torch's LinearLR)");
    if (!isCount(c[0])) fail("the cosine's TMAX is a whole number of epochs >= 1");
    return { kind: "warmup-cosine", warmup: w[0], startFactor, tMax: c[0], etaMin: c[1] ?? 0 };
  }
  const [kind, ...args] = text.split(":");
  if (kind === "multistep") {
    if (args.length < 1 || args.length > 2) fail();
    const milestones = args[0].split(",").map(Number);
    if (milestones.some((m) => !Number.isInteger(m) || m < 0)) fail("milestones are epochs (whole numbers >= 0), comma-separated");
    const gamma = args.length === 2 ? Number(args[1]) : 0.1;
    if (!(Number.isFinite(gamma) && gamma > 0)) fail("GAMMA > 0");
    return { kind: "multistep", milestones: [...milestones].sort((a, b) => a - b), gamma };
  }
  const nums = args.map(Number);
  if (nums.some((v) => !Number.isFinite(v))) fail();
  if (kind === "step" && nums.length === 2 && isCount(nums[0]) && nums[1] > 0) return { kind: "step", stepSize: nums[0], gamma: nums[1] };
  if ((kind === "exp" || kind === "exponential") && nums.length === 1 && nums[0] > 0) return { kind: "exponential", gamma: nums[0] };
  if (kind === "cosine" && (nums.length === 1 || nums.length === 2) && nums[0] > 0) return { kind: "cosine", tMax: nums[0], etaMin: nums[1] ?? 0 };
  if (kind === "onecycle") {
    if (nums.length < 1 || nums.length > 4) fail();
    const [maxLr, pctStart = ONECYCLE_DEFAULTS.pctStart, divFactor = ONECYCLE_DEFAULTS.divFactor,
      finalDivFactor = ONECYCLE_DEFAULTS.finalDivFactor] = nums;
    if (!(maxLr > 0)) fail("MAX_LR > 0");
    if (!(pctStart >= 0 && pctStart <= 1)) fail("PCT_START is in [0, 1]");
    if (!(divFactor > 0 && finalDivFactor > 0)) fail("DIV_FACTOR and FINAL_DIV_FACTOR > 0");
    return { kind: "onecycle", maxLr, pctStart, divFactor, finalDivFactor };
  }
  if (kind === "plateau") {
    if (nums.length > 2) fail();
    const factor = nums[0] ?? PLATEAU_DEFAULTS.factor, patience = nums[1] ?? PLATEAU_DEFAULTS.patience;
    if (!(factor > 0 && factor < 1)) fail("FACTOR is in (0, 1) (torch's ReduceLROnPlateau)");
    if (!(Number.isInteger(patience) && patience >= 0)) fail("PATIENCE is a whole number of epochs >= 0");
    return { kind: "plateau", ...PLATEAU_DEFAULTS, factor, patience };
  }
  return fail();
}

/** The golden cases' `schedule` object form (case.json, torch's argument names). */
// any: the tests' own schedule cases (tests/torch/schedules.test.ts), not user input.
export function scheduleFromJson(o: any): Schedule {
  if (!o) return { kind: "constant" };
  const kind = o.name ?? o.kind ?? o.type;
  if (kind === "step") return { kind: "step", stepSize: o.step_size, gamma: o.gamma ?? 0.1 };
  if (kind === "exponential" || kind === "exp") return { kind: "exponential", gamma: o.gamma };
  if (kind === "cosine") return { kind: "cosine", tMax: o.t_max ?? o.T_max, etaMin: o.eta_min ?? 0 };
  if (kind === "multistep") return { kind: "multistep", milestones: [...o.milestones].sort((a: number, b: number) => a - b), gamma: o.gamma ?? 0.1 };
  if (kind === "warmup_cosine") {
    return { kind: "warmup-cosine", warmup: o.warmup, startFactor: o.start_factor ?? WARMUP_START_FACTOR, tMax: o.t_max, etaMin: o.eta_min ?? 0 };
  }
  if (kind === "onecycle") {
    if (o.cycle_momentum !== false) throw new UsageError(`onecycle: only cycle_momentum=false is reproduced: ${JSON.stringify(o)}`);
    return {
      kind: "onecycle", maxLr: o.max_lr, pctStart: o.pct_start ?? ONECYCLE_DEFAULTS.pctStart,
      divFactor: o.div_factor ?? ONECYCLE_DEFAULTS.divFactor, finalDivFactor: o.final_div_factor ?? ONECYCLE_DEFAULTS.finalDivFactor,
    };
  }
  if (kind === "plateau") {
    return {
      kind: "plateau", factor: o.factor ?? PLATEAU_DEFAULTS.factor, patience: o.patience ?? PLATEAU_DEFAULTS.patience,
      threshold: o.threshold ?? PLATEAU_DEFAULTS.threshold, cooldown: o.cooldown ?? PLATEAU_DEFAULTS.cooldown,
      minLr: o.min_lr ?? PLATEAU_DEFAULTS.minLr, eps: o.eps ?? PLATEAU_DEFAULTS.eps,
    };
  }
  throw new UsageError(`unknown schedule ${JSON.stringify(o)}`);
}
