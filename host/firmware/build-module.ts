// Builds the engine module for a board: the same compiler call as
// scripts/build.mjs, with the profile's memory (pages, and MEMORY_LIMIT baked
// in) and the same build id, so a board and the host agree on what they run.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { repoPath, repoRoot } from "./paths.js";

export interface BuildModuleOptions {
  pages: number;
  memoryLimit: number;
  /** Output .wasm path; a .wat is written beside it. */
  out: string;
  /** Show the compiler's output (default: only on failure). */
  verbose?: boolean;
}

export interface BuiltModule {
  bytes: Uint8Array;
  buildId: number;
}

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  }).sort();
}

/** The build id scripts/build.mjs computes: engine sources, asconfig, memory. */
export function moduleBuildId(pages: number, memoryLimit: number): number {
  const h = createHash("sha256");
  for (const f of sources(repoPath("assembly"))) h.update(readFileSync(f));
  h.update(readFileSync(repoPath("asconfig.json")));
  h.update(`${pages}:${memoryLimit}`);
  return h.digest().readUInt32LE(0);
}

export function buildModule({ pages, memoryLimit, out, verbose = false }: BuildModuleOptions): BuiltModule {
  if (!Number.isInteger(pages) || pages < 1 || pages > 65536) throw new RangeError(`pages must be 1..65536, not ${pages}`);
  if (!Number.isInteger(memoryLimit) || memoryLimit < 0) throw new RangeError(`memoryLimit must be >= 0, not ${memoryLimit}`);
  const root = repoRoot();
  const target = resolve(out);
  const buildId = moduleBuildId(pages, memoryLimit);
  mkdirSync(dirname(target), { recursive: true });
  const asc = join(root, "node_modules", ".bin", "asc");
  const args = [
    "--config", join(root, "asconfig.json"), "--target", "release",
    "--initialMemory", String(pages), "--maximumMemory", String(pages),
    "--use", `MEMORY_LIMIT=${memoryLimit}`, "--use", `BUILD_ID=${buildId}`,
    // Always name the text file too, or asconfig's build/edgeprop.wat is overwritten.
    "-o", target, "--textFile", target.replace(/\.wasm$/, "") + ".wat",
  ];
  try {
    execFileSync(asc, args, { cwd: root, stdio: verbose ? "inherit" : "pipe" });
  } catch (err) {
    const e = err as { stderr?: Buffer; stdout?: Buffer; message: string };
    const detail = `${e.stdout?.toString() ?? ""}${e.stderr?.toString() ?? ""}`.trim();
    throw new Error(`AssemblyScript build failed (${pages} pages, memory limit ${memoryLimit}): ${detail || e.message}`);
  }
  return { bytes: new Uint8Array(readFileSync(target)), buildId };
}
