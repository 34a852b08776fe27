// The wasm3 builds these tests run against, from the environment. The project
// never contains wasm3 or builds it: a developer builds libm3.a outside the
// repository and points these variables at it (docs/boards.md, "Supported
// wasm3 versions and options"):
//   EDGEPROP_M3_INCLUDE              wasm3's source/ (wasm3.h, m3_env.h)
//   EDGEPROP_M3_LIB                  a libm3.a that runs the module
//   EDGEPROP_M3_CFLAGS               the -D flags that libm3.a was compiled with
//   EDGEPROP_M3_LOW_HEIGHT_LIB       a libm3.a from the same sources built with a
//                                    stack-height limit the module's functions overrun
//   EDGEPROP_M3_LOW_HEIGHT_CFLAGS    its flags, e.g. -Dd_m3MaxFunctionStackHeight=24
//   EDGEPROP_WASM3                   the wasm3 command line (built with WASI), for `--engine wasi:<it>`
//   EDGEPROP_M3_RV32IMC_LIB, EDGEPROP_M3_RV32IMFC_LIB, EDGEPROP_M3_FLAGS
//                                    libm3.a cross-built per ISA and its d_m3 flags, for the
//                                    emulated boards (tests/emulated/wasm3.test.ts, bench/board.mjs)
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "../helpers/paths";

export interface Wasm3Build { include: string; lib: string; cflags: string }

const env = (name: string) => process.env[name] ?? "";
const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const toolsOk = has("gcc") && has("make");

export const normalBuild: Wasm3Build | null =
  toolsOk && env("EDGEPROP_M3_INCLUDE") && env("EDGEPROP_M3_LIB")
    ? { include: env("EDGEPROP_M3_INCLUDE"), lib: env("EDGEPROP_M3_LIB"), cflags: env("EDGEPROP_M3_CFLAGS") }
    : null;

export const lowHeightBuild: Wasm3Build | null =
  normalBuild && env("EDGEPROP_M3_LOW_HEIGHT_LIB") && env("EDGEPROP_M3_LOW_HEIGHT_CFLAGS")
    ? { include: normalBuild.include, lib: env("EDGEPROP_M3_LOW_HEIGHT_LIB"), cflags: env("EDGEPROP_M3_LOW_HEIGHT_CFLAGS") }
    : null;

export const SKIP_NORMAL = normalBuild ? "" : "needs gcc, make and EDGEPROP_M3_INCLUDE + EDGEPROP_M3_LIB (+ EDGEPROP_M3_CFLAGS) pointing at a wasm3 build";
export const SKIP_LOW = lowHeightBuild ? "" : "needs EDGEPROP_M3_LOW_HEIGHT_LIB and EDGEPROP_M3_LOW_HEIGHT_CFLAGS (a libm3.a built with e.g. -Dd_m3MaxFunctionStackHeight=24) besides EDGEPROP_M3_INCLUDE/EDGEPROP_M3_LIB";

/** Whether gcc here links AddressSanitizer programs (libasan installed). */
export function asanWorks(dir: string): boolean {
  mkdirSync(dir, { recursive: true });
  const src = path.join(dir, "asan-probe.c");
  writeFileSync(src, "int main(void) { return 0; }\n");
  const r = spawnSync("gcc", ["-fsanitize=address", src, "-o", path.join(dir, "asan-probe")]);
  return r.status === 0 && spawnSync(path.join(dir, "asan-probe")).status === 0;
}

/**
 * Builds the POSIX board against `lib`, with the engine compiled with
 * `engineCflags` (normally the library's own flags; a different value makes
 * the mismatched build the layout check must refuse).
 */
export function buildBoard(build: Wasm3Build, lib: string, engineCflags: string, dir: string, extraCflags = ""): string {
  const bin = path.join(dir, "edgeprop-board");
  execFileSync("make", ["-s", "-C", path.join(repoRoot, "boards", "posix"), "ENGINE=wasm3",
    `M3_INCLUDE=${build.include}`, `M3_LIB=${lib}`, `M3_CFLAGS=${engineCflags}`, `CFLAGS=${extraCflags}`,
    `OBJ=${path.join(dir, "obj")}`, `BIN=${bin}`], { stdio: "pipe" });
  return bin;
}

/** The wasm3 command line (EDGEPROP_WASM3), which runs build/edgeprop-wasi.wasm for `--engine wasi:<path>`. */
export const wasm3Cli: string | null = env("EDGEPROP_WASM3") || null;
export const SKIP_CLI = wasm3Cli ? "" : "needs EDGEPROP_WASM3 pointing at a wasm3 command line built with WASI (cmake -DBUILD_WASI=simple)";

/** wasm3 cross-built for an emulated board's ISA, as boards/qemu's Makefile takes it (m3Include, m3Lib, m3Flags). */
export interface Wasm3CrossBuild { m3Include: string; m3Lib: string; m3Flags: string | undefined }

export function crossBuild(isa: string): { build: Wasm3CrossBuild | null; skip: string } {
  const libVar = `EDGEPROP_M3_${isa.toUpperCase()}_LIB`;
  const m3Include = env("EDGEPROP_M3_INCLUDE"), m3Lib = env(libVar);
  return m3Include && m3Lib
    ? { build: { m3Include, m3Lib, m3Flags: process.env.EDGEPROP_M3_FLAGS }, skip: "" }
    : { build: null, skip: `needs EDGEPROP_M3_INCLUDE and ${libVar} (+ EDGEPROP_M3_FLAGS) pointing at a wasm3 cross-built for ${isa}` };
}
