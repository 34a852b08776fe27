// Recomputes the "largest model per optimizer" figures from the memory plan:
// for every board profile (boards/profiles/*.json) and optimizer, the widest
// 16-H-H-4 ReLU/CE model (batch 32, chunk 8, the P2 benchmark's shape) whose
// `edgeprop plan --board` fits, with its total bytes and the bytes of one unit
// wider (which the board refuses with both numbers).
//
//   node scripts/profile-figures.mjs           prints the table
//   node scripts/profile-figures.mjs --write   also rewrites the figures where
//       they are kept: each profile's emulated.largest_model (profiles that
//       carry one) and docs/boards.md's largest-model table and its example
//
// Why a script: the figures follow the module's static data and the plan's
// arithmetic, so any change to either moves them; this is the one command that
// makes them true again. It asks the real CLI (bin/edgeprop.js, which uses
// build/edgeprop.wasm's static_bytes): run `node scripts/build.mjs` first.
// tests/emulated/profile-figures.test.ts checks the profiles' cells.
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeAtomically } from "./write-atomically.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "bin", "edgeprop.js");
const profilesDir = join(root, "boards", "profiles");
const boardsDoc = join(root, "docs", "boards.md");

/** The optimizers of the table, in its column order. */
export const OPTIMIZERS = ["sgd", "momentum", "adagrad", "rmsprop", "adam"];
/** The model shape: INPUTS-H-H-OUTPUTS, ReLU, cross-entropy, P2's batch, the profiles' chunk. */
const INPUTS = 16;
const OUTPUTS = 4;
const BATCH = 32;
const CHUNK = 8;
/** No profile's memory reaches a hidden width this large (the S3's 2 MiB holds about 500). */
const MAX_WIDTH = 1 << 14;
/** The example the docs spell out: this profile's Adam cell. */
const EXAMPLE_PROFILE = "esp32";
const EXAMPLE_OPTIMIZER = "adam";
/** The refusal the docs quote from the emulated board: one unit wider than this cell. */
const REFUSAL_PROFILE = "esp32-c3";
const REFUSAL_OPTIMIZER = "sgd";

const modelName = (h) => `${INPUTS}-${h}-${h}-${OUTPUTS}`;

/** The plan of INPUTS-h-h-OUTPUTS for `optimizer` on `board`, from the CLI: { total_bytes, fits, ... }. */
function plan(board, optimizer, h) {
  const args = ["plan", "--layers", `${INPUTS},${h},${h},${OUTPUTS}`, "--act", "relu", "--loss", "ce",
    "--opt", optimizer, "--batch", String(BATCH), "--chunk", String(CHUNK), "--board", board, "--json"];
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  if (r.error) throw r.error;
  const line = r.stdout.trim();
  if (!line.startsWith("{")) throw new Error(`edgeprop ${args.join(" ")} printed no plan (exit ${r.status}): ${r.stderr.trim()}`);
  const p = JSON.parse(line);
  if ((r.status === 0) !== p.fits) throw new Error(`edgeprop ${args.join(" ")}: exit ${r.status} but fits=${p.fits}`);
  return p;
}

/** The widest h that fits (the plan grows with h), searched from `guess` outward, then bisected. */
function widest(board, optimizer, guess) {
  const fits = (h) => plan(board, optimizer, h).fits;
  let lo, hi; // fits(lo), !fits(hi)
  if (fits(guess)) {
    lo = guess;
    for (let step = 1; ; step *= 2) {
      const h = Math.min(guess + step, MAX_WIDTH);
      if (!fits(h)) { hi = h; break; }
      lo = h;
      if (h === MAX_WIDTH) throw new Error(`${board} ${optimizer}: ${modelName(h)} still fits`);
    }
  } else {
    hi = guess;
    for (let step = 1; ; step *= 2) {
      const h = guess - step;
      if (h < 1) { if (!fits(1)) return null; lo = 1; break; }
      if (fits(h)) { lo = h; break; }
      hi = h;
    }
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fits(mid)) lo = mid; else hi = mid;
  }
  return lo;
}

function readProfiles() {
  return readdirSync(profilesDir).filter((f) => f.endsWith(".json")).sort().map((f) => {
    const path = join(profilesDir, f);
    return { path, json: JSON.parse(readFileSync(path, "utf8")) };
  });
}

/** The current widths in docs/boards.md's table, as guesses: { profile: { optimizer: h } }. */
function tableWidths(doc) {
  const out = {};
  for (const line of doc.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    const widths = cells.slice(3, 3 + OPTIMIZERS.length).map((c) => /^16-(\d+)-\1-4 /.exec(c)?.[1]);
    if (widths.length === OPTIMIZERS.length && widths.every(Boolean)) {
      out[cells[1]] = Object.fromEntries(OPTIMIZERS.map((o, i) => [o, Number(widths[i])]));
    }
  }
  return out;
}

export function computeFigures() {
  const guesses = tableWidths(readFileSync(boardsDoc, "utf8"));
  return readProfiles().map(({ path, json }) => {
    const cells = OPTIMIZERS.map((optimizer) => {
      const guess = guesses[json.name]?.[optimizer] ?? Number(/^16-(\d+)-/.exec(json.emulated?.largest_model?.[optimizer] ?? "")?.[1] ?? 32);
      const h = widest(json.name, optimizer, guess);
      if (h === null) return { optimizer, h: null };
      return { optimizer, h, total: plan(json.name, optimizer, h).total_bytes, wider: plan(json.name, optimizer, h + 1).total_bytes };
    });
    return { path, profile: json, cells };
  });
}

const bytes = (n) => n.toLocaleString("en-US");
const cellText = (c) => (c.h === null ? "none" : `${modelName(c.h)} (${bytes(c.total)} B)`);

function updateProfiles(figures) {
  for (const { path, profile, cells } of figures) {
    if (!profile.emulated?.largest_model) continue; // only measured profiles carry the cells
    for (const c of cells) profile.emulated.largest_model[c.optimizer] = c.h === null ? null : modelName(c.h);
    writeAtomically(path, JSON.stringify(profile, null, 2) + "\n");
  }
}

function updateBoardsDoc(figures) {
  let doc = readFileSync(boardsDoc, "utf8");
  for (const { profile, cells } of figures) {
    const row = new RegExp(`^\\| ${profile.name} \\| [\\d,]+ \\| 16-\\d+-\\d+-4 .*$`, "m");
    if (!row.test(doc)) throw new Error(`docs/boards.md: no largest-model row for ${profile.name}`);
    doc = doc.replace(row, `| ${profile.name} | ${bytes(profile.memory_limit)} | ${cells.map(cellText).join(" | ")} |`);
  }
  const example = figures.find((f) => f.profile.name === EXAMPLE_PROFILE)?.cells.find((c) => c.optimizer === EXAMPLE_OPTIMIZER);
  if (example?.h) {
    const cmd = new RegExp(`(edgeprop plan --layers )16,\\d+,\\d+,4( --act relu --loss ce --opt ${EXAMPLE_OPTIMIZER} --batch ${BATCH} --chunk ${CHUNK} --board ${EXAMPLE_PROFILE}\`\\s+is accepted, one unit wider \\()16-\\d+-\\d+-4\\)`);
    if (!cmd.test(doc)) throw new Error("docs/boards.md: the example command of the largest-model table is not where expected");
    doc = doc.replace(cmd, `$116,${example.h},${example.h},4$2${modelName(example.h + 1)})`);
  }
  const refused = figures.find((f) => f.profile.name === REFUSAL_PROFILE);
  const refusedCell = refused?.cells.find((c) => c.optimizer === REFUSAL_OPTIMIZER);
  if (refusedCell?.h) {
    const quote = new RegExp(`needs \\d+ bytes, the board allows(\\s+)${refused.profile.memory_limit}\``);
    if (!quote.test(doc)) throw new Error("docs/boards.md: the emulated board's refusal quote is not where expected");
    doc = doc.replace(quote, `needs ${refusedCell.wider} bytes, the board allows$1${refused.profile.memory_limit}\``);
  }
  writeAtomically(boardsDoc, doc);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const write = process.argv.includes("--write");
  const unknown = process.argv.slice(2).filter((a) => a !== "--write");
  if (unknown.length) {
    process.stderr.write(`profile-figures: unknown argument ${unknown[0]} (usage: node scripts/profile-figures.mjs [--write])\n`);
    process.exit(2);
  }
  const figures = computeFigures();
  process.stdout.write(`| board | memory limit (bytes) | ${OPTIMIZERS.join(" | ")} |\n`);
  for (const { profile, cells } of figures) {
    process.stdout.write(`| ${profile.name} | ${bytes(profile.memory_limit)} | ${cells.map(cellText).join(" | ")} |\n`);
  }
  process.stdout.write("\none unit wider (refused), total bytes:\n");
  for (const { profile, cells } of figures) {
    process.stdout.write(`  ${profile.name}: ${cells.map((c) => `${c.optimizer} ${c.h === null ? "-" : `${modelName(c.h + 1)} ${c.wider}`}`).join(", ")}\n`);
  }
  if (write) {
    updateProfiles(figures);
    updateBoardsDoc(figures);
    process.stdout.write("\nwritten: boards/profiles/*.json (emulated.largest_model), docs/boards.md (largest-model table)\n");
  }
}
