// The CLI as a long-lived child process (board --emulate, board --pty, sim
// --emulate), its own descendants, and whether any of them is still alive:
// scoped to the pids this test started, never to a process name at large.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cliPath, repoRoot } from "../helpers/paths";

export interface CliChild { child: ChildProcess; stdout(): string; stderr(): string; exited: Promise<{ code: number | null; signal: string | null }> }

export function startCli(args: string[], env: Record<string, string> = {}): CliChild {
  const child = spawn(process.execPath, [cliPath, ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1", ...env } });
  let out = "", err = "";
  child.stdout!.on("data", (b: Buffer) => { out += b.toString(); });
  child.stderr!.on("data", (b: Buffer) => { err += b.toString(); });
  const exited = new Promise<{ code: number | null; signal: string | null }>((r) => child.once("exit", (code, signal) => r({ code, signal })));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits until `test` finds something in the child's stdout. */
export async function waitForOutput<T>(c: CliChild, test: (stdout: string) => T | undefined, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const hit = test(c.stdout());
    if (hit !== undefined) return hit;
    if (c.child.exitCode !== null || c.child.signalCode !== null) throw new Error(`the CLI exited (${c.child.exitCode ?? c.child.signalCode}): ${c.stderr()}`);
    if (Date.now() > end) throw new Error(`timed out; stdout: ${c.stdout().slice(-300)} stderr: ${c.stderr().slice(-300)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Every descendant of `pid` with its command line (pgrep -P, recursively). */
export function descendants(pid: number): Array<{ pid: number; cmd: string }> {
  const r = spawnSync("pgrep", ["-a", "-P", String(pid)], { encoding: "utf8" });
  const kids = r.stdout.split("\n").filter(Boolean).map((l) => {
    const sp = l.indexOf(" ");
    return { pid: Number(l.slice(0, sp)), cmd: l.slice(sp + 1) };
  });
  return kids.flatMap((k) => [k, ...descendants(k.pid)]);
}

export function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/** Waits up to `timeoutMs` for every pid to be gone; returns those still alive. */
export async function survivors(pids: number[], timeoutMs = 5000): Promise<number[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const left = pids.filter(alive);
    if (left.length === 0 || Date.now() > end) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Kills what a failed test left (only these pids). */
export function killAll(pids: number[]): void {
  for (const p of pids) { try { process.kill(p, "SIGKILL"); } catch { /* gone */ } }
}
