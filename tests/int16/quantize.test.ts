// assembly/int16/quantize.ts compiled on its own, against docs/int16.md written
// again in TypeScript (reference.ts): quantizeF32's branch-free rounding of
// normal elements and requant32's give §3's and §5 step 4's bits on tensors
// the training tests rarely make: subnormals beside normals, zeros of either
// sign, exact ties at every shift, elements far below the largest (shifts of
// 32 and more), the largest rounding up into saturation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";
import { rng } from "../helpers/rng";
import { fromBits, quantize, requantize } from "./reference";

interface Exports {
  memory: WebAssembly.Memory;
  quantize(src: number, dst: number, n: number, b: number): number;
  scale(): number;
  requantize(src: number, dst: number, n: number, b: number): number;
  roundLessOne(w: number, t: number): number;
}

const work = tmpDir("edgeprop-quantize-");
let m: Exports;
beforeAll(async () => {
  for (const f of ["quantize.ts", "rounding.ts"]) copyFileSync(path.join(repoRoot, "assembly", "int16", f), path.join(work, f));
  writeFileSync(path.join(work, "entry.ts"), [
    'import { quantizeF32, quantScale, requant32, requantShift32 } from "./quantize";',
    'import { roundHalfEvenPositiveLessOne } from "./rounding";',
    "export function roundLessOne(w: u32, t: i32): u32 { return roundHalfEvenPositiveLessOne(w, t); }",
    "export function quantize(src: usize, dst: usize, n: i32, b: i32): bool { return quantizeF32(src, dst, n, b); }",
    "export function scale(): i32 { return quantScale; }",
    "/** §5 step 4 from i32 values as backward.ts does it; returns t (the scale's change), or 99 if every value is 0. */",
    "export function requantize(src: usize, dst: usize, n: i32, b: i32): i32 {",
    "  let M: u32 = 0;",
    "  for (let k = 0; k < n; k++) { const v = load<i32>(src + (<usize>k << 2)); const a = <u32>(v < 0 ? -v : v); if (a > M) M = a; }",
    "  if (M == 0) return 99;",
    "  const t = requantShift32(M, b), limit = (<u32>1 << <u32>b) - 1;",
    "  for (let k = 0; k < n; k++) store<i16>(dst + (<usize>k << 1), requant32(load<i32>(src + (<usize>k << 2)), t, limit));",
    "  return t;",
    "}",
    "",
  ].join("\n"));
  execFileSync(path.join(repoRoot, "node_modules", ".bin", "asc"), ["entry.ts", "-O3", "--runtime", "stub", "--initialMemory", "4", "-o", "m.wasm"], { cwd: work, stdio: "pipe" });
  const { instance } = await WebAssembly.instantiate(readFileSync(path.join(work, "m.wasm")));
  m = instance.exports as unknown as Exports;
}, 60_000);
afterAll(() => rmDir(work));

const SRC = 65536, DST = 131072;

/** The module's q and scale for the f32 bit patterns `bits`, beside the reference's. */
function both(bits: number[], b: number) {
  new Uint32Array(m.memory.buffer, SRC, bits.length).set(bits);
  expect(m.quantize(SRC, DST, bits.length, b)).toBe(1);
  const got = { q: Array.from(new Int16Array(m.memory.buffer, DST, bits.length)), s: m.scale() };
  const ref = quantize(bits.map(fromBits), b);
  return { got, want: { q: ref.q.map((v) => v + 0), s: ref.s } }; // -0 -> 0: the module stores integers
}

function randomTensor(r: () => number, n: number, expLo: number, expHi: number): number[] {
  return Array.from({ length: n }, () => {
    const kind = r();
    if (kind < 0.05) return r() < 0.5 ? 0 : 0x80000000; // zeros
    if (kind < 0.15) return ((r() < 0.5 ? 0x80000000 : 0) | Math.floor(r() * 0x7fffff)) >>> 0; // subnormals
    const e = expLo + Math.floor(r() * (expHi - expLo + 1));
    let mant = Math.floor(r() * 0x800000);
    if (r() < 0.2) mant &= ~((1 << Math.floor(r() * 23)) - 1); // few low bits: exact ties at some shift
    return ((r() < 0.5 ? 0x80000000 : 0) | (e << 23) | mant) >>> 0;
  });
}

describe("quantizeF32 and requant32 against docs/int16.md §3 and §5 step 4", () => {
  it("random tensors over every exponent range, with subnormals, zeros and ties, at b = 7..15", () => {
    const r = rng(4242);
    for (let trial = 0; trial < 3000; trial++) {
      const lo = 1 + Math.floor(r() * 250);
      const hi = Math.min(254, lo + Math.floor(r() * 40));
      const b = 7 + Math.floor(r() * 9);
      const { got, want } = both(randomTensor(r, 1 + Math.floor(r() * 40), lo, hi), b);
      expect(got).toEqual(want);
    }
  });

  it("subnormal-only tensors, and tensors whose largest is the smallest normals", () => {
    const r = rng(77);
    for (let trial = 0; trial < 1000; trial++) {
      const { got, want } = both(randomTensor(r, 1 + Math.floor(r() * 20), 1, trial % 2 === 0 ? 1 : 3), 13);
      expect(got).toEqual(want);
      const sub = Array.from({ length: 8 }, () => ((r() < 0.5 ? 0x80000000 : 0) | Math.floor(r() * 0x7fffff)) >>> 0);
      const s2 = both(sub, 13);
      expect(s2.got).toEqual(s2.want);
    }
  });

  it("the largest rounding up to 2^b saturates, and every tie of a 2-element tensor at each shift", () => {
    for (const b of [7, 13, 15]) {
      for (let k = 0; k < 23; k++) {
        // largest 1.111...1 x 2^0: rounds up past 2^b - 1; beside it 1 + a tie at shift position k
        const top = (127 << 23) | 0x7fffff;
        const tie = ((127 - 3) << 23) | (1 << k);
        const { got, want } = both([top, tie, tie | (1 << (k + 1 > 22 ? 0 : k + 1)), 0x80000000 | tie], b);
        expect(got).toEqual(want);
      }
    }
  });

  it("requant32 of i32 sums (either sign, -2^31, ties) by §5 step 4", () => {
    const r = rng(99);
    for (let trial = 0; trial < 3000; trial++) {
      const n = 1 + Math.floor(r() * 30);
      const bitsTop = 1 + Math.floor(r() * 31);
      const v = Array.from({ length: n }, () => {
        let x = Math.floor((r() * 2 - 1) * 2 ** bitsTop) | 0;
        if (r() < 0.2) x &= ~((1 << Math.floor(r() * 20)) - 1);
        return x;
      });
      if (trial % 100 === 0) v[0] = -0x80000000;
      const b = 7 + Math.floor(r() * 9);
      new Int32Array(m.memory.buffer, SRC, n).set(v);
      const t = m.requantize(SRC, DST, n, b);
      const ref = requantize(v.map(BigInt), b);
      if (ref.t === null) { expect(t).toBe(99); continue; }
      expect(t).toBe(ref.t);
      expect(Array.from(new Int16Array(m.memory.buffer, DST, n))).toEqual(ref.q.map((x) => x + 0));
    }
  });

  it("roundHalfEvenPositiveLessOne(v - 1, t) is v / 2^t rounded half to even, at every t, on ties, multiples of 2^t and their neighbours", () => {
    const r = rng(31);
    const exact = (v: bigint, t: number) => {
      const d = 1n << BigInt(t), q = v / d, rem = v % d, half = d / 2n;
      return rem > half || (rem === half && (q & 1n) === 1n) ? q + 1n : q;
    };
    for (let t = 1; t <= 31; t++) {
      const d = 2 ** t, limit = 2 ** 32 - 2 ** (t - 1); // v + 2^(t-1) < 2^32
      const vs: number[] = [1, 2, 3, d - 1, d, d + 1, d / 2, 3 * d / 2, limit - 1];
      for (let i = 0; i < 400; i++) {
        const q = Math.floor(r() * Math.floor(limit / d));
        for (const off of [0, 1, -1, d / 2, d / 2 - 1, d / 2 + 1]) vs.push(q * d + off);
        vs.push(1 + Math.floor(r() * (limit - 1)));
      }
      for (const v of vs) {
        if (!(v >= 1 && v < limit)) continue;
        expect(m.roundLessOne(v - 1, t) >>> 0, `v=${v} t=${t}`).toBe(Number(exact(BigInt(v), t)));
      }
    }
  });
});
