// @ts-check
// `npm test`: the static checks, then vitest, then one closing line
// "N passed, N failed" that any CI can read.
//   1. the type check: `tsc --noEmit -p .` (tsconfig.json: strict);
//   2. host/'s imports: no circle, and only in the directions host/README.md
//      allows (scripts/check-imports.mjs).
// A failed static check ends the run there, before the tests (minutes on two
// cores), with a non-zero exit and "0 passed, N failed" (N: the checks that
// failed); otherwise vitest's tests and exit code.
import { spawnSync } from "node:child_process";
import { readFileSync, mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** @type {[string, string, string[]][]} what each static check is called, and its command */
const CHECKS = [
  ["type check (tsc --noEmit -p .)", join(root, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", "."]],
  ["imports (scripts/check-imports.mjs)", process.execPath, [join(root, "scripts", "check-imports.mjs")]],
];
const failedChecks = CHECKS.filter(([name, cmd, args]) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  const ok = r.status === 0;
  console.log(`${name}: ${ok ? "ok" : r.error ? `could not run (${r.error.message})` : "FAILED"}`);
  return !ok;
});
if (failedChecks.length > 0) {
  console.log(`0 passed, ${failedChecks.length} failed`);
  process.exit(1);
}

const out = join(root, "build", "test-results.json");
mkdirSync(dirname(out), { recursive: true });
const vitest = join(root, "node_modules", ".bin", "vitest");
const r = spawnSync(vitest, ["run", "--reporter=default", "--reporter=json", `--outputFile=${out}`, ...process.argv.slice(2)], {
  cwd: root, stdio: "inherit",
});
let summary = "0 passed, 0 failed";
try {
  const j = JSON.parse(readFileSync(out, "utf8"));
  summary = `${j.numPassedTests} passed, ${j.numFailedTests} failed` + (j.numPendingTests ? `, ${j.numPendingTests} skipped` : "");
} catch { /* vitest did not get as far as writing results */ }
console.log(summary);
process.exit(r.status ?? 1);
