// `npm test`: vitest, then one closing line "N passed, N failed" that any CI
// can read, with vitest's exit code.
import { spawnSync } from "node:child_process";
import { readFileSync, mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
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
