// Frozen layers (config C_FROZEN, RunConfig.frozenLayers, --freeze K): the
// plan is smaller by exactly the frozen layers' gradient and optimizer bytes,
// the host computes the same plan, and training a model whose first K layers
// are frozen is, bit for bit, training only its top L-K layers on the frozen
// layers' outputs: the same weights, losses and gradient norms (0 for the
// frozen layers), the frozen weights untouched, whatever the optimizer,
// weight decay and clipping. No backward work reaches below layer K+1.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Net, Status, randomData, runConfig, type NetSpec } from "../helpers/engine";
import { computePlan, optimizerStateFloats } from "../../host/model/plan";
import { optimizerSlots, paramCount, type Activation, type OptimizerConfig } from "../../host/model/config";
import { moduleStaticBytes } from "../../host/boards/engine";
import { DirectBoard } from "../../host/boards/in-process";
import { encodeConfig } from "../../host/protocol/config-block";
import { rng } from "../helpers/rng";
import { jsonLines, runCli } from "../helpers/cli";
import { rmDir, tmpDir, wasmPath } from "../helpers/paths";

const align8 = (n: number) => (n + 7) & ~7;
const P2 = { sizes: [16, 32, 32, 4], act: "relu" as const, loss: "ce" as const, opt: "adam", chunk: 8 };

describe("the plan of a model with frozen layers", () => {
  it("is smaller by exactly the frozen layers' gradient and optimizer bytes, for every optimizer-state shape, and the host agrees", () => {
    const staticBytes = moduleStaticBytes(wasmPath);
    const shapes: [string, Partial<OptimizerConfig>][] = [
      ["sgd", {}], ["sgd", { momentum: 0.9 }], ["adagrad", {}], ["rmsprop", { centered: true, momentum: 0.5 }],
      ["adam", {}], ["adam", { amsgrad: true }], ["adamw", {}], ["nadam", {}], ["radam", {}],
    ];
    const models = [[16, 32, 32, 4], [3, 5, 7, 2, 9, 1], [7, 3]];
    for (const sizes of models) {
      for (const [opt, o] of shapes) {
        const L = sizes.length - 1;
        const base: NetSpec = { sizes, act: "tanh", loss: "mse", opt, optimizer: o, chunk: 5 };
        const net = new Net();
        expect(net.configure(base)).toBe(Status.OK);
        const all = net.plan();
        const slots = optimizerSlots(net.run.optimizer);
        for (let K = 0; K < L; K++) {
          const what = `${sizes.join("-")} ${opt} ${JSON.stringify(o)} frozen ${K}`;
          expect(net.configure({ ...base, frozenLayers: K }), what).toBe(Status.OK);
          const frozen = net.plan();
          const trained = paramCount(sizes) - paramCount(sizes.slice(0, K + 1));
          const saved = align8(4 * paramCount(sizes)) - align8(4 * trained);
          expect(frozen.params_bytes, what).toBe(all.params_bytes); // every layer keeps its weights
          expect(frozen.grads_bytes, what).toBe(align8(4 * trained));
          expect(all.grads_bytes - frozen.grads_bytes, what).toBe(saved);
          expect(all.optimizer_bytes - frozen.optimizer_bytes, what).toBe(slots * saved);
          expect(all.total_bytes - frozen.total_bytes, what).toBe((1 + slots) * saved);
          expect(frozen.activations_bytes, what).toBe(all.activations_bytes);
          const { pages: _p, chunk: _c, ...host } = computePlan(net.run, staticBytes);
          expect(host, what).toEqual(frozen);
          expect(optimizerStateFloats(net.run), what).toBe(frozen.optimizer_bytes / 4);
          expect(net.e.optimizer_state_bytes(), what).toBe(frozen.optimizer_bytes);
        }
      }
    }
  });

  it("P2 (16-32-32-4 ReLU/ce, Adam, batch 32) training only its last layer: every byte but the last layer's gradients and moments saved", () => {
    const res = (freeze: number) => {
      const r = runCli(["plan", "--layers", "16,32,32,4", "--act", "relu", "--loss", "ce", "--opt", "adam", "--batch", "32", "--freeze", String(freeze), "--json"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      return jsonLines(r.stdout)[0];
    };
    const all = res(0), last = res(2);
    const lastLayer = 4 * (32 * 4 + 4);
    expect(last.grads_bytes).toBe(lastLayer);
    expect(last.optimizer_bytes).toBe(2 * lastLayer);
    expect(all.total_bytes - last.total_bytes).toBe(3 * (all.params_bytes - lastLayer));
    // the module agrees, and a board with exactly that much memory trains it
    const net = new Net();
    net.e.set_memory_limit(last.total_bytes);
    expect(net.configure({ ...P2, frozenLayers: 2 })).toBe(Status.OK);
    expect(net.e.plan_total()).toBe(last.total_bytes);
    const { x, t } = randomData(rng(4), 32, 16, 4, "ce");
    net.trainBatch(x, t, 32);
  });

  it("K >= L is refused (BAD_CONFIG, detail 144); so is --freeze K >= L on the command line (exit 2)", () => {
    const net = new Net();
    for (const K of [3, 4, 255]) {
      expect(net.configure({ ...P2, frozenLayers: K })).toBe(Status.BAD_CONFIG);
      expect(net.e.config_detail()).toBe(144);
      expect(net.e.is_configured()).toBeFalsy();
    }
    const r = runCli(["plan", "--layers", "4,3", "--loss", "mse", "--freeze", "1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--freeze 1: .*1 dense layers/);
  });
});

/** Layer l's parameters (weight then bias) inside a model's flat parameter vector. */
function layerRange(sizes: number[], l: number): [number, number] {
  const start = paramCount(sizes.slice(0, l));
  return [start, start + sizes[l] * (sizes[l - 1] + 1)];
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength)));

interface FreezeCase {
  name: string;
  sizes: number[];
  acts: Activation[];
  loss: "mse" | "ce" | "bce";
  opt: string;
  optimizer?: Partial<OptimizerConfig>;
  clipNorm?: number;
  clipValue?: number;
  frozen: number;
  chunk: number;
}

const CASES: FreezeCase[] = [
  { name: "adam, weight decay, clip_grad_norm_", sizes: [5, 7, 6, 3], acts: ["tanh", "relu", "identity"], loss: "ce", opt: "adam", optimizer: { lr: 0.02, weightDecay: 0.01 }, clipNorm: 0.3, frozen: 1, chunk: 4 },
  { name: "adamw amsgrad, clip_grad_value_", sizes: [4, 6, 5, 2], acts: ["sigmoid", "tanh", "identity"], loss: "bce", opt: "adamw", optimizer: { lr: 0.01, amsgrad: true }, clipValue: 0.02, frozen: 2, chunk: 3 },
  { name: "sgd nesterov, weight decay", sizes: [3, 8, 8, 8, 2], acts: ["relu", "leaky_relu", "tanh", "identity"], loss: "mse", opt: "sgd", optimizer: { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.001 }, frozen: 2, chunk: 5 },
  { name: "rmsprop centered + momentum, both clips", sizes: [6, 5, 4], acts: ["tanh", "identity"], loss: "mse", opt: "rmsprop", optimizer: { lr: 0.005, centered: true, momentum: 0.5, weightDecay: 0.01 }, clipNorm: 0.5, clipValue: 0.05, frozen: 1, chunk: 7 },
  { name: "adagrad with an initial accumulator", sizes: [4, 9, 3], acts: ["relu", "identity"], loss: "ce", opt: "adagrad", optimizer: { lr: 0.05, initialAccumulator: 0.1 }, frozen: 1, chunk: 2 },
  { name: "nadam", sizes: [2, 6, 6, 1], acts: ["tanh", "tanh", "identity"], loss: "mse", opt: "nadam", optimizer: { lr: 0.01, weightDecay: 0.001 }, frozen: 1, chunk: 6 },
  { name: "radam", sizes: [3, 4, 4, 4], acts: ["relu", "relu", "identity"], loss: "ce", opt: "radam", optimizer: { lr: 0.01 }, frozen: 2, chunk: 4 },
];

describe("training with the first K layers frozen is training the top layers alone on their outputs, bit for bit", () => {
  for (const c of CASES) {
    it(`${c.name}: ${c.sizes.join("-")}, ${c.frozen} frozen`, () => {
      const K = c.frozen, L = c.sizes.length - 1;
      const spec = (sizes: number[], acts: Activation[], frozenLayers: number): NetSpec => ({
        sizes, act: acts, loss: c.loss, opt: c.opt, optimizer: c.optimizer, clipNorm: c.clipNorm, clipValue: c.clipValue,
        chunk: c.chunk, frozenLayers, seed: 5,
      });
      const full = new Net();
      expect(full.configure(spec(c.sizes, c.acts, K))).toBe(Status.OK);
      const start = full.getWeights();
      const [topFrom] = layerRange(c.sizes, K + 1);
      // The frozen layers as a network of their own: it computes level K's activations.
      const bottom = new Net();
      expect(bottom.configure({ ...spec(c.sizes.slice(0, K + 1), c.acts.slice(0, K), 0), loss: "mse" })).toBe(Status.OK);
      bottom.setWeights(start.subarray(0, topFrom));
      const top = new Net();
      expect(top.configure(spec(c.sizes.slice(K), c.acts.slice(K), 0))).toBe(Status.OK);
      top.setWeights(start.subarray(topFrom));

      const rows = 23, nIn = c.sizes[0], nK = c.sizes[K];
      const { x, t } = randomData(rng(17), rows, nIn, c.sizes[L], c.loss, 1.5);
      const h = new Float32Array(rows * nK);
      for (let r = 0; r < rows; r += c.chunk) {
        const n = Math.min(c.chunk, rows - r);
        bottom.f32(bottom.e.input_ptr(), n * nIn).set(Float32Array.from(x.subarray(r * nIn, (r + n) * nIn)));
        expect(bottom.e.eval_chunk(n, 0)).toBe(Status.OK);
        h.set(bottom.f32(bottom.e.output_ptr(), n * nK), r * nK);
      }
      for (let epoch = 0; epoch < 3; epoch++) {
        for (let s = 0; s < rows; s += 10) {
          const n = Math.min(10, rows - s);
          const lossFull = full.trainBatch(x, t, n, c.chunk, s);
          const lossTop = top.trainBatch(h, t, n, c.chunk, s);
          expect(lossFull, `epoch ${epoch} batch at ${s}`).toBe(lossTop);
          const normsFull = full.f32(full.e.grad_norms_ptr(), L), normsTop = top.f32(top.e.grad_norms_ptr(), L - K);
          expect(Array.from(normsFull.subarray(0, K))).toEqual(new Array(K).fill(0));
          expect(bits(normsFull.subarray(K))).toEqual(bits(normsTop));
          expect(full.e.total_grad_norm()).toBe(top.e.total_grad_norm());
        }
      }
      const end = full.getWeights();
      expect(bits(end.subarray(0, topFrom)), "frozen weights untouched").toEqual(bits(start.subarray(0, topFrom)));
      expect(bits(end.subarray(topFrom)), "trained layers equal the top network's").toEqual(bits(top.getWeights()));
      expect(bits(end.subarray(topFrom))).not.toEqual(bits(start.subarray(topFrom))); // they did train
      // the optimizer state is the top network's, element for element
      const state = (n: Net) => n.f32(n.e.optimizer_state_ptr(), n.e.optimizer_state_bytes() / 4).slice();
      expect(bits(state(full))).toEqual(bits(state(top)));
    });
  }
});

describe("no backward work below the lowest trained layer", () => {
  // Backprop overwrites each level with its delta (assembly/network.ts): a
  // level below the lowest trained layer must still hold its forward activations.
  const sizes = [3, 5, 6, 2];
  const levelOffsets = (chunk: number) => [0, 1, 2, 3].map((k) => 4 * chunk * sizes.slice(0, k).reduce((a, b) => a + b, 0));

  function levelsAfterTraining(frozenLayers: number): { forward: Float32Array[]; trained: Float32Array[] } {
    const chunk = 4;
    const net = new Net();
    expect(net.configure({ sizes, act: "tanh", loss: "mse", opt: "sgd", optimizer: { lr: 0.1 }, chunk, frozenLayers })).toBe(Status.OK);
    const { x, t } = randomData(rng(3), chunk, 3, 2, "mse");
    const base = net.e.input_ptr();
    const read = () => levelOffsets(chunk).map((o, k) => net.f32(base + o, chunk * sizes[k]).slice());
    net.f32(base, chunk * 3).set(Float32Array.from(x));
    expect(net.e.eval_chunk(chunk, 0)).toBe(Status.OK);
    const forward = read();
    net.trainBatch(x, t, chunk, chunk);
    return { forward, trained: read() };
  }

  it("frozen 2 of 3: levels 1 and 2 keep their activations after a training step; with nothing frozen they become deltas", () => {
    const frozen = levelsAfterTraining(2);
    expect(bits(frozen.trained[1])).toEqual(bits(frozen.forward[1]));
    expect(bits(frozen.trained[2])).toEqual(bits(frozen.forward[2]));
    const none = levelsAfterTraining(0);
    expect(bits(none.trained[1])).not.toEqual(bits(none.forward[1]));
    expect(bits(none.trained[2])).not.toEqual(bits(none.forward[2]));
  });

  it("frozen 1 of 3: level 1 keeps its activations, level 2 holds deltas", () => {
    const one = levelsAfterTraining(1);
    expect(bits(one.trained[1])).toEqual(bits(one.forward[1]));
    expect(bits(one.trained[2])).not.toEqual(bits(one.forward[2]));
  });
});

describe("frozen layers through the host", () => {
  it("DirectBoard: the optimizer state is optimizerStateFloats long; a checkpoint holds what the board holds", async () => {
    const run = runConfig({ sizes: [4, 6, 3], act: "relu", loss: "ce", opt: "rmsprop", optimizer: { centered: true, momentum: 0.5 }, chunk: 4, frozenLayers: 1 });
    const board = new DirectBoard(wasmPath);
    const plan = await board.configure(encodeConfig(run));
    expect(plan.grads_bytes).toBe(88); // the last layer's 3 x 7 floats, 8-byte aligned
    const s = await board.getOptimizerState();
    expect(s.state.length).toBe(optimizerStateFloats(run));
    expect(s.state.length).toBe(3 * 22); // three slots (square average, mean gradient, momentum) of 22 floats
  });

  it("--checkpoint / --resume with --freeze: stopped after epoch 2 of 5 and resumed, equals the uninterrupted run", () => {
    const dir = tmpDir();
    try {
      const model = ["--dataset", "spiral", "--layers", "2,16,16,3", "--act", "relu", "--loss", "ce", "--opt", "adam",
        "--weight-decay", "0.01", "--freeze", "1", "--batch", "16", "--link", "direct"];
      const flags = [...model, "--lr", "0.01"];
      const weights = (f: string) => JSON.parse(readFileSync(f, "utf8")).layers.flatMap((l: any) => [...l.weight.flat(), ...l.bias]);
      // (stderr may carry the gradient watch's warning about the frozen layer's zero norms: host/progress/grad-watch.ts)
      const ok = (args: string[]) => { const r = runCli(args); expect(r.code, r.stderr).toBe(0); return r; };
      ok(["sim", ...flags, "--epochs", "5", "--save", path.join(dir, "full.json"), "--quiet"]);
      ok(["sim", ...flags, "--epochs", "2", "--checkpoint", path.join(dir, "ck"), "--quiet"]);
      ok(["sim", "--resume", path.join(dir, "ck"), "--epochs", "5", "--save", path.join(dir, "resumed.json"), "--quiet"]);
      const full = weights(path.join(dir, "full.json"));
      expect(weights(path.join(dir, "resumed.json"))).toEqual(full);
      // the frozen first layer is still the initial one: a run of 0 epochs would have saved it
      ok(["sim", ...model, "--epochs", "1", "--lr", "0", "--save", path.join(dir, "init.json"), "--quiet"]);
      const first = 16 * 2 + 16;
      expect(full.slice(0, first)).toEqual(weights(path.join(dir, "init.json")).slice(0, first));
    } finally {
      rmDir(dir);
    }
  });
});
