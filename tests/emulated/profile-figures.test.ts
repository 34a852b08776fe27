// The figures the profiles carry from the emulated board
// (boards/profiles/*.json "emulated") stay true: each "largest model" is
// accepted by the plan for that profile and one unit wider is refused (the
// board refuses exactly what the plan refuses: limits.test.ts), and the RAM
// high-water marks fit the RAM the emulated firmware gets. docs/boards.md's
// largest-model table says the same as the profiles, and each of its cells
// (every profile, measured or not) is the widest model with the bytes it
// quotes. `node scripts/profile-figures.mjs --write` recomputes them all.
import { describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { runCli } from "../helpers/cli";
import { repoRoot } from "../helpers/paths";

const dir = path.join(repoRoot, "boards", "profiles");
const profiles = readdirSync(dir).filter((f) => f.endsWith(".json")).map((f) => JSON.parse(readFileSync(path.join(dir, f), "utf8")));
/** RAM of the emulated firmware per profile and its stack (boards/qemu/Makefile RAM_BYTES_*, STACK_BYTES). */
const RAM: Record<string, number> = { "esp32-c3": 327680, esp32: 327680, "esp32-s3": 8716288 };
const STACK = 32768;

/** The plan of 16-h-h-4 for `opt` on `board` (chunk 8), as `edgeprop plan --board --json` prints it; exit 0 exactly when it fits. */
function plan(board: string, opt: string, h: number): { total_bytes: number; fits: boolean } {
  const r = runCli(["plan", "--layers", `16,${h},${h},4`, "--act", "relu", "--loss", "ce", "--opt", opt, "--batch", "32", "--chunk", "8", "--board", board, "--json"]);
  const p = JSON.parse(r.stdout);
  expect(r.code === 0).toBe(p.fits);
  return p;
}
const fits = (board: string, opt: string, h: number) => plan(board, opt, h).fits;

const OPTIMIZERS = ["sgd", "momentum", "adagrad", "rmsprop", "adam"];
/** docs/boards.md's largest-model rows: { board: { opt: [h, total bytes] } }. */
const doc = readFileSync(path.join(repoRoot, "docs", "boards.md"), "utf8");
const table: Record<string, Record<string, [number, number]>> = {};
for (const line of doc.split("\n")) {
  const cells = line.split("|").map((c) => c.trim());
  const parsed = cells.slice(3, 3 + OPTIMIZERS.length).map((c) => /^16-(\d+)-\1-4 \(([\d,]+) B\)$/.exec(c));
  if (parsed.length === OPTIMIZERS.length && parsed.every(Boolean)) {
    table[cells[1]] = Object.fromEntries(OPTIMIZERS.map((o, i) => [o, [Number(parsed[i]![1]), Number(parsed[i]![2].replace(/,/g, ""))]]));
  }
}

describe("docs/boards.md: the largest model per optimizer", () => {
  it("has a row for every profile", () => {
    expect(Object.keys(table).sort()).toEqual(profiles.map((p) => p.name).sort());
  });
  for (const p of profiles) {
    it.each(OPTIMIZERS)(`${p.name} %s: the widest 16-H-H-4 that fits, with the plan's bytes, and the profile's figure`, (opt) => {
      const [h, bytes] = table[p.name][opt];
      const widest = plan(p.name, opt, h);
      expect(widest.fits).toBe(true);
      expect(widest.total_bytes).toBe(bytes);
      expect(fits(p.name, opt, h + 1)).toBe(false);
      if (p.emulated?.largest_model) expect(p.emulated.largest_model[opt]).toBe(`16-${h}-${h}-4`);
    });
  }
});

for (const p of profiles.filter((q) => q.emulated?.largest_model)) {
  describe(`${p.name}: the emulated board's figures`, () => {
    it.each(Object.entries(p.emulated.largest_model as Record<string, string>))("%s: %s is the widest 16-H-H-4 that fits", (opt, model) => {
      const h = Number(/^16-(\d+)-\1-4$/.exec(model)![1]);
      expect(fits(p.name, opt, h)).toBe(true);
      expect(fits(p.name, opt, h + 1)).toBe(false);
    });
    it("RAM high-water within the firmware's RAM", () => {
      for (const used of Object.values(p.emulated.ram_high_water_bytes as Record<string, { heap: number; stack: number }>)) {
        expect(used.heap + STACK).toBeLessThanOrEqual(RAM[p.name]);
        expect(used.stack).toBeLessThan(STACK);
      }
    });
  });
}
