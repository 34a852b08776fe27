// assembly/int16/soft-f32.ts, compiled on its own: its add, subtract,
// multiply, divide and square root on binary32 bit patterns give, bit for bit, what V8
// gives for the same f32 operands: Math.fround of the double result, which is
// the correctly rounded f32 (a double holds the exact product of two f32s,
// and for +, -, /, sqrt the double rounding is innocuous: 53 >= 2 * 24 + 2). NaN
// results are checked to be NaN (the payload is not specified). Operands:
// random bit patterns (every exponent), random pairs with nearby exponents
// (cancellation, carries, ties), subnormal pairs, exact ties built on purpose,
// and every pair of a table of edges (zeros, subnormals, the normal limits,
// FLT_MAX, infinities, NaN, one-ulp neighbours). The square root: every
// mantissa at an odd and an even exponent (its whole normal path: the
// exponent only picks the parity and is packed), every subnormal, random
// bit patterns of either sign, and the edges.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";

type Op = "add" | "sub" | "mul" | "div";
type NormalOp = "addNormal" | "addPositiveNormal" | "mulNormal" | "divNormal" | "mulPrepared" | "mulPreparedPositive";
type Exports = Record<Op | NormalOp, (a: number, b: number) => number> & { sqrt: (a: number) => number; sqrtPositiveNormal: (a: number) => number; squareNormal: (a: number) => number };

const work = tmpDir("edgeprop-soft-f32-");
let soft: Exports;
beforeAll(async () => {
  copyFileSync(path.join(repoRoot, "assembly", "int16", "soft-f32.ts"), path.join(work, "soft-f32.ts"));
  copyFileSync(path.join(repoRoot, "assembly", "int16", "soft-f32-normal.ts"), path.join(work, "soft-f32-normal.ts"));
  copyFileSync(path.join(repoRoot, "assembly", "int16", "mul-prepared.ts"), path.join(work, "mul-prepared.ts"));
  writeFileSync(path.join(work, "entry.ts"), [
    'import { addF32, subF32, mulF32, divF32, sqrtF32 } from "./soft-f32";',
    'import { addNormal, addPositiveNormal, mulNormal, divNormal, sqrtPositiveNormal, squareNormal } from "./soft-f32-normal";',
    "export function squareNormal_(a: u32): u32 { return squareNormal(a); }",
    'import { mulPrepared, mulPreparedPositive, preparedExp, preparedSig } from "./mul-prepared";',
    "export function mulPrepared_(a: u32, c: u32): u32 { return mulPrepared(a, preparedSig(c), preparedExp(c)); }",
    "export function mulPreparedPositive_(a: u32, c: u32): u32 { return mulPreparedPositive(a, preparedSig(c), preparedExp(c)); }",
    "export function addNormal_(a: u32, b: u32): u32 { return addNormal(a, b); }",
    "export function addPositiveNormal_(a: u32, b: u32): u32 { return addPositiveNormal(a, b); }",
    "export function mulNormal_(a: u32, b: u32): u32 { return mulNormal(a, b); }",
    "export function divNormal_(a: u32, b: u32): u32 { return divNormal(a, b); }",
    "export function sqrtPositiveNormal_(a: u32): u32 { return sqrtPositiveNormal(a); }",
    "export function sqrt(a: u32): u32 { return sqrtF32(a); }",
    "export function add(a: u32, b: u32): u32 { return addF32(a, b); }",
    "export function sub(a: u32, b: u32): u32 { return subF32(a, b); }",
    "export function mul(a: u32, b: u32): u32 { return mulF32(a, b); }",
    "export function div(a: u32, b: u32): u32 { return divF32(a, b); }",
    "",
  ].join("\n"));
  execFileSync(path.join(repoRoot, "node_modules", ".bin", "asc"), ["entry.ts", "-O3", "--runtime", "stub", "-o", "m.wasm"], { cwd: work, stdio: "pipe" });
  const { instance } = await WebAssembly.instantiate(readFileSync(path.join(work, "m.wasm")));
  const e = instance.exports as Record<string, unknown>;
  soft = Object.fromEntries(Object.entries(e).map(([k, v]) => [k.replace(/_$/, ""), v])) as unknown as Exports;
}, 60_000);
afterAll(() => rmDir(work));

const f = new Float32Array(3);
const u = new Uint32Array(f.buffer);
const reference: Record<Op, (x: number, y: number) => number> = {
  add: (x, y) => x + y, sub: (x, y) => x - y, mul: (x, y) => x * y, div: (x, y) => x / y,
};
const OPS: Op[] = ["add", "sub", "mul", "div"];

/** How many of the pairs (a[i], b[i]) give other bits than V8 (a NaN only needs to be a NaN); the first few logged. */
function mismatches(op: Op, a: Uint32Array, b: Uint32Array): number {
  const fn = soft[op], ref = reference[op];
  let wrong = 0;
  for (let i = 0; i < a.length; i++) {
    u[0] = a[i] ?? 0; u[1] = b[i] ?? 0;
    f[2] = ref(f[0] ?? 0, f[1] ?? 0);
    const want = u[2] ?? 0;
    const got = fn(u[0] ?? 0, u[1] ?? 0) >>> 0;
    const ok = Number.isNaN(f[2]) ? (got & 0x7fffffff) > 0x7f800000 : got === want;
    if (!ok && wrong++ < 5) console.error(`${op}(0x${(u[0] ?? 0).toString(16)}, 0x${(u[1] ?? 0).toString(16)}): 0x${got.toString(16)}, V8 0x${want.toString(16)}`);
  }
  return wrong;
}

let seed = 0x2545f491;
const next = (): number => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed; };
/** A random operand pair per slot, drawn by `draw`. */
function pairs(n: number, draw: () => [number, number]): [Uint32Array, Uint32Array] {
  const a = new Uint32Array(n), b = new Uint32Array(n);
  for (let i = 0; i < n; i++) { const [x, y] = draw(); a[i] = x; b[i] = y; }
  return [a, b];
}
const withExponent = (bits: number, e: number): number => ((bits & 0x807fffff) | ((e & 0xff) << 23)) >>> 0;
/** A subnormal (or zero) of either sign, with any number of leading zero bits. */
const subnormal = (): number => ((next() & 0x80000000) | ((next() & 0x7fffff) >>> (next() % 24))) >>> 0;
/** Few mantissa bits set: products and quotients land on exact results and ties more often. */
const sparse = (bits: number): number => (bits & 0xfff00000 | (next() & 0x3) << (next() % 20)) >>> 0;

describe("soft-float binary32, bit for bit against V8", () => {
  it("random bit patterns over every exponent", () => {
    for (const op of OPS) { const [a, b] = pairs(600_000, () => [next(), next()]); expect(mismatches(op, a, b)).toBe(0); }
  });

  it("random pairs with nearby exponents (cancellation, carries, roundings)", () => {
    for (const op of OPS) {
      const [a, b] = pairs(600_000, () => { const x = next(); return [x, withExponent(next(), ((x >>> 23) & 0xff) + (next() % 61) - 30)]; });
      expect(mismatches(op, a, b)).toBe(0);
    }
  });

  it("pairs whose results overflow, underflow or land near the subnormal range", () => {
    for (const op of OPS) {
      // mul: exponent sums near 127 +- 150 and 254; div: differences near those; add: operands near the limits.
      const [a, b] = pairs(300_000, () => {
        const ea = next() % 256, target = op === "mul" ? (next() & 1 ? 0 : 254) + 127 : op === "div" ? (next() & 1 ? 127 : -127) : ea;
        const eb = op === "mul" ? target - ea + (next() % 50) - 25 : op === "div" ? ea - target + (next() % 50) - 25 : (next() & 1 ? 0 : 254) + (next() % 5) - 2;
        return [withExponent(next(), ea), withExponent(next(), eb)];
      });
      expect(mismatches(op, a, b)).toBe(0);
    }
  });

  it("subnormal operands, alone and paired with normals", () => {
    for (const op of OPS) {
      const [a, b] = pairs(300_000, () => [subnormal(), next() & 1 ? subnormal() : next()]);
      expect(mismatches(op, a, b)).toBe(0);
      expect(mismatches(op, b, a)).toBe(0);
    }
  });

  it("sparse mantissas (exact results and ties to even)", () => {
    for (const op of OPS) {
      const [a, b] = pairs(300_000, () => { const x = sparse(next()); return [x, withExponent(sparse(next()), ((x >>> 23) & 0xff) + (next() % 51) - 25)]; });
      expect(mismatches(op, a, b)).toBe(0);
    }
  });

  it("every pair of the edge table", () => {
    const base = [
      0, 1, 2, 3, 0x7fffff, 0x7ffffe, 0x400000, 0x400001, 0x800000, 0x800001, 0xffffff, 0x1000000,
      0x3f800000, 0x3f800001, 0x3f7fffff, 0x3fc00000, 0x40000000, 0x3effffff, 0x33800000, 0x34000000, 0x4b800000,
      0x7f7fffff, 0x7f7ffffe, 0x7f000000, 0x7effffff, 0x00ffffff, 0x0c000000, 0x7f800000, 0x7fc00000, 0x7f800001,
    ];
    const edges = [...base, ...base.map((x) => (x | 0x80000000) >>> 0)];
    const a = new Uint32Array(edges.length ** 2), b = new Uint32Array(edges.length ** 2);
    edges.forEach((x, i) => edges.forEach((y, j) => { a[i * edges.length + j] = x; b[i * edges.length + j] = y; }));
    for (const op of OPS) expect(mismatches(op, a, b)).toBe(0);
  });

  it("sqrt: every mantissa at an even and an odd exponent, every subnormal, random patterns, the edges", () => {
    const check = (a: number): boolean => {
      u[0] = a; f[2] = Math.sqrt(f[0] ?? 0);
      const got = soft.sqrt(a) >>> 0;
      return Number.isNaN(f[2]) ? (got & 0x7fffffff) > 0x7f800000 : got === u[2];
    };
    let wrong = 0;
    for (const e of [0x3f000000, 0x3f800000, 0]) for (let m = 0; m < 0x800000; m++) if (!check((e | m) >>> 0) && wrong++ < 5) console.error(`sqrt(0x${((e | m) >>> 0).toString(16)})`);
    for (let i = 0; i < 1_000_000; i++) { const a = next(); if (!check(a) && wrong++ < 5) console.error(`sqrt(0x${a.toString(16)})`); }
    const edges = [0, 0x80000000, 1, 0x7fffff, 0x800000, 0x7f7fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0x80000001, 0xbf800000, 0x3f800000, 0x40800000, 0x3f7fffff, 0x407fffff];
    for (const a of edges) if (!check(a) && wrong++ < 5) console.error(`sqrt(0x${a.toString(16)})`);
    expect(wrong).toBe(0);
  });
});

// assembly/int16/soft-f32-normal.ts: the short routines for normal operands
// (int16's Adam step) on the same operand draws, kept to normal operands
// (and positive ones for addPositiveNormal and assembly/int16/mul-prepared.ts's
// mulPreparedPositive; a positive second operand, the constant, for its
// mulPrepared). Each result is V8's bits or 0
// (declined), and a routine declines only what it must: a result that is
// zero, subnormal, infinite, or in the top or the bottom binade (exponent
// field 0xfe, where a carry could reach infinity; 1, where it may be a
// subnormal rounded up).
const NORMAL_OPS: [NormalOp, Op][] = [["addNormal", "add"], ["addPositiveNormal", "add"], ["mulNormal", "mul"], ["divNormal", "div"], ["mulPrepared", "mul"], ["mulPreparedPositive", "mul"]];
const isNormalBits = (x: number): boolean => { const e = (x >>> 23) & 0xff; return e >= 1 && e <= 0xfe; };

/** For normal-operand pairs: how many results differ from V8 (a decline where the result is a normal below the top binade counts); how many were computed. */
function normalMismatches(op: NormalOp, ref: Op, a: Uint32Array, b: Uint32Array): { wrong: number; computed: number } {
  const fn = soft[op], refFn = reference[ref];
  let wrong = 0, computed = 0;
  for (let i = 0; i < a.length; i++) {
    let x = a[i] ?? 0, y = b[i] ?? 0;
    if (op === "addPositiveNormal" || op === "mulPreparedPositive") { x &= 0x7fffffff; y &= 0x7fffffff; }
    if (op === "mulPrepared") y &= 0x7fffffff; // mul-prepared.ts: a positive constant
    if (!isNormalBits(x) || !isNormalBits(y)) continue;
    u[0] = x; u[1] = y;
    f[2] = refFn(f[0] ?? 0, f[1] ?? 0);
    const want = u[2] ?? 0;
    const got = fn(x, y) >>> 0;
    const mayDecline = !isNormalBits(want) || ((want >>> 23) & 0xff) === 0xfe || ((want >>> 23) & 0xff) === 1;
    const ok = got === want || (got === 0 && mayDecline);
    if (got !== 0) computed++;
    if (!ok && wrong++ < 5) console.error(`${op}(0x${x.toString(16)}, 0x${y.toString(16)}): 0x${got.toString(16)}, V8 0x${want.toString(16)}`);
  }
  return { wrong, computed };
}

describe("soft-float binary32 for normal operands (soft-f32-normal.ts), bit for bit against V8", () => {
  const draws: [string, number, () => [number, number]][] = [
    ["random bit patterns", 600_000, () => [next(), next()]],
    ["nearby exponents", 600_000, () => { const x = next(); return [x, withExponent(next(), ((x >>> 23) & 0xff) + (next() % 61) - 30)]; }],
    ["equal exponents (cancellation)", 300_000, () => { const x = next(); return [x, withExponent(next(), (x >>> 23) & 0xff)]; }],
    ["exponents one apart", 300_000, () => { const x = next(); return [x, withExponent(next(), ((x >>> 23) & 0xff) + (next() & 1 ? 1 : -1))]; }],
    ["sparse mantissas (exact results, ties)", 300_000, () => { const x = sparse(next()); return [x, withExponent(sparse(next()), ((x >>> 23) & 0xff) + (next() % 51) - 25)]; }],
    ["near the ends of the normal range", 300_000, () => {
      const ea = 1 + (next() % 254), target = next() & 1 ? 0 : 254;
      return [withExponent(next(), ea), withExponent(next(), next() & 1 ? target + 127 - ea + (next() % 50) - 25 : ea - target + 127 + (next() % 50) - 25)];
    }],
  ];
  for (const [name, n, draw] of draws) {
    it(name, () => {
      for (const [op, ref] of NORMAL_OPS) {
        const [a, b] = pairs(n, draw);
        const { wrong, computed } = normalMismatches(op, ref, a, b);
        expect(wrong, op).toBe(0);
        expect(computed, `${op} computed something`).toBeGreaterThan(n / 20);
      }
    });
  }

  it("every pair of normal edges, and exact ties made on purpose", () => {
    const base = [0x800000, 0x800001, 0xffffff, 0x1000000, 0x3f800000, 0x3f800001, 0x3f7fffff, 0x3fc00000, 0x40000000,
      0x3effffff, 0x33800000, 0x34000000, 0x4b800000, 0x4b7fffff, 0x7f7fffff, 0x7f7ffffe, 0x7f000000, 0x7effffff, 0x00ffffff, 0x0c000000];
    const edges = [...base, ...base.map((x) => (x | 0x80000000) >>> 0)];
    const a = new Uint32Array(edges.length ** 2), b = new Uint32Array(edges.length ** 2);
    edges.forEach((x, i) => edges.forEach((y, j) => { a[i * edges.length + j] = x; b[i * edges.length + j] = y; }));
    for (const [op, ref] of NORMAL_OPS) expect(normalMismatches(op, ref, a, b).wrong, op).toBe(0);
    // x + y where y is exactly half of x's last place (and a quarter, three quarters): ties both ways.
    const [ta, tb] = pairs(200_000, () => {
      const x = (next() & 0x807fffff) | ((30 + next() % 190) << 23);
      const shift = 24 + (next() % 3); // y = x's last place / 2, / 4, or / 2 with more bits
      const y = ((next() & 1 ? x & 0x80000000 : ~x & 0x80000000) | ((((x >>> 23) & 0xff) - shift) << 23) | (shift === 26 ? next() & 0x7fffff : 0)) >>> 0;
      return [x >>> 0, y];
    });
    for (const op of ["addNormal", "addPositiveNormal"] as const) {
      const { wrong, computed } = normalMismatches(op, "add", ta, tb);
      expect(wrong, op).toBe(0);
      expect(computed).toBeGreaterThan(50_000);
    }
  });

  it("squareNormal: every mantissa at exponents near the middle and the ends, random normals", () => {
    // x * x from mulNormal's path with one significand read: V8's bits, or 0 where the square is not normal or lands in the top or bottom binade.
    let wrong = 0, computed = 0;
    const check = (a: number): void => {
      u[0] = a; f[2] = (f[0] ?? 0) * (f[0] ?? 0);
      const want = u[2] ?? 0, got = soft.squareNormal(a) >>> 0;
      const e = (want >>> 23) & 0xff;
      const ok = got === want || (got === 0 && (!isNormalBits(want) || e === 0xfe || e === 1));
      if (got !== 0) computed++;
      if (!ok && wrong++ < 5) console.error(`squareNormal(0x${a.toString(16)}): 0x${got.toString(16)}, V8 0x${want.toString(16)}`);
    };
    for (const e of [0x3f800000, 0x3f000000, 0x5f000000, 0x5f800000, 0x1f800000, 0x20000000, 0xbf800000]) for (let m = 0; m < 0x800000; m += 3) check((e | m) >>> 0);
    for (let i = 0; i < 1_000_000; i++) { const a = next(); if (isNormalBits(a)) check(a); }
    for (let e = 1; e < 255; e++) for (const m of [0, 1, 0x7fffff, 0x3504f3, 0x3504f4]) { check(((e << 23) | m) >>> 0); check(((1 << 31) | (e << 23) | m) >>> 0); }
    expect(wrong).toBe(0);
    expect(computed).toBeGreaterThan(1_000_000);
  });

  it("sqrtPositiveNormal: every mantissa at an even and an odd exponent, random positive normals, the edges", () => {
    const check = (a: number): boolean => {
      u[0] = a; f[2] = Math.sqrt(f[0] ?? 0);
      return (soft.sqrtPositiveNormal(a) >>> 0) === u[2];
    };
    let wrong = 0;
    for (const e of [0x3f000000, 0x3f800000]) for (let m = 0; m < 0x800000; m++) if (!check((e | m) >>> 0) && wrong++ < 5) console.error(`sqrtPositiveNormal(0x${((e | m) >>> 0).toString(16)})`);
    for (let i = 0; i < 1_000_000; i++) { const a = next() & 0x7fffffff; if (isNormalBits(a) && !check(a) && wrong++ < 5) console.error(`sqrtPositiveNormal(0x${a.toString(16)})`); }
    for (const a of [0x800000, 0xffffff, 0x7f7fffff, 0x7f000000, 0x3f800000, 0x40800000, 0x3f7fffff, 0x407fffff]) if (!check(a) && wrong++ < 5) console.error(`sqrtPositiveNormal(0x${a.toString(16)})`);
    expect(wrong).toBe(0);
  });
});
