// Where an executable is: the PATH lookup flash.ts (pio) and
// wasm2c-sources.ts (wasm2c) share.
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** An executable named `name` on PATH, or null. */
export function findOnPath(name: string, path = process.env.PATH ?? ""): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch { /* not here */ }
  }
  return null;
}
