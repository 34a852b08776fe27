// Learning-rate schedules, stepped once per epoch as torch.optim.lr_scheduler
// does when .step() is called after each epoch (epoch counted from 0).
import { UsageError } from "./errors.js";

export type Schedule =
  | { kind: "constant" }
  | { kind: "step"; stepSize: number; gamma: number }
  | { kind: "exponential"; gamma: number }
  | { kind: "cosine"; tMax: number; etaMin: number };

export function lrAt(s: Schedule, lr: number, epoch: number): number {
  switch (s.kind) {
    case "constant": return lr;
    case "step": return lr * Math.pow(s.gamma, Math.floor(epoch / s.stepSize));
    case "exponential": return lr * Math.pow(s.gamma, epoch);
    case "cosine": return s.etaMin + (lr - s.etaMin) * (1 + Math.cos(Math.PI * epoch / s.tMax)) / 2;
  }
}

/** Parses `step:SIZE:GAMMA`, `exp:GAMMA`, `cosine:TMAX[:ETA_MIN]`. */
export function parseSchedule(text: string | undefined): Schedule {
  if (!text) return { kind: "constant" };
  const [kind, ...args] = text.split(":");
  const nums = args.map(Number);
  const fail = (): never => {
    throw new UsageError(`--schedule ${text}: expected step:SIZE:GAMMA, exp:GAMMA or cosine:TMAX[:ETA_MIN]`);
  };
  if (nums.some((v) => !Number.isFinite(v))) fail();
  if (kind === "step" && nums.length === 2 && Number.isInteger(nums[0]) && nums[0] > 0 && nums[1] > 0) return { kind: "step", stepSize: nums[0], gamma: nums[1] };
  if ((kind === "exp" || kind === "exponential") && nums.length === 1 && nums[0] > 0) return { kind: "exponential", gamma: nums[0] };
  if (kind === "cosine" && (nums.length === 1 || nums.length === 2) && nums[0] > 0) return { kind: "cosine", tMax: nums[0], etaMin: nums[1] ?? 0 };
  return fail();
}

/** The golden cases' `schedule` object form. */
export function scheduleFromJson(o: any): Schedule {
  if (!o) return { kind: "constant" };
  const kind = o.name ?? o.kind ?? o.type;
  if (kind === "step") return { kind: "step", stepSize: o.step_size, gamma: o.gamma ?? 0.1 };
  if (kind === "exponential" || kind === "exp") return { kind: "exponential", gamma: o.gamma };
  if (kind === "cosine") return { kind: "cosine", tMax: o.t_max ?? o.T_max, etaMin: o.eta_min ?? 0 };
  throw new UsageError(`unknown schedule ${JSON.stringify(o)}`);
}
