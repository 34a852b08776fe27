// The int16 training mode (issue 22, docs/int16.md) against its exact NumPy
// reference (scripts/int16_reference.py): golden cases trained by
// `sim --precision int16` in this process on a RecordingBoard (its CONFIGURE
// block must say int16: byte 152, docs/int16.md §1), replayed by the
// reference, the final weights compared bit for bit. At least one case per optimizer (sgd, momentum,
// nesterov, adagrad, rmsprop, adam, adamw, nadam, radam) and per loss (mse,
// ce, bce). int16 hidden layers take identity or ReLU only: a case whose
// hidden layers are tanh, sigmoid or leaky_relu is trained from the same
// initial weights with ReLU hidden layers (its init.json rewritten in a
// temporary folder).
//
// Beside each, the same case in f32 on the module and in real PyTorch
// (scripts/torch_reference.py, float64) reports what the precision costs:
// final epoch loss and, for ce, training accuracy (the host's forward pass on
// the final master weights). Printed, and written as JSON to
// $EDGEPROP_INT16_REPORT when set; not asserted (int16 is not torch's arithmetic).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { allGoldenCases, caseArgs, type GoldenCase } from "../helpers/golden";
import { simInProcess } from "../helpers/inprocess";
import { RecordingBoard, type TraceEvent } from "../helpers/recording-board";
import { readJson } from "../helpers/model";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";
import { forward } from "../../host/model/forward";
import type { Activation } from "../../host/model/config";
import { ConfigOffset } from "../../host/protocol/config-block";
import { inCi, PYTHON, torchMissing } from "../torch/oracle";
import { bitDiff, epochLossProblems, numpyMissing, replay } from "./reference-run";

const INT16 = 1;
/** Epochs at most (the longest golden cases run 100): enough to compare, and the file stays quick. */
const MAX_EPOCHS = 20;

/** case name -> what it covers. */
const INT16_CASES: Record<string, string> = {
  "momentum-spiral-ce": "sgd momentum, ce",
  "seed-batch-gd": "plain sgd, mse, --chunk 72: dW in 32-row groups, 32 + 32 + 8",
  "sgd-nesterov-weight-decay": "nesterov, weight decay, ce",
  "adagrad-linear": "adagrad, mse",
  "rmsprop-centered-momentum": "rmsprop centered with momentum, two hidden layers",
  "adam-xor-bce": "adam, bce, --chunk 32: one full dW group",
  "adamw-amsgrad-weight-decay": "adamw amsgrad, mse, two outputs",
  "nadam-defaults": "nadam, ce",
  "radam-weight-decay-beta2": "radam, ce",
  "freeze-adam-weight-decay-clip": "adam, a frozen layer, clip_grad_norm_",
  "clip-value": "sgd, clip_grad_value_",
  "onecycle-per-batch": "a per-batch lr schedule",
  "eight-layers": "eight layers, an exponential schedule",
};

const INT16_HIDDEN = new Set(["identity", "relu"]);
/** Flags added to a case: sim's chunk is min(batch, 8) by default, a part of one 32-row dW group (docs/int16.md §6). */
const EXTRA_FLAGS: Record<string, string[]> = { "seed-batch-gd": ["--chunk", "72"], "adam-xor-bce": ["--chunk", "32"] };

interface Row {
  name: string; covers: string; hidden: string; case: GoldenCase; model: any; x: Float32Array; t: Float32Array;
  torchInput: { spec: any; x: number[][]; y: (number[] | number)[]; init: any };
  int16Loss: number; f32Loss: number; torchLoss: number | null;
  int16Acc?: number; f32Acc?: number; torchAcc?: number;
}
const report: Row[] = [];

/** The case's init.json with ReLU for hidden activations int16 does not take, in `dir`; and that activation. */
function int16Init(c: GoldenCase, dir: string): { file: string; model: any; hidden: string } {
  const model = readJson(c.init);
  const L = model.layers.length;
  const hidden = L > 1 ? model.layers[0].activation : "(no hidden layer)";
  for (let l = 0; l < L - 1; l++) if (!INT16_HIDDEN.has(model.layers[l].activation)) model.layers[l].activation = "relu";
  const file = path.join(dir, "init.json");
  writeFileSync(file, JSON.stringify(model));
  return { file, model, hidden: L === 1 || INT16_HIDDEN.has(hidden) ? hidden : `${hidden} -> relu` };
}

/** The case's flags with the int16 init.json and at most MAX_EPOCHS epochs. */
function int16Args(args: string[], file: string): string[] {
  const out = args.slice();
  out[out.indexOf("--load") + 1] = file;
  const e = out.indexOf("--epochs") + 1;
  out[e] = String(Math.min(Number(out[e]), MAX_EPOCHS));
  return out;
}

/** Training accuracy of ce weights by the host's forward pass; undefined for other losses. */
function accuracy(c: GoldenCase, model: any, weights: ArrayLike<number>, x: Float32Array, labels: Float32Array): number | undefined {
  if (c.spec.loss !== "ce") return undefined;
  const sizes: number[] = c.spec.layers;
  const activations = model.layers.map((l: any) => l.activation) as Activation[];
  const rows = labels.length;
  const out = forward({ sizes, activations, weights: Float32Array.from(weights) }, x, rows);
  const k = sizes[sizes.length - 1];
  let right = 0;
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let q = 1; q < k; q++) if (out[r * k + q] > out[r * k + best]) best = q;
    if (best === labels[r]) right++;
  }
  return right / rows;
}

interface TorchRun { weights: number[]; epoch_loss: number[] }

/** scripts/torch_reference.py (float64) on every run at once (one torch import). */
function torchRuns(runs: { id: number; spec: any; x: number[][]; y: (number[] | number)[]; init: any }[]): Map<number, TorchRun> {
  const dir = tmpDir("edgeprop-int16-torch-");
  try {
    const file = path.join(dir, "runs.json");
    writeFileSync(file, JSON.stringify(runs));
    const r = spawnSync(PYTHON, [path.join(repoRoot, "scripts", "torch_reference.py"), file], { encoding: "utf8", maxBuffer: 1 << 28, timeout: 600_000 });
    if (r.status !== 0) throw new Error(`torch_reference.py failed: ${r.stderr}`);
    const out = JSON.parse(r.stdout) as { id: number; f64?: TorchRun; error?: string }[];
    for (const o of out) if (o.error) throw new Error(`torch refused run ${o.id}: ${o.error}`);
    return new Map(out.map((o) => [o.id, o.f64!]));
  } finally {
    rmDir(dir);
  }
}

const missing = numpyMissing();
const skip = missing !== null && !inCi;
if (skip) console.warn(`int16-reference.test.ts skipped: ${missing}. Install Debian's python3-numpy.`);

describe.skipIf(skip)("int16 training: the module and the NumPy reference agree bit for bit", () => {
  const cases = new Map(allGoldenCases().map((c) => [c.name, c]));

  it("covers every optimizer and loss with golden cases that exist", () => {
    if (missing) throw new Error(`${missing} (CI=true: the reference must run)`);
    for (const n of Object.keys(INT16_CASES)) expect(cases.has(n), n).toBe(true);
    const specs = Object.keys(INT16_CASES).map((n) => cases.get(n)!.spec);
    const opts = new Set(specs.map((s) => s.optimizer.name));
    for (const o of ["sgd", "adagrad", "rmsprop", "adam", "adamw", "nadam", "radam"]) expect(opts.has(o), o).toBe(true);
    expect(specs.some((s) => s.optimizer.momentum > 0 && !s.optimizer.nesterov)).toBe(true);
    expect(specs.some((s) => s.optimizer.nesterov)).toBe(true);
    for (const l of ["mse", "ce", "bce"]) expect(specs.some((s) => s.loss === l), l).toBe(true);
  });

  for (const [name, covers] of Object.entries(INT16_CASES)) {
    it(`${name} (${covers})`, async () => {
      const c = cases.get(name) as GoldenCase;
      const dir = tmpDir("edgeprop-int16-");
      try {
        const { file, model, hidden } = int16Init(c, dir);
        const args = [...int16Args(caseArgs(c), file), ...(EXTRA_FLAGS[name] ?? [])];
        const board = new RecordingBoard();
        const r16 = await simInProcess([...args, "--precision", "int16"], board);
        const block = board.events.find((e) => e.op === "configure") as Extract<TraceEvent, { op: "configure" }>;
        const configured = Buffer.from(block.block, "hex");
        expect(configured[ConfigOffset.PRECISION], "the block says int16").toBe(INT16);
        if (EXTRA_FLAGS[name]) expect(configured.readUInt16LE(ConfigOffset.CHUNK)).toBe(Number(EXTRA_FLAGS[name][1]));
        const ref = replay(board);
        expect(ref.status.every((s) => s === 0), `statuses ${ref.status}`).toBe(true);
        expect(bitDiff(r16.outcome.weights, ref.weights)).toEqual([]);
        const trained = board.events.find((e) => e.op === "train") as Extract<TraceEvent, { op: "train" }>;
        expect(epochLossProblems(c.spec.loss, r16.epochs, ref, trained.rows)).toEqual([]);

        // What the precision costs (reported, not asserted).
        const r32 = await simInProcess(args);
        const job = board.events.find((e) => e.op === "train") as Extract<TraceEvent, { op: "train" }>;
        const x = Float32Array.from(job.x), t = Float32Array.from(job.t);
        const rowsX = Array.from({ length: job.rows }, (_, r) => job.x.slice(r * job.nIn, (r + 1) * job.nIn));
        const rowsY = Array.from({ length: job.rows }, (_, r) => c.spec.loss === "ce" ? job.t[r] : job.t.slice(r * job.nT, (r + 1) * job.nT));
        const last = (e: any[]) => e[e.length - 1].loss as number;
        const row: Row = {
          name, covers, hidden, case: c, model, x, t,
          torchInput: { spec: { ...c.spec, epochs: Math.min(c.spec.epochs, MAX_EPOCHS), act: model.layers[0].activation }, x: rowsX, y: rowsY, init: model },
          int16Loss: last(r16.epochs), f32Loss: last(r32.epochs), torchLoss: null,
          int16Acc: accuracy(c, model, r16.outcome.weights, x, t), f32Acc: accuracy(c, model, r32.outcome.weights, x, t),
        };
        report.push(row);
        expect(Number.isFinite(row.int16Loss)).toBe(true);
      } finally {
        rmDir(dir);
      }
    }, 300_000);
  }

  it("reports what the precision costs: int16 beside f32 and PyTorch float64 (printed, not asserted)", () => {
    const why = torchMissing();
    if (!why && report.length > 0) {
      const torch = torchRuns(report.map((r, id) => ({ id, ...r.torchInput })));
      report.forEach((r, id) => {
        const f = torch.get(id)!;
        r.torchLoss = f.epoch_loss[f.epoch_loss.length - 1];
        r.torchAcc = accuracy(r.case, r.model, f.weights, r.x, r.t);
      });
    }
    const pct = (v?: number) => (v === undefined ? "-" : `${(100 * v).toFixed(1)}%`);
    const lines = report.map((r) => `${r.name.padEnd(32)} ${r.hidden.padEnd(18)} loss int16 ${r.int16Loss.toPrecision(5)} f32 ${r.f32Loss.toPrecision(5)} torch ${r.torchLoss?.toPrecision(5) ?? "-"}`
      + (r.int16Acc !== undefined ? `  acc int16 ${pct(r.int16Acc)} f32 ${pct(r.f32Acc)} torch ${pct(r.torchAcc)}` : ""));
    console.log(`int16 vs f32 vs PyTorch float64 (final epoch of at most ${MAX_EPOCHS}, training data${why ? `; torch: ${why}` : ""}):\n${lines.join("\n")}`);
    if (process.env.EDGEPROP_INT16_REPORT) {
      writeFileSync(process.env.EDGEPROP_INT16_REPORT, JSON.stringify(report.map(({ case: _c, model: _m, x: _x, t: _t, torchInput: _i, ...r }) => r), null, 1));
    }
    expect(report.length).toBe(Object.keys(INT16_CASES).length);
  }, 600_000);
});
