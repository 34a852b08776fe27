// Builds everything `npm ci` must leave behind:
//   build/edgeprop.wasm       the reactor module (imports nothing)
//   build/edgeprop-wasi.wasm  the same engine as a WASI command (protocol on stdio)
//   dist/edgeprop.mjs         the host library and CLI, bundled
// The build id is a hash of the engine's sources and the memory settings, so a
// board and the host can tell whether they run the same module.
// @ts-check
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const only = process.argv[2];
  if (!only || only === "wasm") {
    buildModule({ out: join(root, "build", "edgeprop.wasm") });
    buildModule({ out: join(root, "build", "edgeprop-wasi.wasm"), wasi: true });
  }
  if (!only || only === "host") await bundleHost();
}
