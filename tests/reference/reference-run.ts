// Running scripts/int16_reference.py on a RecordingBoard's trace, and
// comparing its weights with the module's bit for bit.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { RecordingBoard } from "../helpers/recording-board";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";
import { PYTHON } from "../torch/oracle";

export const REFERENCE = path.join(repoRoot, "scripts", "int16_reference.py");

/** Why the reference cannot run, or null when `import numpy` works. */
export function numpyMissing(): string | null {
  const r = spawnSync(PYTHON, ["-c", "import numpy"], { encoding: "utf8" });
  if (r.error) return `${PYTHON} not found (${r.error.message})`;
  return r.status === 0 ? null : `${PYTHON} cannot import numpy: ${r.stderr.trim().split("\n").pop()}`;
}

export interface ReferenceResult { weights: number[]; batch_loss: number[]; status: number[]; job_loss: number[] }

/**
 * The reference's epoch losses (each job's loss sum over its rows) against
 * sim's: the same f64 operations, so equal, except BCE's, whose per-element
 * log1p(exp(-|z|)) is f64 libm (AssemblyScript's against glibc's): 1e-12 relative.
 */
export function epochLossProblems(loss: string, epochs: { loss: number }[], ref: ReferenceResult, rows: number): string[] {
  const out: string[] = [];
  if (ref.job_loss.length !== epochs.length) return [`${ref.job_loss.length} jobs vs ${epochs.length} epochs`];
  epochs.forEach((e, k) => {
    const want = ref.job_loss[k] / rows;
    const ok = loss === "bce" ? Math.abs(e.loss - want) <= 1e-12 * Math.abs(want) : e.loss === want;
    if (!ok) out.push(`epoch ${k + 1}: sim ${e.loss} reference ${want}`);
  });
  return out;
}

/** Replays a RecordingBoard's trace with the reference. */
export function replay(board: RecordingBoard): ReferenceResult {
  const dir = tmpDir("edgeprop-ref-");
  try {
    const file = path.join(dir, "trace.json");
    writeFileSync(file, JSON.stringify(board.trace()));
    const r = spawnSync(PYTHON, [REFERENCE, file], { encoding: "utf8", maxBuffer: 1 << 28, timeout: 300_000 });
    if (r.status !== 0) throw new Error(`${REFERENCE} failed (${r.status}): ${r.stderr}`);
    return JSON.parse(r.stdout);
  } finally {
    rmDir(dir);
  }
}

/** Where two weight vectors differ as u32 bits (the first five), [] when identical. */
export function bitDiff(weights: ArrayLike<number>, want: ArrayLike<number>): string[] {
  const got = new Uint32Array(Float32Array.from(weights).buffer);
  if (got.length !== want.length) return [`lengths ${got.length} vs ${want.length}`];
  const f = (u: number) => new Float32Array(new Uint32Array([u]).buffer)[0];
  const out: string[] = [];
  for (let i = 0; i < got.length && out.length < 5; i++) {
    if (got[i] !== want[i]) out.push(`[${i}] module ${f(got[i])} (0x${got[i].toString(16)}) reference ${f(want[i])} (0x${want[i].toString(16)})`);
  }
  const n = Array.from(got).filter((u, i) => u !== want[i]).length;
  if (n > 5) out.push(`... ${n} of ${got.length} differ`);
  return out;
}
