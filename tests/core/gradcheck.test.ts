// Finite-difference gradient checks, every hidden activation x every loss.
// The analytic gradient is what the module applies: one SGD step with lr 1,
// no momentum, on one batch that is one chunk, so w_before - w_after is the
// batch-mean gradient. The numeric one is a central difference of the loss the
// module itself reports (eval_chunk), in f64 on the host.
import { describe, expect, it } from "vitest";
import { Net, randomData, type NetSpec } from "../helpers/engine";
import { rng } from "../helpers/rng";
import type { Activation, LossName } from "../../host/model/config";

const ACTS: Activation[] = ["identity", "relu", "leaky_relu", "sigmoid", "tanh"];
const LOSSES: LossName[] = ["mse", "ce", "bce"];
const ROWS = 6;

/** Pre-activations of every hidden unit, in f64, from flat weights (module order). */
function hiddenPreActivations(sizes: number[], act: Activation, w: ArrayLike<number>, x: ArrayLike<number>, rows: number): number[] {
  const zs: number[] = [];
  for (let r = 0; r < rows; r++) {
    let a = Array.from({ length: sizes[0] }, (_, i) => x[r * sizes[0] + i]);
    let p = 0;
    for (let l = 1; l < sizes.length; l++) {
      const nIn = sizes[l - 1], nOut = sizes[l];
      const z = new Array<number>(nOut).fill(0);
      for (let j = 0; j < nOut; j++) {
        let s = w[p + nIn * nOut + j];
        for (let i = 0; i < nIn; i++) s += w[p + j * nIn + i] * a[i];
        z[j] = s;
      }
      p += nIn * nOut + nOut;
      if (l < sizes.length - 1) {
        zs.push(...z);
        a = z.map((v) => (act === "relu" ? Math.max(v, 0) : act === "leaky_relu" ? (v > 0 ? v : 0.01 * v)
          : act === "sigmoid" ? 1 / (1 + Math.exp(-v)) : act === "tanh" ? Math.tanh(v) : v));
      }
    }
  }
  return zs;
}

function check(act: Activation, loss: LossName, sizesTail: number) {
  const sizes = [3, 5, 4, sizesTail];
  const spec: NetSpec = {
    sizes, act, loss, opt: "sgd", optimizer: { lr: 1, momentum: 0, weightDecay: 0 }, chunk: ROWS, seed: 7,
  };
  const net = new Net();
  expect(net.configure(spec)).toBe(0);
  const n = net.e.param_count();
  // Weights and inputs with every hidden pre-activation at least 0.15 from
  // relu's kink, so w +- h never crosses it.
  let w0!: Float32Array, data!: { x: Float64Array; t: Float64Array };
  for (let seed = 1; ; seed++) {
    const r = rng(1000 * seed + sizes[3]);
    w0 = new Float32Array(n).map(() => (r() * 2 - 1) * 0.9);
    data = randomData(r, ROWS, 3, sizesTail, loss);
    const zs = hiddenPreActivations(sizes, act, w0, data.x, ROWS);
    if (Math.min(...zs.map(Math.abs)) > 0.15) break;
    if (seed > 5000) throw new Error("no kink-free draw found");
  }
  // Analytic: one step with lr 1.
  net.setWeights(w0);
  const before = net.getWeights();
  net.trainBatch(data.x, data.t, ROWS);
  const after = net.getWeights();
  const analytic = Array.from(before, (b, i) => b - after[i]);
  // Numeric: central differences of the mean loss, through eval_chunk.
  const numeric: number[] = [];
  const h = 4e-3;
  for (let i = 0; i < n; i++) {
    const wp = Float32Array.from(w0), wm = Float32Array.from(w0);
    wp[i] = w0[i] + h;
    wm[i] = w0[i] - h;
    net.setWeights(wp);
    const lp = net.evalLoss(data.x, data.t, ROWS) / ROWS;
    net.setWeights(wm);
    const lm = net.evalLoss(data.x, data.t, ROWS) / ROWS;
    numeric.push((lp - lm) / (wp[i] - wm[i]));
  }
  return { analytic, numeric };
}

describe("gradient check (central differences vs one SGD step, lr 1)", () => {
  for (const loss of LOSSES) {
    for (const act of ACTS) {
      it(`${act} hidden, ${loss}`, () => {
        const k = loss === "ce" ? 3 : 2;
        const { analytic, numeric } = check(act, loss, k);
        const scale = Math.max(...numeric.map(Math.abs));
        // Not vacuous: the gradient is clearly non-zero.
        expect(scale).toBeGreaterThan(1e-2);
        let diff2 = 0, norm2 = 0;
        const bad: string[] = [];
        for (let i = 0; i < numeric.length; i++) {
          const d = Math.abs(analytic[i] - numeric[i]);
          diff2 += d * d;
          norm2 += numeric[i] * numeric[i];
          if (d > 1e-2 * Math.abs(numeric[i]) + 1e-3 * scale) bad.push(`#${i}: analytic ${analytic[i]} numeric ${numeric[i]}`);
        }
        expect(bad, bad.slice(0, 5).join("; ")).toEqual([]);
        expect(Math.sqrt(diff2 / norm2)).toBeLessThan(1e-2);
      });
    }
  }

  it("would catch a factor-2 or sign error (the check itself is sharp)", () => {
    const { analytic, numeric } = check("tanh", "mse", 2);
    const rel = (a: number[]) => Math.sqrt(a.reduce((s, v, i) => s + (v - numeric[i]) ** 2, 0) / numeric.reduce((s, v) => s + v * v, 0));
    expect(rel(analytic)).toBeLessThan(1e-2);
    expect(rel(analytic.map((v) => 2 * v))).toBeGreaterThan(0.5);
    expect(rel(analytic.map((v) => -v))).toBeGreaterThan(1);
  });
});
