// torch.optim behaviour beyond the golden cases, against an independent
// float64 reference written here: a one-layer linear model with mse, whose
// batch gradient is closed-form, updated by torch.optim's documented rules.
// Runs go through the sim flags (in-process) and, for the schedules, through
// the real CLI.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { simInProcess } from "../helpers/inprocess";
import { jsonLines, runCli } from "../helpers/cli";
import { eachRel, flatParams, maxRel, modelJson } from "../helpers/model";
import { rng, uniformF32 } from "../helpers/rng";
import { rmDir, tmpDir } from "../helpers/paths";

const D = 3, K = 2, N = 12, BATCH = 6, EPOCHS = 5; // 10 optimizer steps
const TOL = 1e-4;

let dir = "";
let X: number[][] = [], T: number[][] = [], W0: number[] = [];
let dataFile = "", initFile = "";

beforeAll(() => {
  dir = tmpDir("edgeprop-optim-");
  const r = rng(77);
  X = Array.from({ length: N }, () => Array.from({ length: D }, () => uniformF32(r, -1, 1)));
  T = X.map((x) => [Math.fround(0.8 * x[0] - 0.5 * x[1] + 0.3 + 0.1 * (r() - 0.5)), Math.fround(-0.4 * x[2] + 0.9 * x[0] * x[1] - 0.2)]);
  W0 = Array.from({ length: K * D + K }, () => uniformF32(r, -0.5, 0.5));
  dataFile = path.join(dir, "data.csv");
  initFile = path.join(dir, "init.json");
  writeFileSync(dataFile, ["x0,x1,x2,y0,y1", ...X.map((x, i) => [...x, ...T[i]].join(","))].join("\n") + "\n");
  writeFileSync(initFile, JSON.stringify(modelJson([D, K], ["identity"], "mse", W0)));
});
afterAll(() => rmDir(dir));

interface RefOptions {
  opt: "sgd" | "adagrad" | "rmsprop" | "adam" | "adamw";
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  wd?: number;
  alpha?: number;
  eps?: number;
  centered?: boolean;
  beta1?: number;
  beta2?: number;
  lrDecay?: number;
  initAcc?: number;
  clip?: number;
  schedule?: { kind: "step"; size: number; gamma: number } | { kind: "exp"; gamma: number } | { kind: "cosine"; tMax: number; etaMin: number };
}

/** lr for 0-based `epoch` (torch.optim.lr_scheduler closed forms, stepped per epoch). */
function scheduledLr(o: RefOptions, epoch: number): number {
  const s = o.schedule;
  if (!s) return o.lr;
  if (s.kind === "step") return o.lr * Math.pow(s.gamma, Math.floor(epoch / s.size));
  if (s.kind === "exp") return o.lr * Math.pow(s.gamma, epoch);
  return s.etaMin + (o.lr - s.etaMin) * (1 + Math.cos(Math.PI * epoch / s.tMax)) / 2;
}

/** The float64 reference run: returns final weights, epoch losses and lrs. */
function reference(o: RefOptions) {
  const P = K * D + K;
  const w = W0.slice();
  const wd = o.wd ?? (o.opt === "adamw" ? 0.01 : 0);
  const mom = o.momentum ?? 0, damp = o.dampening ?? 0;
  const alpha = o.alpha ?? 0.99, b1 = o.beta1 ?? 0.9, b2 = o.beta2 ?? 0.999;
  const eps = o.eps ?? (o.opt === "adagrad" ? 1e-10 : 1e-8);
  const s1 = new Array(P).fill(o.opt === "adagrad" ? o.initAcc ?? 0 : 0); // buf / sum / square_avg / exp_avg
  const s2 = new Array(P).fill(0); // grad_avg / exp_avg_sq
  const s3 = new Array(P).fill(0); // rmsprop momentum buffer
  let t = 0;
  const losses: number[] = [], lrs: number[] = [];
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const lr = scheduledLr(o, epoch);
    lrs.push(lr);
    let epochLoss = 0;
    for (let start = 0; start < N; start += BATCH) {
      const rows = Math.min(BATCH, N - start);
      // forward, loss, closed-form mean gradient of mean-over-(batch x outputs) squared error
      const g = new Array(P).fill(0);
      for (let r = start; r < start + rows; r++) {
        for (let j = 0; j < K; j++) {
          let y = w[K * D + j];
          for (let i = 0; i < D; i++) y += w[j * D + i] * X[r][i];
          const e = y - T[r][j];
          epochLoss += (e * e) / K;
          const c = (2 * e) / (rows * K);
          for (let i = 0; i < D; i++) g[j * D + i] += c * X[r][i];
          g[K * D + j] += c;
        }
      }
      if (o.clip) {
        const norm = Math.sqrt(g.reduce((s, v) => s + v * v, 0));
        const coef = o.clip / (norm + 1e-6);
        if (coef < 1) for (let p = 0; p < P; p++) g[p] *= coef;
      }
      t++;
      for (let p = 0; p < P; p++) {
        let d = g[p];
        if (o.opt === "sgd") {
          if (wd) d += wd * w[p];
          if (mom) {
            s1[p] = t === 1 ? d : mom * s1[p] + (1 - damp) * d;
            d = o.nesterov ? d + mom * s1[p] : s1[p];
          }
          w[p] -= lr * d;
        } else if (o.opt === "adagrad") {
          const clr = lr / (1 + (t - 1) * (o.lrDecay ?? 0));
          if (wd) d += wd * w[p];
          s1[p] += d * d;
          w[p] -= clr * d / (Math.sqrt(s1[p]) + eps);
        } else if (o.opt === "rmsprop") {
          if (wd) d += wd * w[p];
          s1[p] = alpha * s1[p] + (1 - alpha) * d * d;
          let avg: number;
          if (o.centered) {
            s2[p] = alpha * s2[p] + (1 - alpha) * d;
            avg = Math.sqrt(s1[p] - s2[p] * s2[p]) + eps;
          } else avg = Math.sqrt(s1[p]) + eps;
          if (mom > 0) {
            s3[p] = mom * s3[p] + d / avg;
            w[p] -= lr * s3[p];
          } else w[p] -= lr * d / avg;
        } else {
          if (o.opt === "adamw") w[p] *= 1 - lr * wd;
          else if (wd) d += wd * w[p];
          s1[p] = b1 * s1[p] + (1 - b1) * d;
          s2[p] = b2 * s2[p] + (1 - b2) * d * d;
          const mhat = s1[p] / (1 - Math.pow(b1, t));
          const vhat = s2[p] / (1 - Math.pow(b2, t));
          w[p] -= lr * mhat / (Math.sqrt(vhat) + eps);
        }
      }
    }
    losses.push(epochLoss / N);
  }
  return { w, losses, lrs };
}

const baseArgs = () => ["--data", dataFile, "--target", "y0,y1", "--load", initFile, "--loss", "mse",
  "--batch", String(BATCH), "--epochs", String(EPOCHS), "--no-shuffle"];

interface Case {
  name: string;
  args: string[];
  ref: RefOptions;
  /** The same run without the feature under test: must differ clearly, or the case proves nothing. */
  without: RefOptions;
}

const CASES: Case[] = [
  { name: "sgd nesterov", args: ["--opt", "sgd", "--lr", "0.05", "--momentum", "0.9", "--nesterov"],
    ref: { opt: "sgd", lr: 0.05, momentum: 0.9, nesterov: true }, without: { opt: "sgd", lr: 0.05, momentum: 0.9 } },
  { name: "sgd dampening", args: ["--opt", "sgd", "--lr", "0.05", "--momentum", "0.9", "--dampening", "0.5"],
    ref: { opt: "sgd", lr: 0.05, momentum: 0.9, dampening: 0.5 }, without: { opt: "sgd", lr: 0.05, momentum: 0.9 } },
  { name: "sgd weight_decay", args: ["--opt", "sgd", "--lr", "0.05", "--weight-decay", "0.2"],
    ref: { opt: "sgd", lr: 0.05, wd: 0.2 }, without: { opt: "sgd", lr: 0.05 } },
  { name: "sgd momentum + weight_decay + nesterov", args: ["--opt", "sgd", "--lr", "0.05", "--momentum", "0.8", "--nesterov", "--weight-decay", "0.2"],
    ref: { opt: "sgd", lr: 0.05, momentum: 0.8, nesterov: true, wd: 0.2 }, without: { opt: "sgd", lr: 0.05, momentum: 0.8, nesterov: true } },
  { name: "--opt momentum is sgd with momentum 0.9", args: ["--opt", "momentum", "--lr", "0.05"],
    ref: { opt: "sgd", lr: 0.05, momentum: 0.9 }, without: { opt: "sgd", lr: 0.05 } },
  { name: "adagrad weight_decay", args: ["--opt", "adagrad", "--lr", "0.1", "--weight-decay", "0.5"],
    ref: { opt: "adagrad", lr: 0.1, wd: 0.5 }, without: { opt: "adagrad", lr: 0.1 } },
  { name: "adagrad lr_decay", args: ["--opt", "adagrad", "--lr", "0.1", "--lr-decay", "0.5"],
    ref: { opt: "adagrad", lr: 0.1, lrDecay: 0.5 }, without: { opt: "adagrad", lr: 0.1 } },
  { name: "adagrad initial_accumulator_value", args: ["--opt", "adagrad", "--lr", "0.1", "--initial-accumulator", "0.5"],
    ref: { opt: "adagrad", lr: 0.1, initAcc: 0.5 }, without: { opt: "adagrad", lr: 0.1 } },
  { name: "rmsprop weight_decay", args: ["--opt", "rmsprop", "--lr", "0.01", "--weight-decay", "0.5"],
    ref: { opt: "rmsprop", lr: 0.01, wd: 0.5 }, without: { opt: "rmsprop", lr: 0.01 } },
  { name: "rmsprop centered", args: ["--opt", "rmsprop", "--lr", "0.01", "--centered"],
    ref: { opt: "rmsprop", lr: 0.01, centered: true }, without: { opt: "rmsprop", lr: 0.01 } },
  { name: "rmsprop momentum", args: ["--opt", "rmsprop", "--lr", "0.005", "--momentum", "0.5"],
    ref: { opt: "rmsprop", lr: 0.005, momentum: 0.5 }, without: { opt: "rmsprop", lr: 0.005 } },
  { name: "rmsprop centered + momentum, alpha 0.9", args: ["--opt", "rmsprop", "--lr", "0.005", "--centered", "--momentum", "0.5", "--alpha", "0.9"],
    ref: { opt: "rmsprop", lr: 0.005, centered: true, momentum: 0.5, alpha: 0.9 }, without: { opt: "rmsprop", lr: 0.005, momentum: 0.5, alpha: 0.9 } },
  { name: "adam weight_decay (L2)", args: ["--opt", "adam", "--lr", "0.05", "--weight-decay", "0.5"],
    ref: { opt: "adam", lr: 0.05, wd: 0.5 }, without: { opt: "adam", lr: 0.05 } },
  { name: "adam beta1, beta2, eps", args: ["--opt", "adam", "--lr", "0.05", "--beta1", "0.5", "--beta2", "0.9", "--eps", "0.01"],
    ref: { opt: "adam", lr: 0.05, beta1: 0.5, beta2: 0.9, eps: 0.01 }, without: { opt: "adam", lr: 0.05 } },
  { name: "adamw default weight_decay 0.01 (decoupled)", args: ["--opt", "adamw", "--lr", "0.05"],
    ref: { opt: "adamw", lr: 0.05 }, without: { opt: "adam", lr: 0.05 } },
  { name: "adamw weight_decay 0.5 is decoupled, not L2", args: ["--opt", "adamw", "--lr", "0.05", "--weight-decay", "0.5"],
    ref: { opt: "adamw", lr: 0.05, wd: 0.5 }, without: { opt: "adam", lr: 0.05, wd: 0.5 } },
  { name: "clip_norm with sgd", args: ["--opt", "sgd", "--lr", "0.1", "--clip-norm", "0.2"],
    ref: { opt: "sgd", lr: 0.1, clip: 0.2 }, without: { opt: "sgd", lr: 0.1 } },
  { name: "clip_norm with sgd momentum", args: ["--opt", "sgd", "--lr", "0.05", "--momentum", "0.9", "--clip-norm", "0.3"],
    ref: { opt: "sgd", lr: 0.05, momentum: 0.9, clip: 0.3 }, without: { opt: "sgd", lr: 0.05, momentum: 0.9 } },
];

describe("optimizers vs a float64 torch.optim reference (1-layer linear mse, 10 steps)", () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const ref = reference(c.ref);
      // the feature under test changes the result by far more than the tolerance
      expect(maxRel(ref.w, reference(c.without).w)).toBeGreaterThan(10 * TOL);
      const r = await simInProcess([...baseArgs(), ...c.args]);
      expect(r.done.steps).toBe(EPOCHS * Math.ceil(N / BATCH));
      expect(maxRel(Array.from(r.outcome.weights), ref.w)).toBeLessThan(TOL);
      expect(eachRel(r.epochs.map((e) => e.loss), ref.losses)).toBeLessThan(TOL);
    });
  }

});

describe("learning-rate schedules through the CLI's --schedule (stepped per epoch)", () => {
  const schedules: [string, RefOptions["schedule"]][] = [
    ["step:2:0.5", { kind: "step", size: 2, gamma: 0.5 }],
    ["exp:0.7", { kind: "exp", gamma: 0.7 }],
    ["cosine:4:0.001", { kind: "cosine", tMax: 4, etaMin: 0.001 }],
    ["cosine:10", { kind: "cosine", tMax: 10, etaMin: 0 }],
  ];
  for (const [flag, schedule] of schedules) {
    it(`--schedule ${flag}`, () => {
      const ref = reference({ opt: "sgd", lr: 0.1, momentum: 0.5, schedule });
      expect(maxRel(ref.w, reference({ opt: "sgd", lr: 0.1, momentum: 0.5 }).w)).toBeGreaterThan(10 * TOL);
      const save = path.join(dir, `sched-${flag.replace(/:/g, "_")}.json`);
      const res = runCli(["sim", ...baseArgs(), "--opt", "sgd", "--lr", "0.1", "--momentum", "0.5", "--schedule", flag, "--link", "direct", "--json", "--save", save]);
      expect(res.code, res.stderr).toBe(0);
      const epochs = jsonLines(res.stdout).filter((e) => e.event === "epoch");
      expect(epochs.length).toBe(EPOCHS);
      expect(eachRel(epochs.map((e) => e.lr), ref.lrs)).toBeLessThan(1e-12);
      expect(eachRel(epochs.map((e) => e.loss), ref.losses)).toBeLessThan(TOL);
      expect(maxRel(flatParams(JSON.parse(readFileSync(save, "utf8"))), ref.w)).toBeLessThan(TOL);
    });
  }
});
