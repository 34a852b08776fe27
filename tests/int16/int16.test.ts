// int16 precision (issue 22, docs/int16.md): the module's integer forward and
// backward passes against the document written again in TypeScript
// (reference.ts), bit for bit; the extremes (saturation, a collapsed range,
// non-finite inputs); the configuration field and its refusals.
import { describe, expect, it } from "vitest";
import { Net, runConfig, type NetSpec } from "../helpers/engine";
import { rng } from "../helpers/rng";
import { ConfigOffset } from "../../host/protocol/config-block";
import type { RunConfig } from "../../host/model/config";
import { forward, gradients, type Layer } from "./reference";
import { runCli } from "../helpers/cli";
import { rmDir, tmpDir } from "../helpers/paths";
import { writeFileSync } from "node:fs";
import path from "node:path";

const RANGE_COLLAPSED = 13, NON_FINITE = 9, BAD_CONFIG = 1, OK = 0;

function int16(spec: NetSpec): RunConfig {
  return { ...runConfig(spec), precision: "int16" };
}

/** The model's layers as the reference takes them, from the module's f32 parameters. */
function layersOf(net: Net, relu: boolean): Layer[] {
  const w = net.getWeights();
  const s = net.run.sizes;
  const out: Layer[] = [];
  let off = 0;
  for (let l = 1; l < s.length; l++) {
    const nIn = s[l - 1], nOut = s[l];
    out.push({ nIn, nOut, W: Array.from(w.subarray(off, off + nIn * nOut)), b: Array.from(w.subarray(off + nIn * nOut, off + nIn * nOut + nOut)), relu: relu && l < s.length - 1 });
    off += nOut * (nIn + 1);
  }
  return out;
}

function stage(net: Net, x: number[], t: number[]) {
  net.f32(net.e.input_ptr(), x.length).set(x);
  net.f32(net.e.target_ptr(), t.length).set(t);
}

const randomRows = (r: () => number, n: number, scale = 1) => Array.from({ length: n }, () => Math.fround((r() * 2 - 1) * scale));

describe("int16 forward: the module computes docs/int16.md §3-§5 exactly", () => {
  for (const [sizes, act, rows] of [[[5, 7, 3], "relu", 6], [[3, 1], "relu", 5], [[6, 13, 9, 2], "identity", 11], [[40, 33, 5], "relu", 3]] as const) {
    it(`${sizes.join("-")} ${act}, ${rows} rows: outputs bit for bit`, () => {
      const net = new Net();
      expect(net.configure(int16({ sizes: [...sizes], act, loss: "mse", chunk: rows, seed: 7 }))).toBe(OK);
      const r = rng(sizes.length * 100 + rows);
      const x = randomRows(r, rows * sizes[0], 3);
      stage(net, x, new Array(rows * sizes[sizes.length - 1]).fill(0));
      const ref = forward(layersOf(net, act === "relu"), x, rows);
      expect(net.e.eval_chunk(rows, 0)).toBe(OK);
      expect(Array.from(net.f32(net.e.output_ptr(), ref.y.length))).toEqual(ref.y);
    });
  }
});

describe("int16 backward: gradients by docs/int16.md §6, through the f32 SGD step", () => {
  for (const [sizes, rows] of [[[6, 9, 4], 40], [[4, 5, 7, 3], 7]] as const) {
    it(`${sizes.join("-")} relu, one chunk of ${rows} rows (row groups of 32): every updated weight bit for bit`, () => {
      const net = new Net();
      expect(net.configure(int16({ sizes: [...sizes], act: "relu", loss: "mse", chunk: rows, seed: 3, opt: "sgd", optimizer: { lr: 1 } }))).toBe(OK);
      const r = rng(rows);
      const nOut = sizes[sizes.length - 1];
      const x = randomRows(r, rows * sizes[0], 2), t = randomRows(r, rows * nOut);
      const layers = layersOf(net, true);
      const before = net.getWeights();
      stage(net, x, t);
      const fw = forward(layers, x, rows);
      expect(net.e.train_chunk(rows, 1)).toBe(OK);
      // The loss left dL/dz (f32, the existing loss code) at the output level; the integer walk back starts there.
      const dLdz = Array.from(net.f32(net.e.output_ptr(), rows * nOut));
      const g = gradients(layers, fw, dLdz, rows).flat();
      const scale = Math.fround(1 / rows);
      const want = Array.from(before, (w, k) => Math.fround(w - Math.fround(g[k] * scale)));
      expect(Array.from(net.getWeights())).toEqual(want);
      expect(g.some((v) => v !== 0)).toBe(true);
    });
  }
});

describe("int16 with frozen layers (fine-tuning)", () => {
  it("4-5-7-3, layer 1 frozen: it stays as it was, layers 2 and 3 take docs/int16.md's gradients bit for bit", () => {
    const rows = 7;
    const net = new Net();
    expect(net.configure(int16({ sizes: [4, 5, 7, 3], act: "relu", loss: "mse", chunk: rows, seed: 9, opt: "sgd", optimizer: { lr: 1 }, frozenLayers: 1 }))).toBe(OK);
    const r = rng(77);
    const x = randomRows(r, rows * 4, 2), t = randomRows(r, rows * 3);
    const layers = layersOf(net, true);
    const before = net.getWeights();
    stage(net, x, t);
    const fw = forward(layers, x, rows);
    expect(net.e.train_chunk(rows, 1)).toBe(OK);
    const g = gradients(layers, fw, Array.from(net.f32(net.e.output_ptr(), rows * 3)), rows);
    const frozen = 5 * (4 + 1);
    const scale = Math.fround(1 / rows);
    const want = Array.from(before, (w, k) => (k < frozen ? w : Math.fround(w - Math.fround([...g[1], ...g[2]][k - frozen] * scale))));
    expect(Array.from(net.getWeights())).toEqual(want);
  });
});

describe("int16 at the extremes", () => {
  it("weights near FLT_MAX: the output saturates to FLT_MAX (f32 mode makes Infinity), no trap", () => {
    for (const precision of ["f32", "int16"] as const) {
      const net = new Net();
      expect(net.configure({ ...runConfig({ sizes: [4, 2], act: "identity", loss: "mse", chunk: 2 }), precision })).toBe(OK);
      net.setWeights(new Array(10).fill(3e38).map((v, k) => (k >= 8 ? 0 : v)));
      stage(net, [1, 1, 1, 1, 2, 2, 2, 2], [0, 0, 0, 0]);
      expect(net.e.eval_chunk(2, 0)).toBe(OK);
      const y = Array.from(net.f32(net.e.output_ptr(), 4));
      expect(y).toEqual(precision === "int16" ? new Array(4).fill(3.4028234663852886e38) : new Array(4).fill(Infinity));
    }
  });

  it("a range that leaves f32's (every output flushed to 0) is RANGE_COLLAPSED with the layer, nothing trained; then trains again", () => {
    const net = new Net();
    expect(net.configure(int16({ sizes: [3, 4, 2], act: "relu", loss: "mse", chunk: 4, opt: "sgd", optimizer: { lr: 0.1 } }))).toBe(OK);
    const initial = net.getWeights();
    const w = initial.map(() => 1e-30);
    net.setWeights(w);
    stage(net, new Array(12).fill(1e-30), new Array(8).fill(1));
    expect(net.e.train_chunk(4, 1)).toBe(RANGE_COLLAPSED);
    // Layer 1's bias (1e-30) at the products' scale (about 2^224) passes 2^62: saturated, reported.
    expect(net.e.range_collapsed_layer()).toBe(1);
    // No bias: layer 2's outputs (about 1e-60) all flush to 0.
    net.setWeights(w.map((v, k) => (k >= 12 && k < 16) || k >= 24 ? 0 : v));
    stage(net, new Array(12).fill(1e-30), new Array(8).fill(1));
    expect(net.e.train_chunk(4, 1)).toBe(RANGE_COLLAPSED);
    expect(net.e.range_collapsed_layer()).toBe(2);
    net.setWeights(w);
    expect(Array.from(net.getWeights())).toEqual(Array.from(w));
    // Weights and inputs back in range: the same model trains.
    net.setWeights(initial);
    stage(net, new Array(12).fill(0.5), new Array(8).fill(1));
    expect(net.e.train_chunk(4, 1)).toBe(OK);
    expect(net.e.range_collapsed_layer()).toBe(0);
  });

  it("the largest element rounds up to 2^b and saturates to 2^b - 1 (b = 13: 8191.5 -> 8191)", () => {
    // One input whose largest magnitude maps to 8191.5 before rounding: x = 8191.5 / 8192 (exact in f32),
    // the weight 1 (q = 4096, s = 12), zero bias: the output is q_x 2^-13 with q_x saturated to 8191.
    const net = new Net();
    expect(net.configure(int16({ sizes: [1, 1], act: "identity", loss: "mse", chunk: 1 }))).toBe(OK);
    net.setWeights([1, 0]);
    stage(net, [Math.fround(8191.5 / 8192)], [0]);
    expect(net.e.eval_chunk(1, 0)).toBe(OK);
    expect(net.f32(net.e.output_ptr(), 1)[0]).toBe(8191 / 8192);
    // 8190.5 / 8192 is a tie: to even (8190).
    stage(net, [Math.fround(8190.5 / 8192)], [0]);
    expect(net.e.eval_chunk(1, 0)).toBe(OK);
    expect(net.f32(net.e.output_ptr(), 1)[0]).toBe(8190 / 8192);
  });

  it("a non-finite input fails the chunk with NON_FINITE and discards the batch", () => {
    const net = new Net();
    expect(net.configure(int16({ sizes: [2, 3, 2], act: "relu", loss: "mse", chunk: 2, opt: "sgd", optimizer: { lr: 0.1 } }))).toBe(OK);
    const w = net.getWeights();
    stage(net, [1, NaN, 0, 1], [0, 0, 0, 0]);
    expect(net.e.train_chunk(2, 1)).toBe(NON_FINITE);
    expect(Array.from(net.getWeights())).toEqual(Array.from(w));
  });
});

describe("a collapsed range, through the host", () => {
  it("sim --precision int16 on inputs near 1e-30 stops with exit 3 and says why; f32 trains them", () => {
    const dir = tmpDir("edgeprop-int16-collapse-");
    try {
      const data = path.join(dir, "tiny.csv");
      writeFileSync(data, ["a,b,label", ...Array.from({ length: 16 }, (_, i) => `${(i + 1) * 1e-30},${-(i + 2) * 1e-30},${i % 2}`)].join("\n") + "\n");
      const args = ["sim", "--data", data, "--layers", "2,4,2", "--loss", "ce", "--opt", "sgd", "--epochs", "2", "--batch", "8"];
      const r = runCli([...args, "--precision", "int16"]);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/int16: a layer's integer range left float32's/);
      expect(runCli(args).code).toBe(0);
    } finally {
      rmDir(dir);
    }
  });
});

describe("the precision field (configuration byte 152)", () => {
  function configureRaw(net: Net, run: RunConfig, poke: (b: Uint8Array) => void): number {
    net.configure(run);
    const b = new Uint8Array(net.e.memory.buffer, net.e.config_ptr(), 160);
    poke(b);
    return net.e.configure();
  }

  it("is byte 152; 2 is refused there; a byte past it (153) stays reserved", () => {
    expect(ConfigOffset.PRECISION).toBe(152);
    const net = new Net();
    const run = int16({ sizes: [4, 8, 3], act: "relu", loss: "ce", chunk: 4 });
    expect(configureRaw(net, run, () => undefined)).toBe(OK);
    expect(configureRaw(net, run, (b) => { b[152] = 2; })).toBe(BAD_CONFIG);
    expect(net.e.config_detail()).toBe(152);
    expect(configureRaw(net, run, (b) => { b[153] = 1; })).toBe(BAD_CONFIG);
    expect(net.e.config_detail()).toBe(153);
  });

  it("int16 refuses a hidden activation that is not exact on integers at that layer's byte, and takes any output activation", () => {
    const net = new Net();
    for (const act of ["leaky_relu", "sigmoid", "tanh"] as const) {
      expect(net.configure(int16({ sizes: [4, 8, 8, 3], act: ["relu", act, "identity"], loss: "ce", chunk: 4 }))).toBe(BAD_CONFIG);
      expect(net.e.config_detail()).toBe(ConfigOffset.ACTIVATIONS + 1);
      expect(net.configure({ ...runConfig({ sizes: [4, 8, 8, 3], act: ["relu", act, "identity"], loss: "ce", chunk: 4 }) })).toBe(OK);
    }
    expect(net.configure(int16({ sizes: [4, 8, 1], act: ["relu", "sigmoid"], loss: "bce", chunk: 4 }))).toBe(OK);
  });
});
