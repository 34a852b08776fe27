// Every golden case through every link: the protocol in memory, over a real
// pseudo-terminal (socat + serialport), to the WASI build in another process,
// and over a pty that damages 5% of the writes must all give `--link direct`'s
// weights bit for bit (the saved model files are compared byte for byte) and
// the same epoch losses. Runs the real CLI as child processes.
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { cliPath, goldenDir, repoRoot } from "./support";
import { caseArgs, goldenCases } from "../helpers/golden";

// The cases and their flags come from the one case.json reader (tests/helpers/golden.ts).
const caseFlags = caseArgs;

interface Run { code: number | null; signal: string | null; stdout: string; stderr: string; events: any[]; saved: Buffer | null }

function sim(args: string[], save: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, "sim", ...args, "--json", "--save", save], {
      cwd: repoRoot, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "", stderr = "";
    child.stdout.on("data", (b) => { stdout += b; });
    child.stderr.on("data", (b) => { stderr += b; });
    // A hung run is killed well before the test's own timeout, so its output is reported.
    const killer = setTimeout(() => child.kill("SIGKILL"), 150_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(killer);
      const events = stdout.split("\n").filter((l) => l.trim()).map((l) => { try { return JSON.parse(l); } catch { return { unparsed: l }; } });
      resolve({ code, signal, stdout, stderr, events, saved: existsSync(save) ? readFileSync(save) : null });
    });
  });
}

/** Runs the thunks at most `n` at a time (two cores). */
async function limited<T>(n: number, jobs: (() => Promise<T>)[]): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < jobs.length) { const i = next++; out[i] = await jobs[i](); }
  }));
  return out;
}

const MODES: [string, string[]][] = [
  ["--link memory", ["--link", "memory"]],
  ["--link pty", ["--link", "pty"]],
  ["--engine wasi:node", ["--engine", "wasi:node"]],
  ["--link pty --fault-rate 0.05", ["--link", "pty", "--fault-rate", "0.05"]],
];

const cases = goldenCases();

describe("every link gives --link direct's weights bit for bit, on every golden case", () => {
  it(`finds the golden cases in ${goldenDir}`, () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const c of cases) {
    it(c.name, { timeout: 300_000 }, async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), `edgeprop-links-${c.name}-`));
      try {
        const flags = caseFlags(c);
        const ref = await sim([...flags, "--link", "direct"], path.join(dir, "direct.json"));
        expect(ref.code, `--link direct failed: ${ref.stderr}`).toBe(0);
        expect(ref.saved).not.toBeNull();
        const refLoss = ref.events.filter((e) => e.event === "epoch").map((e) => e.loss);
        expect(refLoss.length).toBe(c.spec.epochs);
        const runs = await limited(2, MODES.map(([name, extra], i) => () => sim([...flags, ...extra], path.join(dir, `mode${i}.json`)).then((r) => ({ name, r }))));
        for (const { name, r } of runs) {
          expect(r.code, `${name}: exit ${r.code} (${r.signal ?? ""}) ${r.stderr}`).toBe(0);
          expect(r.saved, `${name}: no model saved`).not.toBeNull();
          // Byte for byte: the same floats, written the same way.
          expect(r.saved!.equals(ref.saved!), `${name}: saved model differs from --link direct's`).toBe(true);
          const loss = r.events.filter((e) => e.event === "epoch").map((e) => e.loss);
          expect(loss, `${name}: epoch losses`).toEqual(refLoss);
        }
        // The faulty line really was faulty: more was sent than on a clean line.
        const clean = runs[0].r.events.find((e) => e.event === "done");
        const faulty = runs[3].r.events.find((e) => e.event === "done");
        expect(clean?.bytes_sent, "done event of --link memory carries bytes_sent").toBeGreaterThan(0);
        expect(faulty.bytes_sent + faulty.bytes_received, "--fault-rate 0.05 caused no retransmission").toBeGreaterThan(clean.bytes_sent + clean.bytes_received);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
