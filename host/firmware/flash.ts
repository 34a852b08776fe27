// edgeprop flash: build the module for a board profile, put it into the
// firmware (boards/esp32/src/edgeprop_module.h), and have PlatformIO build and
// upload the firmware. Without PlatformIO it says what to install and what it
// would have run, and returns 2.
import { hexId } from "../text/number-format.js";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { UsageError } from "../errors.js";
import { join } from "node:path";
import { writeFileAtomic } from "../files/atomic-write.js";
import { buildModule } from "./build-module.js";
import { moduleHeader } from "./header.js";
import { packagePath } from "../files/package-path.js";
import type { BoardProfile } from "./profiles.js";
import { writeWasm2cSources } from "./wasm2c-sources.js";
import { findOnPath } from "./find-on-path.js";

export interface FlashOptions {
  /** The pio executable; default: `pio` (then `platformio`) found on PATH. */
  pio?: string | null;
  /** Where messages go (default: stderr). */
  log?: (line: string) => void;
  /** Only build the module and write the header; do not run pio. */
  headerOnly?: boolean;
  /** The firmware's engine: wasm2c (default, the module translated to C at build time) or wasm3 (interpreted at run time). */
  engine?: BoardEngine;
  /** The UART receive buffer for the model being flashed (rx-buffer.ts); absent, the firmware estimates it. */
  rxBuffer?: number;
}

export const BOARD_ENGINES = ["wasm2c", "wasm3"] as const;
export type BoardEngine = (typeof BOARD_ENGINES)[number];
/** wasm2c: the module compiled into the firmware (docs/boards.md's trade-off: 3-35x fewer instructions than wasm3 on the emulated boards). */
export const DEFAULT_BOARD_ENGINE: BoardEngine = "wasm2c";

/** boards/esp32/src/w2c: the translated module for the -wasm2c environments (generated, ignored by git). */
export function wasm2cDir(): string {
  return join(firmwareDir(), "src", "w2c");
}

export function firmwareDir(): string {
  return packagePath("boards", "esp32");
}

export function firmwareHeaderPath(): string {
  return join(firmwareDir(), "src", "edgeprop_module.h");
}

/** The package's own wasm2c translation of a profile's module (scripts/build.mjs: build/w2c/<profile>). */
export function shippedWasm2cDir(profile: BoardProfile): string {
  return packagePath("build", "w2c", profile.name);
}

/** The module built for a profile lands here (next to build/edgeprop.wasm). */
export function profileModulePath(profile: BoardProfile): string {
  return packagePath("build", "boards", profile.name, "edgeprop.wasm");
}

/** The PlatformIO environment of a profile and engine (boards/esp32/platformio.ini: `<env>` and `<env>-wasm2c`). */
export function pioEnv(profile: BoardProfile, engine: BoardEngine = DEFAULT_BOARD_ENGINE): string {
  return engine === "wasm2c" ? `${profile.pio_env}-wasm2c` : profile.pio_env;
}

/** A profile without a PlatformIO firmware ("pio_env": "none": the esp8266, emulated only) is refused before any work. */
function assertFirmwareEnv(profile: BoardProfile, engine: BoardEngine): void {
  const env = pioEnv(profile, engine);
  if (profile.pio_env !== "none" && readFileSync(join(firmwareDir(), "platformio.ini"), "utf8").includes(`[env:${env}]`)) return;
  throw new UsageError(`no firmware to flash for the ${profile.name} profile: boards/esp32/platformio.ini has no [env:${env}]` +
    (profile.pio_env === "none" ? `; it runs on the emulated board only (--emulate ${profile.name})` : ""));
}

export function pioArgs(profile: BoardProfile, port?: string, engine: BoardEngine = DEFAULT_BOARD_ENGINE): string[] {
  const args = ["run", "-d", firmwareDir(), "-e", pioEnv(profile, engine), "-t", "upload"];
  if (port) args.push("--upload-port", port);
  return args;
}

const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** Builds the module for `profile`, writes the firmware header, uploads with
 * PlatformIO. Resolves to an exit code: 0 done, 2 PlatformIO missing,
 * otherwise pio's own exit code. */
export async function flash(profile: BoardProfile, port?: string, opts: FlashOptions = {}): Promise<number> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const engine = opts.engine ?? DEFAULT_BOARD_ENGINE;
  assertFirmwareEnv(profile, engine);
  const out = profileModulePath(profile);
  const { bytes, buildId } = buildModule({ pages: profile.pages, memoryLimit: profile.memory_limit, out });
  const header = firmwareHeaderPath();
  writeFileAtomic(header, moduleHeader(bytes, buildId, profile, opts.rxBuffer));
  log(`edgeprop: module for ${profile.name}: ${bytes.length} bytes, ${profile.pages} page(s), ` +
    `memory limit ${profile.memory_limit}, build ${hexId(buildId)}` +
    (opts.rxBuffer !== undefined ? `, UART receive buffer ${opts.rxBuffer} bytes` : "") + ` -> ${header}`);
  if (engine === "wasm2c") {
    writeWasm2cSources(out, wasm2cDir(), shippedWasm2cDir(profile));
    log(`edgeprop: the module translated by wasm2c -> ${wasm2cDir()}`);
  }
  if (opts.headerOnly) return 0;

  const args = pioArgs(profile, port, engine);
  const pio = opts.pio === undefined ? (findOnPath("pio") ?? findOnPath("platformio")) : opts.pio;
  if (!pio) {
    log("edgeprop: PlatformIO is not installed (no `pio` on PATH). Install it with:");
    log("  pip install platformio");
    log("then run (or re-run edgeprop flash):");
    log("  " + ["pio", ...args].map(quote).join(" "));
    return 2;
  }
  log("edgeprop: " + [pio, ...args].map(quote).join(" "));
  return await new Promise<number>((resolvePromise, reject) => {
    const child = spawn(pio, args, { cwd: firmwareDir(), stdio: "inherit" });
    child.on("error", reject);
    child.on("exit", (code, signal) => resolvePromise(code ?? (signal ? 1 : 0)));
  });
}
