// int16's softmax cross-entropy on soft-float (assembly/int16/cross-entropy-soft.ts,
// exp-log-soft.ts, soft-f32-ops.ts) against the f32 code it replaces
// (assembly/loss/cross_entropy.ts, assembly/mathf32.ts), both compiled into one
// module and run by V8 on the same inputs: the same bits. exp and log: random
// bit patterns over every exponent, dense sweeps of the ranges the loss meets
// (exponents <= 0, sums >= 1), the floor's boundaries, and the edges (zeros,
// subnormals, the over/underflow limits, infinities, NaN). The loss: random
// chunks of rows (1 to 10 classes) with logits at many scales, ties, zeros of
// both signs, subnormals, FLT_MAX, huge gaps (underflowing exps), infinities
// and NaN, labels at every class and every kind of bad label, with and
// without `keep`: the returned f64 and every output's bits.
import { beforeAll, describe, expect, it } from "vitest";
import { compileEntry } from "../helpers/assembly-entry";
import { rng } from "../helpers/rng";

type Exports = {
  memory: WebAssembly.Memory;
  expSoft: (x: number) => number; expRef: (x: number) => number;
  logSoft: (x: number) => number; logRef: (x: number) => number;
  ceSoft: (y: number, t: number, k: number, rows: number, keep: number) => number;
  ceRef: (y: number, t: number, k: number, rows: number, keep: number) => number;
};

let m: Exports;
beforeAll(async () => {
  m = await compileEntry<Exports>([
    'import { expf32, logf32 } from "./mathf32";',
    'import { expBits, logBits } from "./int16/exp-log-soft";',
    'import { crossEntropy } from "./loss/cross_entropy";',
    'import { crossEntropySoft } from "./int16/cross-entropy-soft";',
    "export function expSoft(x: u32): u32 { return expBits(x); }",
    "export function expRef(x: u32): u32 { return reinterpret<u32>(expf32(reinterpret<f32>(x))); }",
    "export function logSoft(x: u32): u32 { return logBits(x); }",
    "export function logRef(x: u32): u32 { return reinterpret<u32>(logf32(reinterpret<f32>(x))); }",
    "export function ceSoft(y: usize, t: usize, k: i32, rows: i32, keep: bool): f64 { return crossEntropySoft(y, t, k, rows, keep); }",
    "export function ceRef(y: usize, t: usize, k: i32, rows: i32, keep: bool): f64 { return crossEntropy(0, y, t, k, rows, keep); }",
  ], { initialMemory: 4 });
}, 120_000);

const fv = new Float32Array(1);
const uv = new Uint32Array(fv.buffer);
const bitsOf = (x: number): number => { fv[0] = x; return uv[0]; };
const isNaNBits = (b: number): boolean => (b & 0x7fffffff) > 0x7f800000;


const EDGES = [
  0, 0x80000000, 1, 0x80000001, 0x007fffff, 0x807fffff, 0x00800000, 0x80800000,
  0x3f800000, 0xbf800000, 0x3f000000, 0xbf000000, 0x7f7fffff, 0xff7fffff,
  0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0x7fc01234,
  bitsOf(88.7228394), bitsOf(88.7228394) + 1, bitsOf(88.7228394) - 1,
  bitsOf(-103.972084), bitsOf(-103.972084) + 1, bitsOf(-103.972084) - 1,
  bitsOf(-87.3), bitsOf(-87.4), bitsOf(-88), bitsOf(-100), bitsOf(-126 * Math.LN2), bitsOf(-149 * Math.LN2),
  bitsOf(Math.SQRT2), bitsOf(Math.SQRT2) + 1, bitsOf(Math.SQRT2) - 1, bitsOf(2), bitsOf(4), bitsOf(3), bitsOf(10),
  bitsOf(1e-30), bitsOf(-1e-30), bitsOf(1e-8), bitsOf(-1e-8),
];

/** Inputs for the unary functions: edges, random bits, sweeps, the floor's boundaries (x log2 e + 1/2 near an integer). */
function unaryInputs(lo: number, hi: number): Uint32Array {
  const r = rng(7);
  const out: number[] = [...EDGES];
  for (let i = 0; i < 300_000; i++) out.push((r() * 4294967296) >>> 0);
  for (let i = 0; i < 300_000; i++) out.push(bitsOf(lo + (hi - lo) * r()));
  for (let i = 0; i < 50_000; i++) out.push(bitsOf(lo + (hi - lo) * i / 50_000));
  for (let n = -151; n <= 130; n++) {
    const x = bitsOf((n - 0.5) * Math.LN2);
    for (let d = -4; d <= 4; d++) out.push((x + d) >>> 0);
  }
  for (let e = 0; e < 256; e++) for (let j = 0; j < 8; j++) out.push(((e << 23) | ((r() * 0x800000) >>> 0) | (j & 1 ? 0x80000000 : 0)) >>> 0);
  return Uint32Array.from(out);
}

function unaryMismatches(soft: (x: number) => number, ref: (x: number) => number, inputs: Uint32Array): number {
  let bad = 0;
  for (const x of inputs) {
    const a = soft(x) >>> 0, b = ref(x) >>> 0;
    if (a === b || (isNaNBits(a) && isNaNBits(b))) continue;
    if (bad++ < 5) console.log(`x=0x${x.toString(16)}: soft 0x${a.toString(16)}, f32 0x${b.toString(16)}`);
  }
  return bad;
}

describe("exp and log on bits", () => {
  it("expBits gives expf32's bits", () => {
    expect(unaryMismatches(m.expSoft, m.expRef, unaryInputs(-110, 90))).toBe(0);
    expect(unaryMismatches(m.expSoft, m.expRef, unaryInputs(-1, 1))).toBe(0);
  });
  it("logBits gives logf32's bits", () => {
    expect(unaryMismatches(m.logSoft, m.logRef, unaryInputs(1, 12))).toBe(0);
    expect(unaryMismatches(m.logSoft, m.logRef, unaryInputs(0, 1e-37))).toBe(0);
  });
});

const Y = 0x10000, T = 0x30000, Y2 = 0x20000;

/** A logit: mostly ordinary values at one of many scales, sometimes an edge. */
function logit(r: () => number, scale: number, prev: number[]): number {
  const c = r();
  if (c < 0.04 && prev.length > 0) return prev[(r() * prev.length) | 0]; // a tie
  if (c < 0.06) return [0, -0, 3.4028234663852886e38, -3.4028234663852886e38, 1e-40, -1e-40, 1e-38][(r() * 7) | 0];
  if (c < 0.065) return [Infinity, -Infinity, NaN][(r() * 3) | 0];
  if (c < 0.08 && prev.length > 0) return Math.fround(prev[prev.length - 1] * (1 + (r() - 0.5) * 1e-6)); // nearly a tie
  if (c < 0.1) return (r() - 0.5) * 400; // gaps past exp's underflow
  return (r() - 0.5) * 2 * scale;
}

/** A label: usually a class, sometimes one the loss refuses. */
function label(r: () => number, k: number): number {
  const c = r();
  if (c < 0.03) return [-1, 0.5, k, k + 0.5, NaN, Infinity, -Infinity, 2 ** 24, 2 ** 31, 1e30, -0.0, 1e-40][(r() * 12) | 0];
  return (r() * k) | 0;
}

describe("crossEntropySoft", () => {
  it("gives crossEntropy's loss and gradient bits (identity output, keep or not)", () => {
    const r = rng(31);
    const f32 = new Float32Array(m.memory.buffer);
    const u32 = new Uint32Array(m.memory.buffer);
    let cases = 0, refused = 0;
    const scales = [1e-6, 1e-3, 0.1, 1, 3, 10, 30, 100, 1e4, 1e20];
    for (let c = 0; c < 40_000; c++) {
      const k = [1, 2, 3, 4, 4, 4, 10][(r() * 7) | 0];
      const rows = 1 + ((r() * 8) | 0);
      const keep = r() < 0.25 ? 1 : 0;
      const scale = scales[(r() * scales.length) | 0];
      const prev: number[] = [];
      for (let i = 0; i < k * rows; i++) {
        const v = logit(r, scale, prev);
        prev.push(Math.fround(v));
        f32[Y / 4 + i] = v;
      }
      for (let i = 0; i < rows; i++) f32[T / 4 + i] = label(r, k);
      u32.copyWithin(Y2 / 4, Y / 4, Y / 4 + k * rows);
      const a = m.ceSoft(Y, T, k, rows, keep);
      const b = m.ceRef(Y2, T, k, rows, keep);
      if (b === -1) refused++;
      const same = Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
      let firstBad = -1;
      for (let i = 0; i < k * rows && firstBad < 0; i++) if (u32[Y / 4 + i] !== u32[Y2 / 4 + i]) firstBad = i;
      if (!same || firstBad >= 0) {
        console.log(`case ${c}: k=${k} rows=${rows} keep=${keep} loss ${a} vs ${b}, first output differing: ${firstBad}`,
          Array.from(prev), Array.from(f32.subarray(T / 4, T / 4 + rows)));
      }
      expect(same).toBe(true);
      expect(firstBad).toBe(-1);
      cases++;
    }
    expect(cases).toBe(40_000);
    expect(refused).toBeGreaterThan(1000); // bad labels met at every position
  });

  it("takes every label and its outputs at every class", () => {
    const f32 = new Float32Array(m.memory.buffer);
    const u32 = new Uint32Array(m.memory.buffer);
    for (const k of [1, 2, 4, 10]) {
      for (let lab = 0; lab < k; lab++) {
        for (let i = 0; i < k; i++) f32[Y / 4 + i] = Math.fround(Math.sin(i * 1.7 + lab) * 5);
        f32[T / 4] = lab;
        u32.copyWithin(Y2 / 4, Y / 4, Y / 4 + k);
        expect(m.ceSoft(Y, T, k, 1, 0)).toBe(m.ceRef(Y2, T, k, 1, 0));
        for (let i = 0; i < k; i++) expect(u32[Y / 4 + i]).toBe(u32[Y2 / 4 + i]);
      }
    }
  });
});
