// assembly/mathf32.ts, the f32-only exp and log the softmax cross-entropy
// uses (no f64 inside: no soft-double on a single-precision FPU), compiled on
// its own: within 1 ulp (exp) and 2 ulps (log) of the correctly rounded value
// over the ranges the loss meets, and exact at the edges.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, copyFileSync } from "node:fs";
import path from "node:path";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";

const work = tmpDir("edgeprop-mathf32-");
let expf32: (x: number) => number, logf32: (x: number) => number;
beforeAll(async () => {
  copyFileSync(path.join(repoRoot, "assembly", "mathf32.ts"), path.join(work, "mathf32.ts"));
  writeFileSync(path.join(work, "entry.ts"), 'export { expf32, logf32 } from "./mathf32";\n');
  execFileSync(path.join(repoRoot, "node_modules", ".bin", "asc"), ["entry.ts", "-O3", "--runtime", "stub", "-o", "m.wasm"], { cwd: work, stdio: "pipe" });
  const { instance } = await WebAssembly.instantiate(readFileSync(path.join(work, "m.wasm")));
  ({ expf32, logf32 } = instance.exports as unknown as { expf32: (x: number) => number; logf32: (x: number) => number });
}, 60_000);
afterAll(() => rmDir(work));

const f = Math.fround;
const view = new DataView(new ArrayBuffer(4));
const bits = (x: number): number => { view.setFloat32(0, x); return view.getInt32(0); };
const ulps = (a: number, b: number): number => Math.abs(bits(a) - bits(b));

describe("f32-only exp and log", () => {
  it("exp is within 1 ulp on [-87, 88] and exact at the edges", () => {
    let worst = 0;
    for (let i = 0; i <= 200_000; i++) {
      const x = f(-87 + 175 * (i / 200_000));
      worst = Math.max(worst, ulps(expf32(x), f(Math.exp(x))));
    }
    expect(worst).toBeLessThanOrEqual(1);
    expect(expf32(0)).toBe(1);
    expect(expf32(100)).toBe(Infinity);
    expect(expf32(-200)).toBe(0);
    expect(expf32(NaN)).toBeNaN();
  });

  it("log is within 2 ulps (where |log x| > 1e-3) on [e^-80, e^80] and exact at the edges", () => {
    let worst = 0;
    for (let i = 0; i <= 200_000; i++) {
      const x = f(Math.exp(-80 + 160 * (i / 200_000)));
      const want = f(Math.log(x));
      if (Math.abs(want) > 1e-3) worst = Math.max(worst, ulps(logf32(x), want));
    }
    expect(worst).toBeLessThanOrEqual(2);
    expect(logf32(1)).toBe(0);
    expect(logf32(0)).toBe(-Infinity);
    expect(logf32(-1)).toBeNaN();
    expect(logf32(Infinity)).toBe(Infinity);
    expect(Math.abs(logf32(f(1.0001)) - Math.log(f(1.0001)))).toBeLessThan(1e-7);
  });
});
