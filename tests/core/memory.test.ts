// Fixed memory: the module writes nothing past static data + plan, the host
// computes the same plan as the module, configure refuses what does not fit,
// and the module imports nothing and validates without SIMD, threads,
// reference types or bulk memory.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { Net, Status, fillCanary, firstCanaryDamage, randomData, runConfig, type NetSpec } from "../helpers/engine";
import { computePlan } from "../../host/model/plan";
import { moduleStaticBytes } from "../../host/boards/engine";
import { ACTIVATIONS, LOSSES, type OptimizerName } from "../../host/model/config";
import { DirectBoard } from "../../host/boards/in-process";
import { rng } from "../helpers/rng";
import { jsonLines, runCli } from "../helpers/cli";
import { wasiPath, wasmPath } from "../helpers/paths";
import { simInProcess } from "../helpers/inprocess";
import { rmDir, tmpDir } from "../helpers/paths";
import { writeFileSync } from "node:fs";
import path from "node:path";

const CANARY_SPECS: [string, Omit<NetSpec, "chunk">][] = [
  ["sgd nesterov, mse, 3 layers", { sizes: [6, 9, 7, 3], act: "tanh", loss: "mse", opt: "sgd", optimizer: { lr: 0.05, momentum: 0.9, nesterov: true } }],
  ["adagrad, ce", { sizes: [5, 12, 4], act: "relu", loss: "ce", opt: "adagrad", optimizer: { lr: 0.05, initialAccumulator: 0.1, weightDecay: 0.01 } }],
  ["rmsprop centered + momentum, bce, clip", { sizes: [4, 8, 8, 8, 2], act: "leaky_relu", loss: "bce", opt: "rmsprop", optimizer: { lr: 0.01, centered: true, momentum: 0.5 }, clipNorm: 1 }],
  ["adam, ce, 8 layers", { sizes: [3, 5, 6, 7, 8, 9, 8, 7, 4], act: "sigmoid", loss: "ce", opt: "adam", optimizer: { lr: 0.01 } }],
  ["adamw, mse, one layer", { sizes: [10, 1], act: "identity", loss: "mse", opt: "adamw", optimizer: { lr: 0.01 } }],
];

/** Trains and evaluates 64 random P2 rows (2 batches of 32) on `net` and checks nothing was written past its first `total` bytes. */
function expectTrainsWithin(net: Net, total: number, chunk: number): void {
  fillCanary(net.e.memory, total);
  const { x, t } = randomData(rng(1), 64, 16, 4, "ce");
  for (let s = 0; s < 64; s += 32) net.trainBatch(x, t, 32, chunk, s);
  net.evalLoss(x, t, 64, chunk);
  expect(firstCanaryDamage(net.e.memory, total)).toBe(-1);
}

describe("canary: nothing written past static data + plan", () => {
  for (const [name, spec] of CANARY_SPECS) {
    for (const chunk of [1, 5, 16]) {
      it(`${name}, chunk ${chunk}`, () => {
        const net = new Net();
        expect(net.configure({ ...spec, chunk })).toBe(Status.OK);
        const total = net.e.plan_total();
        expect(total).toBeGreaterThan(net.e.static_bytes());
        const memEnd = net.e.memory.buffer.byteLength;
        expect(total).toBeLessThan(memEnd);
        // The canary goes in before configure too: configure itself must stay inside.
        fillCanary(net.e.memory, total);
        expect(net.configure({ ...spec, chunk })).toBe(Status.OK);
        expect(net.e.plan_total()).toBe(total);
        const r = rng(3);
        const rows = 37; // batches of 10 with a partial last batch, chunks partly filled
        const { x, t } = randomData(r, rows, spec.sizes[0], spec.sizes[spec.sizes.length - 1], spec.loss);
        for (let epoch = 0; epoch < 3; epoch++) {
          for (let s = 0; s < rows; s += 10) net.trainBatch(x, t, Math.min(10, rows - s), chunk, s);
          expect(Number.isFinite(net.evalLoss(x, t, rows, chunk))).toBe(true);
        }
        // the read-back exports and refusals stay inside too
        net.getWeights();
        expect(net.e.train_chunk(chunk + 1, 1)).toBe(Status.BAD_ROWS);
        expect(net.e.eval_chunk(0, 1)).toBe(Status.BAD_ROWS);
        expect(firstCanaryDamage(net.e.memory, total, memEnd)).toBe(-1);
      });
    }
  }

  it("through the host (DirectBoard + training session), with the host's own plan", async () => {
    const dir = tmpDir();
    try {
      const r = rng(9);
      const lines = ["x0,x1,x2,x3,label"];
      for (let i = 0; i < 50; i++) lines.push([r(), r(), r(), r()].map((v) => Math.fround(v * 2 - 1)).join(",") + "," + Math.floor(r() * 3));
      const data = path.join(dir, "d.csv");
      writeFileSync(data, lines.join("\n") + "\n");
      const board = new DirectBoard(wasmPath);
      const argv = ["--data", data, "--layers", "4,16,3", "--act", "relu", "--loss", "ce", "--opt", "adam", "--batch", "8", "--epochs", "4", "--chunk", "3", "--shuffle"];
      const hostPlan = computePlan(runConfig({ sizes: [4, 16, 3], act: "relu", loss: "ce", opt: "adam", chunk: 3 }), moduleStaticBytes(wasmPath));
      fillCanary(board.e.memory, hostPlan.total_bytes);
      const res = await simInProcess(argv, board);
      expect(res.done.plan_bytes).toBe(hostPlan.total_bytes);
      expect(firstCanaryDamage(board.e.memory, hostPlan.total_bytes)).toBe(-1);
    } finally {
      rmDir(dir);
    }
  });
});

describe("host plan equals the module's plan", () => {
  it("for many random configurations (all optimizers and variants, losses, 1..8 layers, chunks, frozen layers, input normalisation)", () => {
    const net = new Net();
    const staticBytes = moduleStaticBytes(wasmPath);
    expect(staticBytes).toBe(net.e.static_bytes());
    const r = rng(2024);
    const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)];
    const opts: OptimizerName[] = ["sgd", "adagrad", "rmsprop", "adam", "adamw"];
    const seen = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const L = 1 + Math.floor(r() * 8);
      const loss = pick(LOSSES);
      const sizes = Array.from({ length: L + 1 }, () => 1 + Math.floor(r() < 0.2 ? r() * 300 : r() * 40));
      if (loss === "ce" && sizes[L] < 2) sizes[L] = 2;
      const name = pick(opts);
      const momentum = r() < 0.5 ? 0 : 0.9;
      const centered = name === "rmsprop" && r() < 0.5;
      const nesterov = name === "sgd" && momentum > 0 && r() < 0.5;
      const chunk = 1 + Math.floor(r() < 0.2 ? r() * 1000 : r() * 64);
      const frozenLayers = r() < 0.5 ? Math.floor(r() * L) : 0;
      const normalizeInputs = r() < 0.5;
      // int16 (docs/int16.md): its extra bytes, with a hidden activation it takes.
      const int16 = r() < 0.3;
      const spec: NetSpec = {
        sizes, act: int16 ? pick(["identity", "relu"] as const) : pick(ACTIVATIONS), loss, opt: name, chunk, optimizer: { momentum, centered, nesterov },
        frozenLayers, normalizeInputs,
      };
      const run = { ...runConfig(spec), ...(int16 ? { precision: "int16" as const } : {}) };
      const status = net.configure(run);
      const host = computePlan(run, staticBytes);
      const mod = net.plan();
      const { pages: _p, chunk: _c, ...hostBytes } = host;
      expect(hostBytes, JSON.stringify(spec)).toEqual(mod);
      expect(status, JSON.stringify(spec)).toBe(host.total_bytes <= net.e.memory_limit() ? Status.OK : Status.TOO_BIG);
      seen.add(`${name}/${momentum}/${centered}/${loss}/${status}`);
      if (frozenLayers > 0 && status === Status.OK) seen.add("frozen");
      if (normalizeInputs && status === Status.OK) seen.add("normalizing");
      if (int16) seen.add(`int16/${status}`);
    }
    expect(seen.has("frozen") && seen.has("normalizing")).toBe(true);
    expect(seen.has(`int16/${Status.OK}`)).toBe(true);
    // every optimizer-state shape and both outcomes were exercised
    expect([...seen].some((s) => s.startsWith("rmsprop/0.9/true"))).toBe(true);
    expect([...seen].some((s) => s.startsWith("sgd/0/"))).toBe(true);
    expect([...seen].some((s) => s.endsWith(`/${Status.TOO_BIG}`))).toBe(true);
    expect([...seen].some((s) => s.endsWith(`/${Status.OK}`))).toBe(true);
  });
});

describe("edgeprop plan", () => {
  it("16-32-32-4 relu/ce with adam, batch 32, needs fewer than 33,136 bytes (AIfES) and trains in exactly that", () => {
    const res = runCli(["plan", "--layers", "16,32,32,4", "--act", "relu", "--loss", "ce", "--opt", "adam", "--batch", "32", "--json"]);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    const [plan] = jsonLines(res.stdout);
    for (const k of ["params_bytes", "grads_bytes", "optimizer_bytes", "activations_bytes", "buffers_bytes", "total_bytes", "pages"]) {
      expect(typeof plan[k], k).toBe("number");
    }
    expect(plan.total_bytes).toBeLessThan(33136);
    // parameters are the model's: 16*32+32 + 32*32+32 + 32*4+4 floats
    expect(plan.params_bytes).toBe(4 * (16 * 32 + 32 + 32 * 32 + 32 + 32 * 4 + 4));
    expect(plan.optimizer_bytes).toBe(2 * plan.params_bytes);
    expect(plan.total_bytes).toBe(plan.params_bytes + plan.grads_bytes + plan.optimizer_bytes +
      plan.activations_bytes + plan.buffers_bytes + (plan.static_bytes ?? 0));
    expect(plan.pages).toBe(Math.ceil(plan.total_bytes / 65536));
    // The module agrees, and a board with exactly that much memory trains it.
    const net = new Net();
    net.e.set_memory_limit(plan.total_bytes);
    const spec: NetSpec = { sizes: [16, 32, 32, 4], act: "relu", loss: "ce", opt: "adam", chunk: plan.chunk };
    expect(net.configure(spec)).toBe(Status.OK);
    expect(net.e.plan_total()).toBe(plan.total_bytes);
    expectTrainsWithin(net, plan.total_bytes, plan.chunk);
  });
});

describe("edgeprop plan --precision int16 (docs/int16.md §7)", () => {
  it("P2 shows both precisions; its int16 plan is at most 1.25x the f32 plan, and the module trains int16 in exactly that", () => {
    const res = runCli(["plan", "--layers", "16,32,32,4", "--act", "relu", "--loss", "ce", "--opt", "adam", "--batch", "32", "--precision", "int16", "--json"]);
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    const [plan] = jsonLines(res.stdout);
    expect(plan.precision).toBe("int16");
    const { f32, int16 } = plan.by_precision;
    expect(int16.total_bytes).toBe(plan.total_bytes);
    expect(int16.total_bytes - f32.total_bytes).toBe(int16.int16_bytes);
    // int16 weights (16*32 + 32*32 + 32*4) x 2, a chunk of deltas (8 rows x 32) x 2, the bias scratch 32 x 8, 2 x 9 scales
    expect(int16.int16_bytes).toBe(2 * (16 * 32 + 32 * 32 + 32 * 4) + 2 * 8 * 32 + 8 * 32 + 72);
    expect(f32.total_bytes).toBe(31832); // the f32 plan did not grow
    expect(int16.total_bytes).toBeLessThanOrEqual(1.25 * f32.total_bytes);
    const text = runCli(["plan", "--layers", "16,32,32,4", "--act", "relu", "--loss", "ce", "--opt", "adam", "--batch", "32"]);
    expect(text.stdout).toMatch(new RegExp(`total\\s+${f32.total_bytes.toLocaleString("en-US")}\\s+${int16.total_bytes.toLocaleString("en-US")}`));
    const net = new Net();
    net.e.set_memory_limit(plan.total_bytes);
    expect(net.configure({ ...runConfig({ sizes: [16, 32, 32, 4], act: "relu", loss: "ce", opt: "adam", chunk: plan.chunk }), precision: "int16" as const })).toBe(Status.OK);
    expect(net.e.plan_total()).toBe(plan.total_bytes);
    expectTrainsWithin(net, plan.total_bytes, plan.chunk);
    // One byte less: refused.
    const small = new Net();
    small.e.set_memory_limit(plan.total_bytes - 8);
    expect(small.configure({ ...runConfig({ sizes: [16, 32, 32, 4], act: "relu", loss: "ce", opt: "adam", chunk: plan.chunk }), precision: "int16" as const })).toBe(Status.TOO_BIG);
  });
});

describe("memory limit", () => {
  const spec: NetSpec = { sizes: [16, 32, 32, 4], act: "relu", loss: "ce", opt: "adam", chunk: 8 };

  it("a model over the limit: configure returns TOO_BIG and nothing past the limit is written", () => {
    const probe = new Net();
    probe.configure(spec);
    const need = probe.e.plan_total();

    const net = new Net();
    const limit = net.e.static_bytes() + 4096;
    net.e.set_memory_limit(limit);
    expect(net.e.memory_limit()).toBe(limit);
    fillCanary(net.e.memory, limit);
    expect(net.configure(spec)).toBe(Status.TOO_BIG);
    expect(net.e.plan_total()).toBe(need); // it says what it would need
    expect(net.e.is_configured()).toBeFalsy();
    expect(net.e.param_count()).toBe(0);
    expect(net.e.train_chunk(1, 1)).toBe(Status.NOT_CONFIGURED);
    expect(net.e.eval_chunk(1, 1)).toBe(Status.NOT_CONFIGURED);
    expect(firstCanaryDamage(net.e.memory, limit)).toBe(-1);
  });

  it("the limit is exact: plan_total fits, one byte less does not", () => {
    const probe = new Net();
    probe.configure(spec);
    const need = probe.e.plan_total();
    const under = new Net();
    under.e.set_memory_limit(need - 1);
    expect(under.configure(spec)).toBe(Status.TOO_BIG);
    const exact = new Net();
    exact.e.set_memory_limit(need);
    expect(exact.configure(spec)).toBe(Status.OK);
  });

  it("a refused reconfigure leaves the board unconfigured and writes nothing past the limit", () => {
    const net = new Net();
    const small: NetSpec = { sizes: [2, 3, 1], act: "tanh", loss: "mse", opt: "sgd", chunk: 2 };
    expect(net.configure(small)).toBe(Status.OK);
    const limit = net.e.plan_total() + 64;
    net.e.set_memory_limit(limit);
    fillCanary(net.e.memory, limit);
    expect(net.configure(spec)).toBe(Status.TOO_BIG);
    expect(net.e.is_configured()).toBeFalsy();
    expect(net.e.train_chunk(1, 1)).toBe(Status.NOT_CONFIGURED);
    expect(firstCanaryDamage(net.e.memory, limit)).toBe(-1);
  });

  it("the CLI reports a model that does not fit as exit 2 (via the plan the board refuses)", () => {
    // A model far beyond the 4 MiB module: refused before training, one line.
    const dir = tmpDir();
    try {
      const data = path.join(dir, "d.csv");
      writeFileSync(data, "a,b\n1,2\n3,4\n");
      const res = runCli(["sim", "--data", data, "--layers", "1,2000,2000,1", "--loss", "mse", "--opt", "adam", "--epochs", "1", "--link", "direct", "--save", path.join(dir, "m.json")]);
      expect(res.code).toBe(2);
      expect(res.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(res.stderr).toMatch(/memory|fit|bytes/i);
    } finally {
      rmDir(dir);
    }
  });
});

describe("the module file", () => {
  const validate = (file: string) => {
    const help = spawnSync("wasm-validate", ["--help"], { encoding: "utf8" });
    if (help.error) throw new Error("wasm-validate (WABT) is not installed; .ci/run installs it");
    // threads and exceptions are off by default in WABT 1.0.32; turn off the rest explicitly
    for (const f of ["--enable-threads", "--enable-exceptions"]) expect(help.stdout).toContain(f);
    const res = spawnSync("wasm-validate", ["--disable-simd", "--disable-reference-types", "--disable-bulk-memory", file], { encoding: "utf8" });
    return res;
  };

  it("build/edgeprop.wasm imports nothing", () => {
    const mod = new WebAssembly.Module(readFileSync(wasmPath));
    expect(WebAssembly.Module.imports(mod)).toEqual([]);
    expect(WebAssembly.Module.exports(mod).find((e) => e.name === "memory")?.kind).toBe("memory");
  });

  it("declares its memory with initial = maximum (it cannot grow)", () => {
    const net = new Net();
    const pages = net.e.memory.buffer.byteLength / 65536;
    expect(() => net.e.memory.grow(1)).toThrow();
    expect(net.e.memory.buffer.byteLength / 65536).toBe(pages);
  });

  it("build/edgeprop.wasm validates with SIMD, threads, reference types and bulk memory disabled", () => {
    const res = validate(wasmPath);
    expect(res.stderr + res.stdout).toBe("");
    expect(res.status).toBe(0);
  });

  it("build/edgeprop-wasi.wasm validates the same way and imports only wasi_snapshot_preview1 functions", () => {
    const mod = new WebAssembly.Module(readFileSync(wasiPath));
    for (const imp of WebAssembly.Module.imports(mod)) {
      expect(imp.module, imp.name).toBe("wasi_snapshot_preview1");
      expect(imp.kind, imp.name).toBe("function");
    }
    const res = validate(wasiPath);
    expect(res.stderr + res.stdout).toBe("");
    expect(res.status).toBe(0);
  });

  it("the validator really rejects a SIMD module with these flags (the check is not vacuous)", () => {
    // (module (func (result v128) v128.const i64x2 0 0))
    const simd = Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12,
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11]);
    const dir = tmpDir();
    try {
      const f = path.join(dir, "simd.wasm");
      writeFileSync(f, simd);
      expect(spawnSync("wasm-validate", [f]).status).toBe(0);
      expect(validate(f).status).not.toBe(0);
    } finally {
      rmDir(dir);
    }
  });
});

