// The boards' masked accesses (boards/common/wasm-rt): adapt-wasm2c.mjs turns
// every load and store of the translated module into base-masked form (the
// base masked into the power-of-two memory, the static offset added after, so
// it can be the instruction's immediate), and the memory is allocated with a
// guard after it as large as the module's largest offset + 8. Here: no access
// of the real module escapes the rewrite, the guard matches its offsets, and
// (AddressSanitizer) the worst address any base can give stays inside the
// allocation with the guard and leaves it without.
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { adaptWasm2c } from "../../boards/common/wasm-rt/adapt-wasm2c.mjs";
import { repoRoot, rmDir, tmpDir, wasmPath } from "../helpers/paths";
import { WASM_RT_PROBE_PRELUDE } from "./wasm-rt-probe";

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const WASM_RT = path.join(repoRoot, "boards", "common", "wasm-rt");
const work = tmpDir("edgeprop-masked-rt-");
afterAll(() => rmDir(work));

const asanWorks = (() => {
  if (!has("cc")) return false;
  const c = path.join(work, "asan-check.c");
  writeFileSync(c, "int main(void) { return 0; }\n");
  return spawnSync("cc", ["-fsanitize=address", c, "-o", path.join(work, "asan-check")]).status === 0;
})();

/** The module translated and adapted, with the largest static offset and the guard it asks for. */
function adapted(): { source: string; maxOffset: number; guard: number } {
  const raw = path.join(work, "edgeprop.c");
  execFileSync("wasm2c", [wasmPath, "-n", "edgeprop", "-o", raw], { stdio: "pipe" });
  const source = adaptWasm2c(readFileSync(raw, "utf8"));
  const offsets = [...source.matchAll(/_(?:load|store)\w*_at\(&instance->w2c_memory, ep_mem, w2c_\w+, (\d+)u[,)]/g)].map((m) => Number(m[1]));
  const guard = /ep_wasm_allocate_memory\(&instance->w2c_memory, \d+, \d+, (\d+)u\);/.exec(source);
  return { source, maxOffset: Math.max(...offsets), guard: guard ? Number(guard[1]) : -1 };
}

describe.skipIf(!has("wasm2c"))("the module's accesses, masked by base on the boards", () => {
  it("every load and store is the base-masked form, and the guard covers the largest offset", () => {
    const { source, maxOffset, guard } = adapted();
    expect(source).not.toMatch(/\b[if](?:32|64)_(?:load|store)(?:8|16|32)?(?:_[su])?\(&instance->w2c_memory/);
    expect(source.match(/_at\(&instance->w2c_memory, ep_mem, /g)?.length ?? 0).toBeGreaterThan(300);
    // The 4x4 blocks' offsets at least (dense.ts: base + 4, 8, 12).
    expect(maxOffset).toBeGreaterThanOrEqual(12);
    expect(guard).toBe(maxOffset + 8);
    expect(source).not.toMatch(/wasm_rt_allocate_memory\(/);
  }, 60_000);

  it.skipIf(!asanWorks)("the worst masked address stays inside memory + guard (AddressSanitizer), and leaves it without the guard", () => {
    const { maxOffset, guard } = adapted();
    const probe = path.join(work, "masked-probe.c");
    writeFileSync(probe, [
      ...WASM_RT_PROBE_PRELUDE,
      "  ep_wasm_allocate_memory(&m, 1, 1, (u32)atoi(argv[1]));",
      `  f64_store_at(&m, m.data, 0xffffffffu, ${maxOffset}u, 1.0);`,
      `  return (int)f64_load_at(&m, m.data, 0xffffffffu, ${maxOffset}u) - 1;`,
      "}",
    ].join("\n"));
    const bin = path.join(work, "masked-probe");
    execFileSync("cc", ["-O1", "-fsanitize=address", "-DEP_WASM_MEMORY_BYTES=65536u", `-I${WASM_RT}`, probe,
      path.join(WASM_RT, "wasm-rt-impl.c"), "-o", bin], { stdio: "pipe" });
    const guarded = spawnSync(bin, [String(guard)], { encoding: "utf8" });
    expect(guarded.stderr).toBe("");
    expect(guarded.status).toBe(0);
    const bare = spawnSync(bin, ["0"], { encoding: "utf8" });
    expect(bare.status).not.toBe(0);
    expect(bare.stderr).toMatch(/heap-buffer-overflow/);
  }, 60_000);
});
