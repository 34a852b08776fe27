// Where the package's own files are (build/, bin/, data/, boards/), seen from
// the host code both unbundled (host/<folder>/*.ts under vitest) and bundled
// (dist/edgeprop.mjs): the nearest folder above this file that holds
// package.json is the package's root.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root: string | undefined;

export function packageRoot(): string {
  if (root === undefined) {
    let dir = dirname(fileURLToPath(import.meta.url));
    while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
    root = dir;
  }
  return root;
}

/** A path inside the package, e.g. packagePath("build", "edgeprop.wasm"). */
export function packagePath(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}
