// Shared by the emulated-board tests: whether they can run here, the module
// and firmware builds (once per test file), and training a golden case
// through the emulated board's pty with the real CLI (`train --port`).
import { expect } from "vitest";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { buildFirmware, missingTools, startEmulatedBoard } from "../../boards/qemu/launch.mjs";
import { cliPath, repoRoot } from "../helpers/paths";
import { runCli } from "../helpers/cli";
import type { GoldenCase } from "../helpers/golden";
import { caseArgs } from "../helpers/golden";

export { buildFirmware, startEmulatedBoard };
export const PROFILE = "esp32-c3";
export const ISAS = ["rv32imc", "rv32imfc"] as const;
export const profile = JSON.parse(readFileSync(path.join(repoRoot, "boards", "profiles", `${PROFILE}.json`), "utf8"));

/** Why the emulated board cannot run here ("" = it can). In CI a missing tool is a failure, not a skip. */
export function unavailable(): string {
  const missing: string[] = missingTools();
  if (missing.length === 0) return "";
  const why = `the emulated board needs ${missing.join(", ")}`;
  if (process.env.CI === "true") throw new Error(`${why} (CI must install them: scripts/deps.sh)`);
  console.warn(`skipping the emulated-board tests: ${why}`);
  return why;
}

/** The emulated cases stay small (CI's budget): at most this many epochs of each golden case. */
export const MAX_EPOCHS = 2;

/** A golden case's `sim` flags with its epochs capped at MAX_EPOCHS. */
export function smallCaseArgs(c: GoldenCase, epochs = MAX_EPOCHS): string[] {
  const a = caseArgs(c);
  const i = a.indexOf("--epochs");
  a[i + 1] = String(Math.min(Number(a[i + 1]), epochs));
  return a;
}

/** --link direct's saved model for these flags (the reference bits). */
export function direct(args: string[], out: string): Buffer {
  const r = runCli(["sim", ...args, "--link", "direct", "--json", "--save", out]);
  if (r.code !== 0) throw new Error(`sim --link direct failed (${r.code}): ${r.stderr}`);
  return readFileSync(out);
}

/** The bytes a `train --json` run sent (its done event), so the board's idle line after them can be told apart. */
export function bytesSent(stdout: string): number {
  const done = stdout.split("\n").filter((l) => l.includes('"event":"done"')).map((l) => JSON.parse(l))[0];
  if (!done || !Number.isInteger(done.bytes_sent)) throw new Error(`no done event with bytes_sent in: ${stdout.slice(-300)}`);
  return done.bytes_sent;
}

export interface CliRun { code: number | null; stdout: string; stderr: string }

/** `edgeprop train --port PORT ...` as a child process, without blocking the event loop. */
export function trainOverPort(port: string, args: string[], out: string, onStdout?: (s: string) => void): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, "train", "--port", port, ...args, "--json", "--save", out],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "", stderr = "";
    child.stdout.on("data", (b: Buffer) => { stdout += b.toString(); onStdout?.(stdout); });
    child.stderr.on("data", (b: Buffer) => { stderr += b.toString(); });
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * `trainOverPort` with the board reset once the run has reported
 * `afterEpochs` epochs: the run is under way, with weights and optimizer
 * state on the board that the reboot wipes. Throws if the run ended first.
 */
export async function trainWithResetAfter(board: Pick<Awaited<ReturnType<typeof startEmulatedBoard>>, "path" | "reset">,
  args: string[], out: string, afterEpochs = 2): Promise<CliRun> {
  let reset: Promise<void> | undefined;
  const run = await trainOverPort(board.path, args, out, (stdout) => {
    if (!reset && (stdout.match(/"event":"epoch"/g) ?? []).length >= afterEpochs) reset = board.reset();
  });
  if (!reset) throw new Error(`the run ended before the reset was sent: ${run.stdout.slice(-300)} ${run.stderr}`);
  await reset;
  return run;
}

/**
 * The first line the board has written that starts with `prefix`, waited for
 * (up to `timeoutMs`): QEMU writes the UART log as bytes arrive, so a line
 * printed around the stats line may land in the log after it on a busy machine.
 */
export async function waitForLine(board: { lines: () => string[] }, prefix: string, timeoutMs = 30_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const hit = board.lines().find((l) => l.startsWith(prefix));
    if (hit !== undefined) return hit;
    if (Date.now() > end) throw new Error(`no line starting "${prefix}" after ${timeoutMs} ms; last lines:\n${board.lines().slice(-5).join("\n")}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** One epoch of an iris model with these layers (the memory-limit tests' runs). */
export function irisModel(layers: string): string[] {
  return ["--data", path.join(repoRoot, "data", "iris.csv"), "--layers", layers, "--loss", "ce", "--opt", "adam", "--batch", "32", "--epochs", "1"];
}

/**
 * Over `port`: a model over `limit` bytes (its plan's bytes from `edgeprop
 * plan`) is refused by the board with both numbers (exit 2), then one that
 * fits trains (exit 0).
 */
export async function expectRefusedThenFits(port: string, work: string, limit: number): Promise<void> {
  const tooBig = "4,128,128,3";
  const plan = runCli(["plan", "--layers", tooBig, "--act", "relu", "--loss", "ce", "--opt", "adam", "--batch", "32", "--json"]);
  expect(plan.code, plan.stderr).toBe(0);
  const needed = JSON.parse(plan.stdout).total_bytes;
  expect(needed).toBeGreaterThan(limit);
  const refused = await trainOverPort(port, irisModel(tooBig), path.join(work, "big.json"));
  expect(refused.code).toBe(2);
  expect(refused.stderr).toContain("refused");
  expect(refused.stderr).toContain(String(needed));
  expect(refused.stderr).toContain(String(limit));
  const fits = await trainOverPort(port, irisModel("4,8,3"), path.join(work, "small.json"));
  expect(fits.code, fits.stderr).toBe(0);
}
