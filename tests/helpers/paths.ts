// Where things are, relative to the repository root. Everything a test reads
// is inside the repository: a fresh clone is all CI has.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const goldenDir = path.join(repoRoot, "tests", "golden");
export const cliPath = path.join(repoRoot, "bin", "edgeprop.js");
export const wasmPath = path.join(repoRoot, "build", "edgeprop.wasm");
export const wasiPath = path.join(repoRoot, "build", "edgeprop-wasi.wasm");

/** A fresh temporary directory; remove it with the returned cleanup. */
export function tmpDir(prefix = "edgeprop-test-"): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function rmDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
