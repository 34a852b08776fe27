// assembly/int16/add-scaled.ts compiled on its own: addScaled(g, a, S), the
// int16 backward pass's fused "f32 gradient += toF32(a, S)", gives bit for
// bit what V8 gives for Math.fround(g + toF32(a, S)) (docs/int16.md §4 by
// tests/int16/reference.ts, then the f32 add), whenever it takes the cell
// (it may leave one to the general path: then it must not store). Cases:
// random sums of every length against g of nearby and far exponents, both
// signs (carries, cancellation to +0), exact ties of the single rounding and
// of the convert's own rounding past 2^24 (the double rounding of the two
// steps), results at the subnormal and overflow limits, g zero, subnormal,
// infinite and NaN, and the scales where the fast path must step aside.
import { beforeAll, describe, expect, it } from "vitest";
import { compileEntry } from "../helpers/assembly-entry";
import { bitsOf, toF32 } from "./reference";

interface Exports {
  /** 1 and the new bits at address 0 if the fast path took the cell, else 0 (address 0 unchanged). */
  add: (g: number, a: number, S: number) => number;
  result: () => number;
}

let m: Exports;
beforeAll(async () => {
  m = await compileEntry<Exports>([
    'import { addScaled, scaledLimit } from "./int16/add-scaled";',
    "export function add(g: u32, a: i32, S: i32): i32 {",
    "  store<u32>(0, g);",
    "  return addScaled(0, a, S, 157 - S, scaledLimit(S)) ? 1 : 0;",
    "}",
    "export function result(): u32 { return load<u32>(0); }",
  ], { initialMemory: 1 });
}, 60_000);

let seed = 0x5eed1234;
const next = (): number => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed; };

const f = new Float32Array(1);
const u = new Uint32Array(f.buffer);
const fromBits = (b: number): number => { u[0] = b; return f[0] ?? 0; };

/** V8's bits for g + toF32(a, S) (f32 add of the converted, scaled sum). */
function want(g: number, a: number, S: number): number {
  f[0] = fromBits(g) + toF32(BigInt(a), S);
  return u[0] ?? 0;
}

/** Runs the cases: how many the fast path took, how many gave other bits (or stored when it declined). */
function check(cases: Array<[number, number, number]>): { taken: number; wrong: number } {
  let taken = 0, wrong = 0;
  for (const [g, a, S] of cases) {
    const took = m.add(g >>> 0, a | 0, S);
    const got = m.result() >>> 0;
    const w = want(g >>> 0, a | 0, S) >>> 0;
    const nan = (w & 0x7fffffff) > 0x7f800000;
    const ok = took ? (nan ? (got & 0x7fffffff) > 0x7f800000 : got === w) : got === g >>> 0;
    if (took) taken++;
    if (!ok && wrong++ < 5) {
      console.error(`g 0x${(g >>> 0).toString(16)} + toF32(${a | 0}, ${S}): ${took ? "" : "declined, stored "}0x${got.toString(16)}, V8 0x${w.toString(16)}`);
    }
  }
  return { taken, wrong };
}

/** The exponent field toF32(a, S) has. */
const fieldOf = (a: number, S: number): number => (bitsOf(toF32(BigInt(a | 0), S)) >>> 23) & 0xff;
/** Bits of either sign with exponent field e (clamped to 1..254) and a random mantissa. */
const normal = (bits: number, e: number): number => ((bits & 0x807fffff) | (Math.min(254, Math.max(1, e)) << 23)) >>> 0;
/** A random i32 of random length (1..31 bits), either sign, not 0. */
const anyA = (): number => ((next() >> (next() % 32)) | 0) || 1;

describe("addScaled: g += toF32(a, S) in one step, bit for bit against V8", () => {
  it("random sums against g of nearby exponents (the common case: carries, cancellation, +0)", () => {
    const cases: Array<[number, number, number]> = [];
    for (let i = 0; i < 300_000; i++) {
      const a = anyA(), S = (next() % 80) - 20;
      const e = fieldOf(a, S);
      cases.push([normal(next(), e + (next() % 9) - 4), a, S]);
      cases.push([normal(next(), e + (next() % 61) - 30), a, S]);
      // g = -toF32(a, S) nudged by a few ulps: cancellation, down to exactly +0
      cases.push([((bitsOf(toF32(BigInt(a), S)) ^ 0x80000000) + (next() % 5) - 2) >>> 0, a, S]);
    }
    const { taken, wrong } = check(cases);
    expect(wrong).toBe(0);
    expect(taken).toBeGreaterThan(cases.length * 0.9);
  });

  it("ties of the one rounding and of the convert's rounding past 2^24 (sparse mantissas)", () => {
    const cases: Array<[number, number, number]> = [];
    const sparse = (x: number): number => ((x & 0xff800000) | ((next() & 3) << (next() % 22))) >>> 0;
    for (let i = 0; i < 200_000; i++) {
      // small a (exact in f32) with a few bits, sparse g: their sums land on ties
      const k = next() % 24;
      const a = (((next() & 7) | 1) << (next() % (24 - Math.min(k, 21)))) * (next() & 1 ? -1 : 1);
      const S = (next() % 60) - 10;
      const e = fieldOf(a, S);
      cases.push([sparse(normal(next(), e + (next() % 31) - 15)), a, S]);
      // a past 2^24 at a tie of the convert (or one off), against g near and far
      const j = 1 + (next() % 7);
      const sig = (0x800000 | (next() & 0x7fffff)) >>> 0;
      if (sig * 2 ** j < 2 ** 31) {
        const big = (sig * 2 ** j + 2 ** (j - 1) + (next() % 3) - 1) * (next() & 1 ? -1 : 1);
        const eb = fieldOf(big, S);
        cases.push([sparse(normal(next(), eb + (next() % 9) - 4)), big, S]);
        cases.push([normal(next(), eb + (next() % 41) - 20), big, S]);
      }
    }
    for (const a of [1, -1, 2 ** 24 - 1, 2 ** 24, 2 ** 24 + 1, 2 ** 24 + 3, 2 ** 31 - 1, -(2 ** 31), -(2 ** 31 - 1), 2 ** 31 - 64, 2 ** 31 - 65]) {
      for (const S of [-95, -20, 0, 1, 30, 100, 126]) {
        const e = fieldOf(a, S);
        for (let d = -30; d <= 30; d++) { cases.push([normal(next(), e + d), a, S]); cases.push([normal(next() | 0x7fffff, e + d), a, S]); cases.push([normal(next() & 0xff800000, e + d), a, S]); }
      }
    }
    const { taken, wrong } = check(cases);
    expect(wrong).toBe(0);
    expect(taken).toBeGreaterThan(cases.length * 0.8);
  });

  it("results at the subnormal and overflow limits, and g zero, subnormal, infinite, NaN", () => {
    const cases: Array<[number, number, number]> = [];
    for (let i = 0; i < 100_000; i++) {
      const a = anyA();
      // scales that put v near the smallest normal, g of either sign near it: cancellation below 2^-126
      const lowS = fieldOf(a, 0) - 1 - (next() % 4);
      cases.push([normal(next(), 1 + (next() % 4)), a, lowS]);
      // v near the largest binade, g there too: sums past FLT_MAX
      const highS = fieldOf(a, 0) - 254 + (next() % 4);
      if (highS >= -95) cases.push([normal(next(), 251 + (next() % 4)), a, highS]);
      const S = (next() % 80) - 20;
      for (const g of [0, 0x80000000, 1 + (next() & 0x7fffff), 0x80000001, 0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001 + (next() & 0xffff)]) cases.push([g, a, S]);
    }
    const { wrong } = check(cases);
    expect(wrong).toBe(0);
  });

  it("steps aside (stores nothing) for a == 0, g outside its exponent range, and scales off the fast path's", () => {
    for (const S of [-94, -200, 96, 300]) {
      for (let i = 0; i < 1000; i++) expect(m.add(0x3f800000, anyA(), S)).toBe(0);
    }
    for (const S of [-93, 0, 95]) expect(m.add(0x3f800000, 0, S)).toBe(0);
    expect(m.add(0x3f800000, 5, -93)).toBe(1);
    expect(m.add(0x3f800000, -(2 ** 31), 95)).toBe(1);
    // g's exponent field outside 32..252 (not zero): the general path
    for (const g of [0x01000000, 0x0f800000, 0x7e800000, 0x7f7fffff, 0x80800000]) expect(m.add(g, 12345, 20)).toBe(0);
    const { wrong } = check([[0x3f800000, 2 ** 31 - 1, -93], [0xfe7fffff, 2 ** 31 - 1, -93], [0x7e7fffff, 2 ** 31 - 1, -93],
      [0x10000000, -1, 95], [0x90000000, 1, 95], [0x10000000, 1, 95], [0, -(2 ** 31), -93], [0x80000000, 1, 95]]);
    expect(wrong).toBe(0);
  });
});
