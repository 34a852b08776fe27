// Re-measures the RAM high-water figures of boards/profiles/*.json
// ("emulated.ram_high_water_bytes") on the emulated board: every largest-model
// cell of a profile (emulated.largest_model) trains one epoch of 64 rows with
// `edgeprop sim --emulate PROFILE:ENGINE`, and the figure per engine is the
// largest heap and stack high-water the firmware reported over those runs.
//
//   node scripts/emulated-ram-figures.mjs [--profile NAME] [--engine wasm2c|wasm3] [--write]
//
// wasm3 is measured when EDGEPROP_M3_INCLUDE and EDGEPROP_M3_RV32IMC_LIB /
// _RV32IMFC_LIB name a cross-built wasm3 (docs/emulated-board.md), else only
// wasm2c; --write stores the figures of the engines measured in the profiles
// (docs/boards.md's RAM table is then copied by hand). Needs QEMU and the
// cross toolchain; about a minute per run on a busy 2-core machine.
// Run scripts/profile-figures.mjs --write first: the cells must be current.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeAtomically } from "./write-atomically.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "bin", "edgeprop.js");
const profilesDir = join(root, "boards", "profiles");
const ENGINES = ["wasm2c", "wasm3"];
/** The figures' runs: 64 rows of 16 inputs, 4 classes, batch 32, chunk 8, one epoch. */
const ROWS = 64;
const INPUTS = 16;
const CLASSES = 4;

function usage(message) {
  process.stderr.write(`emulated-ram-figures: ${message} (usage: node scripts/emulated-ram-figures.mjs [--profile NAME] [--engine wasm2c|wasm3] [--write])\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { profile: null, engine: null, write: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--write") opts.write = true;
    else if (a === "--profile" || a === "--engine") {
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      opts[a.slice(2)] = argv[++i];
    } else usage(`unknown argument ${a}`);
  }
  if (opts.engine && !ENGINES.includes(opts.engine)) usage(`--engine must be one of ${ENGINES.join(", ")}, not ${opts.engine}`);
  return opts;
}

/** A fixed data set of the cells' shape (a linear congruential generator, so every run trains the same rows). */
function writeData(dir) {
  let state = 12345;
  const next = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const lines = [[...Array.from({ length: INPUTS }, (_, i) => `x${i}`), "y"].join(",")];
  for (let r = 0; r < ROWS; r++) lines.push([...Array.from({ length: INPUTS }, () => next().toFixed(4)), String(r % CLASSES)].join(","));
  const path = join(dir, "rows.csv");
  writeFileSync(path, lines.join("\n") + "\n");
  return path;
}

/** One epoch of `model` (16-H-H-4) with `optimizer` on the emulated board: its done event. */
function measure(profile, engine, optimizer, model, data) {
  const layers = model.split("-").join(",");
  const args = ["sim", "--data", data, "--layers", layers, "--act", "relu", "--loss", "ce", "--opt", optimizer,
    "--batch", "32", "--chunk", "8", "--epochs", "1", "--emulate", `${profile}:${engine}`, "--json"];
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, maxBuffer: 1 << 26 });
  if (r.error) throw r.error;
  const events = r.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  const done = events.find((e) => e.event === "done");
  if (r.status !== 0 || !done || !Number.isInteger(done.board_heap_peak_bytes) || !Number.isInteger(done.board_stack_peak_bytes)) {
    throw new Error(`edgeprop ${args.join(" ")} (exit ${r.status}) gave no board figures: ${r.stderr.trim().split("\n").slice(-3).join(" / ")}`);
  }
  return done;
}

const opts = parseArgs(process.argv.slice(2));
const engines = opts.engine ? [opts.engine] : ENGINES.filter((e) => e !== "wasm3" || process.env.EDGEPROP_M3_INCLUDE);
const files = readdirSync(profilesDir).filter((f) => f.endsWith(".json")).sort();
const targets = files.map((f) => ({ path: join(profilesDir, f), json: JSON.parse(readFileSync(join(profilesDir, f), "utf8")) }))
  .filter((p) => p.json.emulated?.largest_model && (!opts.profile || p.json.name === opts.profile));
if (opts.profile && targets.length === 0) usage(`no profile ${opts.profile} with emulated.largest_model`);

const dir = mkdtempSync(join(tmpdir(), "edgeprop-ram-"));
try {
  const data = writeData(dir);
  for (const p of targets) {
    for (const engine of engines) {
      let heap = 0, stack = 0;
      for (const [optimizer, model] of Object.entries(p.json.emulated.largest_model)) {
        const done = measure(p.json.name, engine, optimizer, model, data);
        process.stdout.write(`${p.json.name} ${engine} ${optimizer} ${model}: plan ${done.plan_bytes} B, heap ${done.board_heap_peak_bytes} B, stack ${done.board_stack_peak_bytes} B\n`);
        heap = Math.max(heap, done.board_heap_peak_bytes);
        stack = Math.max(stack, done.board_stack_peak_bytes);
      }
      process.stdout.write(`${p.json.name} ${engine}: heap high-water ${heap} B, stack high-water ${stack} B\n`);
      (p.json.emulated.ram_high_water_bytes ??= {})[engine] = { heap, stack };
    }
    if (opts.write) writeAtomically(p.path, JSON.stringify(p.json, null, 2) + "\n");
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
