// Makes sure the tests run against the current sources: if build/*.wasm or
// dist/edgeprop.mjs is missing or older than assembly/, host/ or the build
// script, rebuild once before any test file starts (`npm run build`).
// EDGEPROP_TEST_NO_BUILD=1 skips this (the tests then use what is there).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./paths";

function newest(p: string): number {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(p).map((n) => newest(path.join(p, n))));
}

export default function setup(): void {
  if (process.env.EDGEPROP_TEST_NO_BUILD) return;
  const outputs = ["build/edgeprop.wasm", "build/edgeprop-wasi.wasm", "dist/edgeprop.mjs"].map((f) => path.join(repoRoot, f));
  const oldest = Math.min(...outputs.map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)));
  const sources = Math.max(...["assembly", "host", "scripts/build.mjs", "asconfig.json"].map((f) => newest(path.join(repoRoot, f))));
  if (oldest > 0 && oldest >= sources) return;
  // The module and the CLI (the shipped wasm2c translations, build/w2c, are
  // for the package: flash-wasm2c.test.ts makes what it needs).
  execFileSync(process.execPath, [path.join(repoRoot, "scripts", "build.mjs"), "wasm,host"], { cwd: repoRoot, stdio: "inherit" });
}
