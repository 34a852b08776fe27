// Builds everything `npm ci` must leave behind:
//   build/edgeprop.wasm       the reactor module (imports nothing)
//   build/edgeprop-wasi.wasm  the same engine as a WASI command (protocol on stdio)
//   dist/edgeprop.mjs         the host library and CLI, bundled
//   build/w2c/<profile>/      each board profile's module translated by wasm2c
//                             for edgeprop's wasm-rt (edgeprop.c, edgeprop.h,
//                             module.sha256: the module it was made from), so
//                             `flash` needs no WABT where the module matches;
//                             skipped, with a note, where wasm2c is missing
//   node scripts/build.mjs [wasm,host,w2c]    (default: all three)
// The build id is a hash of the engine's sources and the memory settings, so a
// board and the host can tell whether they run the same module.
// @ts-check
import { createHash } from "node:crypto";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const asc = join(root, "node_modules", ".bin", "asc");

/** @param {string} dir @returns {string[]} */
function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith(".ts") ? [p] : [];
  }).sort();
}

/** @param {number} pages @param {number} memoryLimit @returns {number} */
export function buildId(pages, memoryLimit) {
  const h = createHash("sha256");
  for (const f of sources(join(root, "assembly"))) h.update(readFileSync(f));
  h.update(readFileSync(join(root, "asconfig.json")));
  h.update(`${pages}:${memoryLimit}`);
  return h.digest().readUInt32LE(0);
}

/**
 * Compiles the engine (`wasi`: the WASI command entry) with `pages` of
 * memory and a board's MEMORY_LIMIT baked in (0: all of it). The one place the
 * compiler is called: `edgeprop build/flash --board` come here too.
 * @param {{ pages?: number, memoryLimit?: number, out: string, wasi?: boolean, quiet?: boolean }} options
 * @returns {{ buildId: number, bytes: Uint8Array }}
 */
export function buildModule({ pages = 64, memoryLimit = 0, out, wasi = false, quiet = false }) {
  if (!Number.isInteger(pages) || pages < 1 || pages > 65536) throw new RangeError(`pages must be 1..65536, not ${pages}`);
  if (!Number.isInteger(memoryLimit) || memoryLimit < 0) throw new RangeError(`memoryLimit must be >= 0, not ${memoryLimit}`);
  const id = buildId(pages, memoryLimit);
  mkdirSync(dirname(out), { recursive: true });
  const args = [
    "--config", join(root, "asconfig.json"), "--target", "release",
    "--initialMemory", String(pages), "--maximumMemory", String(pages),
    "--use", `MEMORY_LIMIT=${memoryLimit}`, "--use", `BUILD_ID=${id}`,
    "-o", out, "--textFile", out.replace(/\.wasm$/, ".wat"),
  ];
  if (wasi) args.unshift(join(root, "assembly", "wasi.ts"));
  try {
    execFileSync(asc, args, { cwd: root, stdio: quiet ? "pipe" : "inherit" });
  } catch (e) {
    // execFileSync's error: the child's output rides on it.
    const err = /** @type {Error & { stdout?: Buffer, stderr?: Buffer }} */ (e);
    const detail = `${err.stdout?.toString() ?? ""}${err.stderr?.toString() ?? ""}`.trim();
    throw new Error(`AssemblyScript build failed (${pages} pages, memory limit ${memoryLimit}): ${detail || err.message}`);
  }
  return { buildId: id, bytes: new Uint8Array(readFileSync(out)) };
}

async function bundleHost() {
  const esbuild = await import("esbuild");
  await esbuild.build({
    entryPoints: [join(root, "host", "cli", "main.ts")],
    outfile: join(root, "dist", "edgeprop.mjs"),
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: true,
    logLevel: "warning",
  });
}

/** The file names of a shipped translation (build/w2c/<profile>/). */
export const SHIPPED_W2C_FILES = ["edgeprop.c", "edgeprop.h"];

/**
 * sha256 of a module's bytes, hex: what a shipped translation was made from.
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function moduleHash(bytes) {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Each profile's module (as flash builds it) translated by wasm2c and adapted to edgeprop's wasm-rt. */
async function translateProfiles() {
  if (spawnSync("wasm2c", ["--version"], { stdio: "ignore" }).status !== 0) {
    process.stderr.write("build: no wasm2c (WABT): build/w2c not written; flash will run wasm2c itself\n");
    return;
  }
  const { adaptWasm2c } = await import("../boards/common/wasm-rt/adapt-wasm2c.mjs");
  const dir = join(root, "boards", "profiles");
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort()) {
    const profile = JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8"));
    const wasm = join(root, "build", "boards", name, "edgeprop.wasm");
    const { bytes } = buildModule({ pages: profile.pages, memoryLimit: profile.memory_limit, out: wasm, quiet: true });
    const out = join(root, "build", "w2c", name), tmp = `${out}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    execFileSync("wasm2c", [wasm, "-n", "edgeprop", "-o", join(tmp, "edgeprop.c")]);
    writeFileSync(join(tmp, "edgeprop.c"), adaptWasm2c(readFileSync(join(tmp, "edgeprop.c"), "utf8")));
    writeFileSync(join(tmp, "module.sha256"), moduleHash(bytes) + "\n");
    rmSync(out, { recursive: true, force: true });
    renameSync(tmp, out);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const parts = (process.argv[2] ?? "wasm,host,w2c").split(",");
  if (parts.includes("wasm")) {
    buildModule({ out: join(root, "build", "edgeprop.wasm") });
    buildModule({ out: join(root, "build", "edgeprop-wasi.wasm"), wasi: true });
  }
  if (parts.includes("host")) await bundleHost();
  if (parts.includes("w2c")) await translateProfiles();
}
