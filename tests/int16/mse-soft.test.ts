// int16's mean squared error on soft-float (assembly/int16/mse-soft.ts, and
// small-int-f32.ts's <f32>k) against the f32 code it replaces
// (assembly/loss/mse.ts, identity output), both compiled into one module and
// run by V8 on the same inputs: the returned f64 and every output's bits,
// with and without `keep`, for outputs and targets at many scales, equal
// pairs (e = +0), zeros of both signs, subnormals, FLT_MAX (overflowing
// differences), infinities and NaN.
import { beforeAll, describe, expect, it } from "vitest";
import { compileEntry } from "../helpers/assembly-entry";
import { rng } from "../helpers/rng";

type Exports = {
  memory: WebAssembly.Memory;
  intSoft: (k: number) => number; intRef: (k: number) => number;
  mseSoft: (y: number, t: number, k: number, rows: number, keep: number) => number;
  mseRef: (y: number, t: number, k: number, rows: number, keep: number) => number;
};

let m: Exports;
beforeAll(async () => {
  m = await compileEntry<Exports>([
    'import { mse } from "./loss/mse";',
    'import { mseSoft as soft } from "./int16/mse-soft";',
    'import { smallIntBits } from "./int16/small-int-f32";',
    "export function intSoft(k: i32): u32 { return smallIntBits(k); }",
    "export function intRef(k: i32): u32 { return reinterpret<u32>(<f32>k); }",
    "export function mseSoft(y: usize, t: usize, k: i32, rows: i32, keep: bool): f64 { return soft(y, t, k, rows, keep); }",
    "export function mseRef(y: usize, t: usize, k: i32, rows: i32, keep: bool): f64 { return mse(0, y, t, k, rows, keep); }",
  ], { initialMemory: 4 });
}, 120_000);


function value(r: () => number, scale: number): number {
  const c = r();
  if (c < 0.04) return [0, -0, 3.4028234663852886e38, -3.4028234663852886e38, 1e-40, -1e-40, 1e-38, Infinity, -Infinity, NaN][(r() * 10) | 0];
  return (r() - 0.5) * 2 * scale;
}

describe("mseSoft", () => {
  it("smallIntBits is <f32>k for |k| < 2^24", () => {
    let bad = 0;
    for (let k = -70000; k <= 70000; k++) if (m.intSoft(k) !== m.intRef(k)) bad++;
    for (const k of [2 ** 24 - 1, -(2 ** 24 - 1), 2 ** 23, 2 ** 23 + 1, 12345678]) if (m.intSoft(k) !== m.intRef(k)) bad++;
    expect(bad).toBe(0);
  });

  it("gives mse's loss and gradient bits (identity output, keep or not)", () => {
    const r = rng(11);
    const f32 = new Float32Array(m.memory.buffer);
    const u32 = new Uint32Array(m.memory.buffer);
    const Y = 0x10000, Y2 = 0x20000, T = 0x30000;
    const scales = [1e-20, 1e-3, 1, 10, 1e4, 1e30];
    for (let c = 0; c < 30_000; c++) {
      const k = [1, 1, 2, 3, 4, 7, 10][(r() * 7) | 0];
      const rows = 1 + ((r() * 8) | 0);
      const keep = r() < 0.25 ? 1 : 0;
      const scale = scales[(r() * scales.length) | 0];
      for (let i = 0; i < k * rows; i++) {
        f32[Y / 4 + i] = value(r, scale);
        f32[T / 4 + i] = r() < 0.05 ? f32[Y / 4 + i] : value(r, scale);
      }
      u32.copyWithin(Y2 / 4, Y / 4, Y / 4 + k * rows);
      const a = m.mseSoft(Y, T, k, rows, keep), b = m.mseRef(Y2, T, k, rows, keep);
      expect(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b))).toBe(true);
      for (let i = 0; i < k * rows; i++) {
        if (u32[Y / 4 + i] !== u32[Y2 / 4 + i]) throw new Error(`case ${c} output ${i}: 0x${u32[Y / 4 + i].toString(16)} vs 0x${u32[Y2 / 4 + i].toString(16)}`);
      }
    }
  });
});
