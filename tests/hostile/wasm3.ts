// A wasm3 board for the hostile tests, when the environment points at a wasm3
// build (EDGEPROP_M3_INCLUDE = its source dir, EDGEPROP_M3_LIB = libm3.a, as
// tests/boards.test.ts); the project never contains wasm3 itself.
import { execFileSync } from "node:child_process";
import path from "node:path";
import { repoRoot } from "../helpers/paths";

const M3_INCLUDE = process.env.EDGEPROP_M3_INCLUDE ?? "";
const M3_LIB = process.env.EDGEPROP_M3_LIB ?? "";

/** "" when a wasm3 board can be built, else why not (shown in the skipped test's name). */
export const WASM3_SKIP_REASON = M3_INCLUDE && M3_LIB ? ""
  : "(skipped: set EDGEPROP_M3_INCLUDE and EDGEPROP_M3_LIB to a wasm3 build to run it)";

/** Builds boards/posix with ENGINE=wasm3 into `dir`; returns the binary. */
export function wasm3Board(dir: string): string {
  const bin = path.join(dir, "board-wasm3");
  execFileSync("make", ["-s", "-C", path.join(repoRoot, "boards", "posix"), "ENGINE=wasm3",
    `M3_INCLUDE=${M3_INCLUDE}`, `M3_LIB=${M3_LIB}`, `OBJ=${path.join(dir, "wasm3-obj")}`, `BIN=${bin}`], { stdio: "pipe" });
  return bin;
}
