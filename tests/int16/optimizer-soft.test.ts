// assembly/int16/adam-soft.ts (int16 precision's Adam/AdamW step on the
// soft-float bit operations) against assembly/optim/adam.ts (the f32 step),
// and assembly/int16/scale-soft.ts against the f32 loop it replaces in
// assembly/optim/optimizer.ts (copied below), compiled on their own into one module: the same parameters, moments
// and gradients in, the same bits out, over many steps of Adam (no weight
// decay), Adam with L2 weight decay and AdamW, with gradients from 1e-30 to
// 1e3 (and exact zeros), hyper-parameters from the defaults to the extremes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";

const N = 4096;
const work = tmpDir("edgeprop-adam-soft-");
interface Exports {
  memory: WebAssembly.Memory;
  scaleSoft: (p: number, n: number, scale: number) => number;
  scaleF32: (p: number, n: number, scale: number) => number;
  step: (soft: number, base: number, n: number, step: number, lr: number, b1: number, b2: number, eps: number, wd: number, decoupled: number) => void;
  sgdStep: (soft: number, base: number, n: number, step: number, lr: number, momentum: number, dampening: number, wd: number, nesterov: number) => void;
}
let mod: Exports;
beforeAll(async () => {
  mkdirSync(path.join(work, "optim"));
  mkdirSync(path.join(work, "int16"));
  copyFileSync(path.join(repoRoot, "assembly", "optim", "adam.ts"), path.join(work, "optim", "adam.ts"));
  copyFileSync(path.join(repoRoot, "assembly", "optim", "sgd.ts"), path.join(work, "optim", "sgd.ts"));
  copyFileSync(path.join(repoRoot, "assembly", "int16", "sgd-soft.ts"), path.join(work, "int16", "sgd-soft.ts"));
  copyFileSync(path.join(repoRoot, "assembly", "int16", "adam-soft.ts"), path.join(work, "int16", "adam-soft.ts"));
  copyFileSync(path.join(repoRoot, "assembly", "int16", "soft-f32.ts"), path.join(work, "int16", "soft-f32.ts"));
  copyFileSync(path.join(repoRoot, "assembly", "int16", "soft-f32-normal.ts"), path.join(work, "int16", "soft-f32-normal.ts"));
  copyFileSync(path.join(repoRoot, "assembly", "int16", "mul-prepared.ts"), path.join(work, "int16", "mul-prepared.ts"));
  copyFileSync(path.join(repoRoot, "assembly", "int16", "scale-soft.ts"), path.join(work, "int16", "scale-soft.ts"));
  writeFileSync(path.join(work, "entry.ts"), [
    'import { adam } from "./optim/adam";',
    'import { adamSoft } from "./int16/adam-soft";',
    'import { sgd } from "./optim/sgd";',
    'import { sgdSoft } from "./int16/sgd-soft";',
    "// p, g, buf: n f32 each from base.",
    "export function sgdStep(soft: bool, base: usize, n: i32, step: i32, lr: f64, momentum: f64, dampening: f64, wd: f64, nesterov: bool): void {",
    "  const s = <usize>n << 2;",
    "  if (soft) sgdSoft(base, base + s, base + 2 * s, n, step, lr, momentum, dampening, wd, nesterov);",
    "  else sgd(base, base + s, base + 2 * s, n, step, lr, momentum, dampening, wd, nesterov);",
    "}",
    'import { scaleAndSumSquaresSoft } from "./int16/scale-soft";',
    "export function scaleSoft(p: usize, n: i32, scale: f32): f32 { return reinterpret<f32>(scaleAndSumSquaresSoft(p, p + (<usize>n << 2), reinterpret<u32>(scale))); }",
    "// optimizer.ts's scaleAndMeasure inner loop.",
    "export function scaleF32(p: usize, n: i32, scale: f32): f32 {",
    "  const end = p + (<usize>n << 2);",
    "  let sq: f32 = 0;",
    "  for (; p < end; p += 4) {",
    "    const g = load<f32>(p) * scale;",
    "    store<f32>(p, g);",
    "    sq += g * g;",
    "  }",
    "  return sq;",
    "}",
    "// p, g, m, v: n f32 each from base.",
    "export function step(soft: bool, base: usize, n: i32, step: i32, lr: f64, b1: f64, b2: f64, eps: f64, wd: f64, decoupled: bool): void {",
    "  const s = <usize>n << 2;",
    "  if (soft) adamSoft(base, base + s, base + 2 * s, base + 3 * s, n, step, lr, b1, b2, eps, wd, decoupled);",
    "  else adam(base, base + s, base + 2 * s, base + 3 * s, n, step, lr, b1, b2, eps, wd, decoupled);",
    "}",
    "",
  ].join("\n"));
  execFileSync(path.join(repoRoot, "node_modules", ".bin", "asc"),
    ["entry.ts", "-O3", "--runtime", "stub", "--initialMemory", "4", "-o", "m.wasm"], { cwd: work, stdio: "pipe" });
  const { instance } = await WebAssembly.instantiate(readFileSync(path.join(work, "m.wasm")));
  mod = instance.exports as unknown as Exports;
}, 60_000);
afterAll(() => rmDir(work));

let seed = 0x9e3779b9;
const next = (): number => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed; };
/** A value of magnitude 10^[lo, hi), either sign, or an exact zero one time in 16. */
const logUniform = (lo: number, hi: number): number => (next() % 16 === 0 ? 0 : (next() & 1 ? -1 : 1) * 10 ** (lo + (hi - lo) * (next() / 2 ** 32)));

describe("int16's soft-float Adam step, bit for bit against the f32 step", () => {
  const cases = [
    { name: "adam, torch's defaults", lr: 1e-3, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0, decoupled: 0 },
    { name: "adam, L2 weight decay", lr: 0.01, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0.01, decoupled: 0 },
    { name: "adamw", lr: 0.02, b1: 0.8, b2: 0.99, eps: 1e-6, wd: 0.05, decoupled: 1 },
    { name: "adamw, extreme hyper-parameters", lr: 3, b1: 0.5, b2: 0.9, eps: 1e-30, wd: 0.3, decoupled: 1 },
    { name: "adam, tiny eps and lr", lr: 1e-7, b1: 0.99, b2: 0.99999, eps: 1e-38, wd: 0, decoupled: 0 },
    { name: "adam from zero moments (the first steps), gradients of a training run", lr: 1e-3, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0, decoupled: 0, fresh: true },
    { name: "adamw from zero moments", lr: 1e-3, b1: 0.9, b2: 0.999, eps: 1e-8, wd: 0.01, decoupled: 1, fresh: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const base = 65536, bytes = 4 * N * 4; // above the static data (Math.pow's tables)
      const mem = new Float32Array(mod.memory.buffer, base, 4 * N);
      // p, m, v start as a weight, a moment and a second moment might after some steps (v >= 0).
      for (let i = 0; i < N; i++) {
        mem[i] = logUniform(-6, 1);
        mem[2 * N + i] = "fresh" in c ? 0 : logUniform(-20, 1);
        mem[3 * N + i] = "fresh" in c ? 0 : Math.abs(logUniform(-38, 2));
      }
      const soft = new Uint8Array(mod.memory.buffer, base + bytes, bytes);
      const copy = (): void => soft.set(new Uint8Array(mod.memory.buffer, base, bytes));
      copy();
      for (let t = 1; t <= 30; t++) {
        const g = new Float32Array(mod.memory.buffer, base + 4 * N, N);
        const gSoft = new Float32Array(mod.memory.buffer, base + bytes + 4 * N, N);
        for (let i = 0; i < N; i++) { const x = "fresh" in c ? logUniform(-8, 0) : logUniform(-30, 3); g[i] = x; gSoft[i] = x; }
        mod.step(0, base, N, t, c.lr, c.b1, c.b2, c.eps, c.wd, c.decoupled);
        mod.step(1, base + bytes, N, t, c.lr, c.b1, c.b2, c.eps, c.wd, c.decoupled);
        const a = new Uint32Array(mod.memory.buffer, base, 4 * N), b = new Uint32Array(mod.memory.buffer, base + bytes, 4 * N);
        let wrong = 0;
        for (let i = 0; i < 4 * N; i++) if (a[i] !== b[i] && wrong++ < 3) console.error(`step ${t}, word ${i}: f32 0x${(a[i] ?? 0).toString(16)}, soft 0x${(b[i] ?? 0).toString(16)}`);
        expect(wrong, `step ${t}`).toBe(0);
      }
      // The comparison means something: the weights are still finite numbers.
      const p = new Float32Array(mod.memory.buffer, base, N);
      expect(p.filter((x) => Number.isFinite(x)).length).toBe(N);
    });
  }
});

describe("int16's soft-float Adam step with a negative second moment (optimizer state from outside)", () => {
  // v < 0 never comes out of a step, but a loaded state may hold it: the short
  // path adds positive numbers only, so such a parameter takes the general one.
  it("gives the f32 step's bits where b2 v + (1 - b2) d d stays positive", () => {
    const base = 65536, bytes = 4 * N * 4;
    const mem = new Float32Array(mod.memory.buffer, base, 4 * N);
    for (let i = 0; i < N; i++) {
      mem[i] = logUniform(-6, 1);
      mem[N + i] = (next() & 1 ? -1 : 1) * 10 ** (-2 + 2 * (next() / 2 ** 32)); // |d| in [1e-2, 1)
      mem[2 * N + i] = logUniform(-20, 1) || 1e-3;
      mem[3 * N + i] = -(10 ** (-14 + 6 * (next() / 2 ** 32))); // v in (-1e-8, -1e-14]
    }
    new Uint8Array(mod.memory.buffer, base + bytes, bytes).set(new Uint8Array(mod.memory.buffer, base, bytes));
    mod.step(0, base, N, 5, 1e-3, 0.9, 0.999, 1e-8, 0, 0);
    mod.step(1, base + bytes, N, 5, 1e-3, 0.9, 0.999, 1e-8, 0, 0);
    const a = new Uint32Array(mod.memory.buffer, base, 4 * N), b = new Uint32Array(mod.memory.buffer, base + bytes, 4 * N);
    let wrong = 0;
    for (let i = 0; i < 4 * N; i++) if (a[i] !== b[i] && wrong++ < 3) console.error(`word ${i}: f32 0x${(a[i] ?? 0).toString(16)}, soft 0x${(b[i] ?? 0).toString(16)}`);
    expect(wrong).toBe(0);
    const p = new Float32Array(mod.memory.buffer, base, N);
    expect(p.filter((x) => Number.isFinite(x)).length).toBe(N);
  });
});

describe("int16's soft-float batch-mean scaling and squared norm, bit for bit against the f32 loop", () => {
  it("gradients of every magnitude (to overflow), scales 1/rows and clip coefficients", () => {
    const base = 65536;
    const f32 = new Float32Array(1);
    for (const [lo, hi] of [[-45, -30], [-12, 2], [-3, 3], [10, 25], [-45, 38]] as const) {
      for (const scale of [1 / 32, 1 / 24, 1, 0.7, 1 / 3, 1e-20, 3e10]) {
        const a = new Float32Array(mod.memory.buffer, base, N), b = new Float32Array(mod.memory.buffer, base + 4 * N, N);
        for (let i = 0; i < N; i++) { const x = logUniform(lo, hi); a[i] = x; b[i] = x; }
        f32[0] = scale;
        const want = mod.scaleF32(base, N, f32[0] ?? 0), got = mod.scaleSoft(base + 4 * N, N, f32[0] ?? 0);
        expect(Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want)), `10^[${lo}, ${hi}) x ${scale}: ${got} vs ${want}`).toBe(true);
        const ua = new Uint32Array(mod.memory.buffer, base, N), ub = new Uint32Array(mod.memory.buffer, base + 4 * N, N);
        let wrong = 0;
        for (let i = 0; i < N; i++) if (ua[i] !== ub[i]) wrong++;
        expect(wrong).toBe(0);
      }
    }
  });
});

describe("int16's soft-float scaling by a power of two (an exponent move) and its edges, bit for bit against the f32 loop", () => {
  it("gradients at every exponent (zeros, -0, subnormals, infinities, NaN) times powers of two of either sign", () => {
    const base = 65536;
    const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
    const specials = [0, 0x80000000, 1, 0x807fffff, 0x800000, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000];
    for (const exp of [127 - 5, 127, 127 - 1, 127 + 1, 127 - 126, 127 + 127, 127 - 100, 127 + 60, 127 - 20]) {
      for (const sign of [0, 0x80000000]) {
        for (const finite of [true, false]) {
          u32[0] = (sign | (exp << 23)) >>> 0;
          const scale = f32[0] ?? 0;
          const ua = new Uint32Array(mod.memory.buffer, base, N), ub = new Uint32Array(mod.memory.buffer, base + 4 * N, N);
          // Any exponent field (finite: 0..254, so the sum may stay finite), any mantissa, either sign, 1 in 16 a special.
          for (let i = 0; i < N; i++) {
            const x = next() % 16 === 0 ? specials[next() % (finite ? 7 : specials.length)] ?? 0 : (next() & 0x807fffff) | ((next() % (finite ? 255 : 256)) << 23);
            ua[i] = x >>> 0; ub[i] = x >>> 0;
          }
          const want = mod.scaleF32(base, N, scale), got = mod.scaleSoft(base + 4 * N, N, scale);
          expect(Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want)), `2^${exp - 127} x ${sign ? "-" : "+"}: ${got} vs ${want}`).toBe(true);
          let wrong = 0;
          for (let i = 0; i < N; i++) if (ua[i] !== ub[i] && !(Number.isNaN(new Float32Array(ua.buffer, base + 4 * i, 1)[0]) && (ub[i] ?? 0) << 1 >>> 0 > 0xff000000)) wrong++;
          expect(wrong, `2^${exp - 127}`).toBe(0);
        }
      }
    }
  });

  it("small gradients whose squares stay normal, summed without overflow (the short path of every operation)", () => {
    const base = 65536;
    const f32 = new Float32Array(1);
    for (const scale of [1 / 32, 1 / 64, 1 / 24, 0.7]) {
      const a = new Float32Array(mod.memory.buffer, base, N), b = new Float32Array(mod.memory.buffer, base + 4 * N, N);
      for (let i = 0; i < N; i++) { const x = logUniform(-15, 8); a[i] = x; b[i] = x; }
      f32[0] = scale;
      const want = mod.scaleF32(base, N, f32[0] ?? 0), got = mod.scaleSoft(base + 4 * N, N, f32[0] ?? 0);
      expect(Object.is(got, want), `x ${scale}: ${got} vs ${want}`).toBe(true);
      const ua = new Uint32Array(mod.memory.buffer, base, N), ub = new Uint32Array(mod.memory.buffer, base + 4 * N, N);
      let wrong = 0;
      for (let i = 0; i < N; i++) if (ua[i] !== ub[i]) wrong++;
      expect(wrong).toBe(0);
    }
  });
});

describe("int16's soft-float SGD step, bit for bit against the f32 step", () => {
  const cases = [
    { name: "plain SGD", lr: 0.01, momentum: 0, dampening: 0, wd: 0, nesterov: 0 },
    { name: "plain SGD, L2 weight decay", lr: 0.1, momentum: 0, dampening: 0, wd: 0.01, nesterov: 0 },
    { name: "momentum", lr: 0.01, momentum: 0.9, dampening: 0, wd: 0, nesterov: 0 },
    { name: "momentum, dampening, weight decay", lr: 0.05, momentum: 0.8, dampening: 0.3, wd: 0.001, nesterov: 0 },
    { name: "nesterov, weight decay", lr: 0.01, momentum: 0.9, dampening: 0, wd: 0.0005, nesterov: 1 },
    { name: "extreme hyper-parameters", lr: 3, momentum: 0.999, dampening: 0.999, wd: 0.5, nesterov: 1 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const base = 65536, bytes = 3 * N * 4;
      const mem = new Float32Array(mod.memory.buffer, base, 3 * N);
      for (let i = 0; i < N; i++) { mem[i] = logUniform(-6, 1); mem[2 * N + i] = 0; }
      new Uint8Array(mod.memory.buffer, base + bytes, bytes).set(new Uint8Array(mod.memory.buffer, base, bytes));
      for (let t = 1; t <= 20; t++) {
        const g = new Float32Array(mod.memory.buffer, base + 4 * N, N);
        const gSoft = new Float32Array(mod.memory.buffer, base + bytes + 4 * N, N);
        // Every magnitude, exact zeros and -0 (0 * w and -0 + 0 decide a sign).
        for (let i = 0; i < N; i++) { const x = next() % 32 === 0 ? -0 : logUniform(-40, 4); g[i] = x; gSoft[i] = x; }
        mod.sgdStep(0, base, N, t, c.lr, c.momentum, c.dampening, c.wd, c.nesterov);
        mod.sgdStep(1, base + bytes, N, t, c.lr, c.momentum, c.dampening, c.wd, c.nesterov);
        const a = new Uint32Array(mod.memory.buffer, base, 3 * N), b = new Uint32Array(mod.memory.buffer, base + bytes, 3 * N);
        let wrong = 0;
        for (let i = 0; i < 3 * N; i++) if (a[i] !== b[i] && wrong++ < 3) console.error(`step ${t}, word ${i}: f32 0x${(a[i] ?? 0).toString(16)}, soft 0x${(b[i] ?? 0).toString(16)}`);
        expect(wrong, `step ${t}`).toBe(0);
      }
      const p = new Float32Array(mod.memory.buffer, base, N);
      expect(p.filter((x) => Number.isFinite(x)).length).toBeGreaterThan(N / 2);
    });
  }
});
