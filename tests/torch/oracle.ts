// Real PyTorch as the numerics oracle: Debian's python3-torch for Debian's
// /usr/bin/python3 (scripts/deps.sh installs it). Without it the PyTorch tests
// skip with a message on a developer's machine, and fail under CI (CI=true),
// where the oracle must run.
import { spawnSync } from "node:child_process";

export const PYTHON = "/usr/bin/python3";

export const inCi = Boolean(process.env.CI) && process.env.CI !== "false" && process.env.CI !== "0";

/** Why torch cannot be used, or null when `import torch` works. */
export function torchMissing(): string | null {
  const r = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" });
  if (r.error) return `${PYTHON} not found (${r.error.message})`;
  return r.status === 0 ? null : `${PYTHON} cannot import torch: ${r.stderr.trim().split("\n").pop()}`;
}

/** True when the file should skip (and says so once on stderr). */
export function skipWithoutTorch(what: string, missing: string | null): boolean {
  if (!missing || inCi) return false;
  console.warn(`${what} skipped: ${missing}. Install Debian's python3-torch (scripts/deps.sh) to run it.`);
  return true;
}

export const oracleFailure = (missing: string) =>
  `${missing} (CI=true: the PyTorch tests must run; scripts/deps.sh installs python3-torch)`;
