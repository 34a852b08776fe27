// The int16 backward pass's integer-only f32 steps, compiled on their own
// (assembly/int16/to-f32.ts, add-normal.ts, leading-zeros.ts), give bit for
// bit what V8 gives: toF32Bits32(v, S) against docs/int16.md §4 computed
// with Math.fround (tests/int16/reference.ts) and against the module's own
// f32 path (toF32From32: f32.convert_i32_s, then the exponent), over random
// integers of every length, exact ties (to even) and their neighbours,
// carries into the next power of two, and scales that land on the flush and
// saturation limits; addNormalF32(g, v) against Math.fround(g + v) for any
// g and a non-zero normal v: random patterns, nearby exponents (cancellation,
// subnormal results), sparse mantissas (ties), overflow, and an edge table.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";
import { bitsOf, toF32 } from "./reference";

interface Exports {
  conv: (v: number, S: number) => number;
  convF32: (v: number, S: number) => number;
  add: (g: number, v: number) => number;
  lz: (x: number) => number;
}

const work = tmpDir("edgeprop-integer-f32-");
let m: Exports;
beforeAll(async () => {
  for (const f of ["to-f32.ts", "add-normal.ts", "leading-zeros.ts", "soft-f32.ts"]) {
    copyFileSync(path.join(repoRoot, "assembly", "int16", f), path.join(work, f));
  }
  writeFileSync(path.join(work, "entry.ts"), [
    'import { toF32Bits32, toF32From32 } from "./to-f32";',
    'import { addNormalF32 } from "./add-normal";',
    'import { leadingZeros } from "./leading-zeros";',
    "export function conv(v: i32, S: i32): u32 { return toF32Bits32(v, S); }",
    "export function convF32(v: i32, S: i32): u32 { return reinterpret<u32>(toF32From32(v, S)); }",
    "export function add(g: u32, v: u32): u32 { return addNormalF32(g, v); }",
    "export function lz(x: u32): u32 { return leadingZeros(x); }",
    "",
  ].join("\n"));
  execFileSync(path.join(repoRoot, "node_modules", ".bin", "asc"), ["entry.ts", "-O3", "--runtime", "stub", "-o", "m.wasm"], { cwd: work, stdio: "pipe" });
  const { instance } = await WebAssembly.instantiate(readFileSync(path.join(work, "m.wasm")));
  m = instance.exports as unknown as Exports;
}, 60_000);
afterAll(() => rmDir(work));

let seed = 0x1f2e3d4c;
const next = (): number => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed; };

/** How many (v, S) give other bits than §4's reference (and the f32 path); the first few logged. */
function convMismatches(cases: Array<[number, number]>): number {
  let wrong = 0;
  for (const [v, S] of cases) {
    const want = bitsOf(toF32(BigInt(v | 0), S)) >>> 0;
    const got = m.conv(v | 0, S) >>> 0, viaF32 = m.convF32(v | 0, S) >>> 0;
    if ((got !== want || viaF32 !== want) && wrong++ < 5) {
      console.error(`toF32(${v | 0}, ${S}): 0x${got.toString(16)}, f32 path 0x${viaF32.toString(16)}, reference 0x${want.toString(16)}`);
    }
  }
  return wrong;
}

/** The exponent field f32(v) has (before the scale). */
const fieldOf = (v: number): number => (bitsOf(Math.fround(v | 0)) >>> 23) & 0xff;

const f = new Float32Array(3);
const u = new Uint32Array(f.buffer);
function addMismatches(pairs: Array<[number, number]>): number {
  let wrong = 0;
  for (const [g, v] of pairs) {
    u[0] = g; u[1] = v; f[2] = (f[0] ?? 0) + (f[1] ?? 0);
    const want = u[2] ?? 0;
    const got = m.add(g >>> 0, v >>> 0) >>> 0;
    const ok = Number.isNaN(f[2]) ? (got & 0x7fffffff) > 0x7f800000 : got === want;
    if (!ok && wrong++ < 5) console.error(`add(0x${(g >>> 0).toString(16)}, 0x${(v >>> 0).toString(16)}): 0x${got.toString(16)}, V8 0x${want.toString(16)}`);
  }
  return wrong;
}
/** A non-zero normal f32's bits of either sign with exponent field e (clamped to 1..254). */
const normal = (bits: number, e: number): number => ((bits & 0x807fffff) | (Math.min(254, Math.max(1, e)) << 23)) >>> 0;
const withExponent = (bits: number, e: number): number => ((bits & 0x807fffff) | ((e & 0xff) << 23)) >>> 0;

describe("integer-only toF32 and add, bit for bit against V8", () => {
  it("leadingZeros: every single bit and random non-zero values", () => {
    for (let k = 0; k < 32; k++) expect(m.lz((2 ** k) >>> 0)).toBe(31 - k);
    let wrong = 0;
    for (let i = 0; i < 100_000; i++) { const x = (next() >>> (next() % 32)) || 1; if (m.lz(x) !== Math.clz32(x)) wrong++; }
    expect(wrong).toBe(0);
  });

  it("toF32: random integers of every length at ordinary scales", () => {
    const cases: Array<[number, number]> = [];
    for (let i = 0; i < 150_000; i++) cases.push([next() >> (next() % 32), (next() % 80) - 20]);
    expect(convMismatches(cases)).toBe(0);
  });

  it("toF32: ties to even, their neighbours, and carries into the next power of two", () => {
    const cases: Array<[number, number]> = [];
    for (let i = 0; i < 40_000; i++) {
      const k = 1 + (next() % 7); // bits below the 24 kept: 25..31-bit magnitudes
      const sig = (0x800000 | (next() & 0x7fffff)) >>> 0;
      if (sig * 2 ** k >= 2 ** 31) continue;
      const tie = sig * 2 ** k + 2 ** (k - 1);
      const s = next() & 1 ? -1 : 1;
      for (const d of [-1, 0, 1]) cases.push([s * (tie + d), (next() % 40) - 10]);
      const top = (0xffffff * 2 ** k + 2 ** (k - 1)); // rounds up to 2^(24 + k)
      if (top < 2 ** 31) for (const d of [-1, 0, 1]) cases.push([s * (top + d), 0]);
    }
    for (const v of [0, 1, -1, 2 ** 24, 2 ** 24 + 1, 2 ** 24 + 3, 2 ** 31 - 1, -(2 ** 31), -(2 ** 31 - 1), 2 ** 31 - 64, 2 ** 31 - 65]) {
      for (const S of [-200, -100, 0, 1, 100, 126, 127, 150, 158, 200, 300]) cases.push([v, S]);
    }
    expect(convMismatches(cases)).toBe(0);
  });

  it("toF32: scales at the flush and saturation limits (e = -1..1 and 254..256)", () => {
    const cases: Array<[number, number]> = [];
    for (let i = 0; i < 25_000; i++) {
      const v = (next() >> (next() % 32)) | 1;
      const e = fieldOf(v);
      for (const d of [-1, 0, 1]) { cases.push([v, e - d]); cases.push([v, e - 255 + d]); cases.push([v, e - 254 + d]); }
    }
    expect(convMismatches(cases)).toBe(0);
  });

  it("add: any g plus a non-zero normal v, random patterns", () => {
    const pairs: Array<[number, number]> = [];
    for (let i = 0; i < 400_000; i++) { const v = next(); pairs.push([next(), normal(v, (v >>> 23) & 0xff)]); }
    expect(addMismatches(pairs)).toBe(0);
  });

  it("add: nearby exponents (carries, cancellation to subnormal results) and sparse mantissas (ties)", () => {
    const pairs: Array<[number, number]> = [];
    for (let i = 0; i < 400_000; i++) {
      const g = next() & 3 ? next() : withExponent(next(), next() % 4); // some near and below the normal range
      const eg = (g >>> 23) & 0xff;
      pairs.push([g, normal(next(), eg + (next() % 61) - 30)]);
      pairs.push([g, normal(next(), eg + (next() % 3) - 1)]);
      const sparse = (x: number): number => (x & 0xff800000 | (next() & 3) << (next() % 22)) >>> 0;
      pairs.push([sparse(g), normal(sparse(next()), eg + (next() % 51) - 25)]);
    }
    expect(addMismatches(pairs)).toBe(0);
  });

  it("add: results that overflow, and every pair of an edge table", () => {
    const pairs: Array<[number, number]> = [];
    for (let i = 0; i < 100_000; i++) pairs.push([withExponent(next(), 252 + (next() % 4)), normal(next(), 252 + (next() % 3))]);
    const gs = [0, 0x80000000, 1, 0x80000001, 0x7fffff, 0x807fffff, 0x400000, 0x800000, 0x80800000, 0x800001, 0xffffff,
      0x3f800000, 0xbf800000, 0x3f800001, 0x3f7fffff, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001];
    const vs = [0x800000, 0x80800000, 0x800001, 0x80ffffff, 0x3f800000, 0xbf800000, 0x3f7fffff, 0xbf800001, 0x7f7fffff, 0xff7fffff, 0x33800000, 0x4b800000];
    for (const g of gs) for (const v of vs) pairs.push([g, v]);
    expect(addMismatches(pairs)).toBe(0);
  });
});
