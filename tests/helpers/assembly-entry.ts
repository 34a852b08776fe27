// A few lines of AssemblyScript compiled against the module's own sources (a
// copy of assembly/ with the lines as assembly/entry.ts) and instantiated:
// how a test holds one routine of the module against another, against V8 or
// against a reference, bit for bit, without building the whole module.
import { execFileSync } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot, rmDir, tmpDir } from "./paths";

export interface EntryOptions {
  /** Pages of linear memory at instantiation (asc's default otherwise). */
  initialMemory?: number;
}

/** The exports of `lines` compiled as assembly/entry.ts (imports are relative to assembly/). */
export async function compileEntry<T>(lines: string[], options: EntryOptions = {}): Promise<T> {
  const work = tmpDir("edgeprop-entry-");
  try {
    cpSync(path.join(repoRoot, "assembly"), path.join(work, "assembly"), { recursive: true });
    writeFileSync(path.join(work, "assembly", "entry.ts"), [...lines, ""].join("\n"));
    const args = ["assembly/entry.ts", "-O3", "--runtime", "stub", "-o", "m.wasm"];
    if (options.initialMemory !== undefined) args.push("--initialMemory", String(options.initialMemory));
    execFileSync(path.join(repoRoot, "node_modules", ".bin", "asc"), args, { cwd: work, stdio: "pipe" });
    const { instance } = await WebAssembly.instantiate(readFileSync(path.join(work, "m.wasm")));
    return instance.exports as unknown as T;
  } finally {
    rmDir(work);
  }
}
