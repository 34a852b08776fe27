// Where the repository's files are, seen from the host code both unbundled
// (host/firmware/*.ts under vitest) and bundled (dist/edgeprop.mjs): engine.ts
// already knows build/, and the repository root is its parent.
import { dirname, join } from "node:path";
import { buildPath } from "../engine.js";

export function repoRoot(): string {
  return dirname(dirname(buildPath("edgeprop.wasm")));
}

export function repoPath(...parts: string[]): string {
  return join(repoRoot(), ...parts);
}
