// The real command line, as a child process: `node bin/edgeprop.js ...`.
import { spawn, spawnSync } from "node:child_process";
import { cliPath, repoRoot } from "./paths";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], cwd = repoRoot): CliResult {
  const r = spawnSync(process.execPath, [cliPath, ...args], {
    cwd, encoding: "utf8", timeout: 100_000, env: { ...process.env, NO_COLOR: "1" },
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Parses stdout as JSON lines (every non-empty line must be one object). */
export function jsonLines(stdout: string): any[] {
  return stdout.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
}

/**
 * The command line as a child process that does not block the event loop
 * (for commands that must run side by side, e.g. a fleet's coordinator and
 * its clients); killed after `timeoutMs`.
 */
export function runCliAsync(args: string[], timeoutMs = 90_000): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}
