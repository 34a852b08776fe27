// The figures the profiles carry from the emulated board
// (boards/profiles/*.json "emulated") stay true: each "largest model" is
// accepted by the plan for that profile and one unit wider is refused (the
// board refuses exactly what the plan refuses: limits.test.ts), and the RAM
// high-water marks fit the RAM the emulated firmware gets.
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

const fits = (board: string, opt: string, h: number) =>
  runCli(["plan", "--layers", `16,${h},${h},4`, "--act", "relu", "--loss", "ce", "--opt", opt, "--batch", "32", "--chunk", "8", "--board", board]).code === 0;

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
