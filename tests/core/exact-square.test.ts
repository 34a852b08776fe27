// assembly/exact-square.ts, compiled on its own: the f64 square of every f32
// it is given is bit for bit `<f64>e * <f64>e` (exact in f64, so JavaScript's
// double product of the f32 value is the reference): random bit patterns
// over every exponent, and the edges (zero, subnormals, the largest and
// smallest normals, infinities, NaN).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, copyFileSync } from "node:fs";
import path from "node:path";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";

const work = tmpDir("edgeprop-exact-square-");
let squareToF64: (x: number) => number;
beforeAll(async () => {
  copyFileSync(path.join(repoRoot, "assembly", "exact-square.ts"), path.join(work, "exact-square.ts"));
  writeFileSync(path.join(work, "entry.ts"), 'import { squareToF64 } from "./exact-square";\nexport function square(x: f32): f64 { return squareToF64(x); }\n');
  execFileSync(path.join(repoRoot, "node_modules", ".bin", "asc"), ["entry.ts", "-O3", "--runtime", "stub", "-o", "m.wasm"], { cwd: work, stdio: "pipe" });
  const { instance } = await WebAssembly.instantiate(readFileSync(path.join(work, "m.wasm")));
  squareToF64 = (instance.exports as unknown as { square: (x: number) => number }).square;
}, 60_000);
afterAll(() => rmDir(work));

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const fromBits = (b: number): number => { u32[0] = b >>> 0; return f32[0] ?? NaN; };
const f64 = new Float64Array(2);
const same = (a: number, b: number): boolean => { f64[0] = a; f64[1] = b; const u = new Uint32Array(f64.buffer); return u[0] === u[2] && u[1] === u[3]; };

describe("the exact f64 square of an f32", () => {
  it("matches the double product for random f32s of every exponent", () => {
    let seed = 12345;
    const next = (): number => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed; };
    let wrong = 0;
    for (let i = 0; i < 300_000; i++) {
      const x = fromBits(next());
      if (Number.isNaN(x)) continue;
      if (!same(squareToF64(x), x * x)) wrong++;
    }
    expect(wrong).toBe(0);
  });

  it("matches at the edges", () => {
    const edges = [0, 0x80000000, 1, 0x7fffff, 0x800000, 0x80800000, 0x7f7fffff, 0xff7fffff, 0x3f800000, 0x3fffffff, 0x3fc00000, 0x7f800000, 0xff800000];
    for (const b of edges) {
      const x = fromBits(b);
      expect(same(squareToF64(x), x * x), `bits 0x${b.toString(16)}`).toBe(true);
    }
    expect(squareToF64(fromBits(0x7fc00000))).toBeNaN();
  });
});
