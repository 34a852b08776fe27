// The randomized cross-check: N training runs drawn from a seed
// (tests/torch/configs.ts: layer sizes and depths, every activation and loss,
// every optimizer with random hyper-parameters, schedules, clipping, frozen
// layers, batch 1 / partial / full, 1-6 epochs, small data) are trained by edgeprop (the CLI's
// own `sim` path in this process) and by real PyTorch (scripts/torch_reference.py,
// one /usr/bin/python3 process for all of them) from the same initial weights.
// The final weights and every epoch's loss must agree with torch's float64 run
// within 1e-4 relative. A run whose float32 torch result already drifts from
// float64 (chaotic: tiny perturbations grow) is redrawn and not counted.
//
//   EDGEPROP_CROSSCHECK_SEED=N   replay a seed (printed at the start)
//   EDGEPROP_CROSSCHECK_N=N      how many runs (default 100)
//
// Without torch for /usr/bin/python3 the file is skipped with a message, except
// under CI (CI=true), where a missing oracle fails.
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { mulberry32 } from "../../host/data/rng";
import { caseArgs, type GoldenCase } from "../helpers/golden";
import { simInProcess } from "../helpers/inprocess";
import { eachRel, maxRel } from "../helpers/model";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";
import { dataCsv, drawRun, type DrawnRun } from "./configs";
import { oracleFailure, PYTHON, skipWithoutTorch, torchMissing } from "./oracle";

const TOL = 1e-4;
/** float32 torch this far from float64 torch: the run is chaotic, not a test of the engine. */
const CHAOS = 1e-5;
const ORACLE = path.join(repoRoot, "scripts", "torch_reference.py");

const seed = process.env.EDGEPROP_CROSSCHECK_SEED !== undefined
  ? Number(process.env.EDGEPROP_CROSSCHECK_SEED) >>> 0
  : (Date.now() ^ (process.pid << 16)) >>> 0;
const N = Number(process.env.EDGEPROP_CROSSCHECK_N ?? 100);

interface TorchRun { weights: (number | null)[]; epoch_loss: (number | null)[] }
interface TorchResult { id: number; f64?: TorchRun; f32?: TorchRun; error?: string }

const finite = (v: (number | null)[]) => v.every((x) => x !== null && Number.isFinite(x));

/** Trains runs in torch, one process for the lot. */
function torchReference(runs: { id: number; run: DrawnRun }[], dir: string): TorchResult[] {
  const file = path.join(dir, `runs-${runs[0]?.id ?? 0}.json`);
  writeFileSync(file, JSON.stringify(runs.map(({ id, run }) => ({ id, spec: run.spec, x: run.x, y: run.y, init: run.init }))));
  const r = spawnSync(PYTHON, [ORACLE, file], { encoding: "utf8", maxBuffer: 1 << 30, timeout: 600_000 });
  if (r.status !== 0) throw new Error(`${ORACLE} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

interface Accepted { id: number; run: DrawnRun; ref: TorchRun }

/**
 * Draws runs from the seed until N are accepted: torch trained them, float64
 * stayed finite, and float32 torch agrees with float64 within CHAOS.
 */
function drawAccepted(dir: string): { accepted: Accepted[]; redrawn: number } {
  const r = mulberry32(seed);
  const accepted: Accepted[] = [];
  let id = 0, redrawn = 0;
  for (let round = 0; accepted.length < N; round++) {
    if (round >= 6) throw new Error(`seed ${seed}: only ${accepted.length} of ${N} runs were not chaotic after ${id} draws`);
    const want = N - accepted.length;
    const batch = Array.from({ length: Math.ceil(want * 1.3) + 4 }, () => ({ id: id++, run: drawRun(r) }));
    const results = new Map(torchReference(batch, dir).map((x) => [x.id, x]));
    for (const b of batch) {
      const t = results.get(b.id)!;
      if (t.error) throw new Error(`torch refused run ${b.id} ${JSON.stringify(b.run.spec)}: ${t.error}`);
      const f64 = t.f64!, f32 = t.f32!;
      const chaotic = !finite(f64.weights) || !finite(f64.epoch_loss) || !finite(f32.weights) || !finite(f32.epoch_loss)
        || maxRel(f32.weights as number[], f64.weights as number[]) > CHAOS
        || eachRel(f32.epoch_loss as number[], f64.epoch_loss as number[]) > CHAOS;
      if (chaotic) redrawn++;
      else if (accepted.length < N) accepted.push({ id: b.id, run: b.run, ref: f64 });
    }
  }
  return { accepted, redrawn };
}

function describeRun(run: DrawnRun): string {
  const s = run.spec;
  const o = Object.entries(s.optimizer).filter(([k]) => k !== "name").map(([k, v]) => `${k}=${v}`).join(" ");
  const extra = [s.schedule ? `schedule ${JSON.stringify(s.schedule)}` : "", s.clip_norm ? `clip_norm ${s.clip_norm}` : "", s.clip_value ? `clip_value ${s.clip_value}` : "",
    s.freeze ? `freeze ${s.freeze}` : ""].filter(Boolean).join(", ");
  return `${s.layers.join("-")} ${s.act} ${s.loss}, ${s.optimizer.name} ${o}, ${run.x.length} rows batch ${s.batch}, ${s.epochs} epochs${extra ? ", " + extra : ""}`;
}

const missing = torchMissing();
const replay = `EDGEPROP_CROSSCHECK_SEED=${seed} EDGEPROP_CROSSCHECK_N=${N}`;

describe.skipIf(skipWithoutTorch("crosscheck", missing))(`edgeprop vs PyTorch on ${N} random runs, seed ${seed} (replay: ${replay})`, () => {
  it(`has the oracle: real PyTorch for ${PYTHON}`, () => {
    expect(missing, oracleFailure(String(missing))).toBeNull();
  });
  if (missing) return;

  const dir = tmpDir("edgeprop-crosscheck-");
  console.log(`crosscheck: seed ${seed}, ${N} runs (replay: ${replay} npx vitest run tests/torch/crosscheck.test.ts)`);
  const { accepted, redrawn } = drawAccepted(dir);
  let worstWeights = 0, worstLoss = 0, worstRun = "";

  afterAll(() => {
    rmDir(dir);
    console.log(`crosscheck: seed ${seed}, ${accepted.length} runs (${redrawn} chaotic ones redrawn): worst weights ${worstWeights.toExponential(2)}, worst epoch loss ${worstLoss.toExponential(2)} relative${worstRun ? ` (${worstRun})` : ""}`);
  });

  it(`draws ${N} runs that are not chaotic`, () => {
    expect(accepted).toHaveLength(N);
  });

  for (const { id, run, ref } of accepted) {
    it(`run ${id}: ${describeRun(run)}`, async () => {
      const caseDir = path.join(dir, `run-${id}`);
      const data = path.join(caseDir, "data.csv"), init = path.join(caseDir, "init.json");
      mkdirSync(caseDir, { recursive: true });
      writeFileSync(data, dataCsv(run));
      writeFileSync(init, JSON.stringify(run.init));
      const c: GoldenCase = { name: `run-${id}`, dir: caseDir, spec: run.spec, data, init, expected: null };
      const r = await simInProcess(caseArgs(c));
      const losses = r.epochs.map((e) => e.loss);
      const dl = eachRel(losses, ref.epoch_loss as number[]);
      const dw = maxRel(Array.from(r.outcome.weights), ref.weights as number[]);
      if (Math.max(dw, dl) > Math.max(worstWeights, worstLoss)) worstRun = `run ${id}`;
      worstWeights = Math.max(worstWeights, dw);
      worstLoss = Math.max(worstLoss, dl);
      const replayThis = `${replay}: ${JSON.stringify(run.spec)}`;
      expect(losses.length, replayThis).toBe(run.spec.epochs);
      expect(dl, `epoch losses ${losses} vs torch ${ref.epoch_loss}; ${replayThis}`).toBeLessThan(TOL);
      expect(dw, `weights; ${replayThis}`).toBeLessThan(TOL);
    });
  }
});
