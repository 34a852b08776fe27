// Helpers for the user-experience tests: the real CLI as a child process.
import { expect } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../..", import.meta.url));
export const cli = join(root, "bin", "edgeprop.js");

export interface Result { code: number | null; stdout: string; stderr: string }

export function run(args: string[], opts: { cwd?: string; env?: Record<string, string>; timeout?: number } = {}): Result {
  const r = spawnSync(process.execPath, [cli, ...args], {
    cwd: opts.cwd ?? root, encoding: "utf8", timeout: opts.timeout ?? 110_000,
    env: { ...process.env, CI: "true", ...(opts.env ?? {}) },
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function ok(args: string[], opts?: Parameters<typeof run>[1]): Result {
  const r = run(args, opts);
  if (r.code !== 0) throw new Error(`edgeprop ${args.join(" ")} exited ${r.code}\n${r.stderr}\n${r.stdout.slice(-2000)}`);
  return r;
}

export function tmp(): string {
  return mkdtempSync(join(tmpdir(), "edgeprop-ux-"));
}

export function jsonLines(text: string): any[] {
  return text.split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l));
}

/** The loss-curve paths of a report's linear (or log) charts, with their run names. */
export function curves(html: string, cls: "lin" | "log" = "lin"): string[][] {
  const charts = [...html.matchAll(new RegExp(`<svg class="${cls}"[^>]*>([\\s\\S]*?)</svg>`, "g"))].map((m) => m[1]);
  return charts.map((svg) => [...svg.matchAll(/<path class="curve" data-run="([^"]*)" d="([^"]+)"/g)].map((m) => {
    expect(m[2]).toMatch(/^M[\d.]+,[\d.]+/);
    return m[1];
  }));
}

/** Anything that would make a browser reach the network. */
export const EXTERNAL = /https?:|\/\/|@import|\bsrc\s*=|<script|<link|url\(/i;
