// edgeprop pull from a board a host configured, behind a real pty (socat):
// the SerialTrainer sketch (the training API's firmware) and the plain pump
// (edgeprop-board, no sketch) on the POSIX board. Pull reads the model's
// configuration from the module itself (GET_WEIGHTS region CONFIG), so any
// firmware serves it: the weights and input statistics the host set come
// back as a model file. A board with no model is refused with exit 4.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";
import { runCli } from "../helpers/cli";
import { encodeConfig } from "../../host/protocol/config-block";
import { optimizerDefaults, paramCount, type RunConfig } from "../../host/model/config";
import { ProtocolBoard } from "../../host/protocol/protocol-board";
import { SerialLink } from "../../host/transports/serial-link";
import { haveSocat, startPtyBoard, type PtyBoard } from "../../host/transports/pty";

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const CAN = has("wasm2c") && has("gcc") && has("g++") && has("make") && haveSocat();

let work = "";
let trainer = "";
beforeAll(() => {
  work = tmpDir("edgeprop-pull-");
  if (!CAN) return;
  const obj = path.join(work, "obj");
  execFileSync("make", ["-s", "-C", path.join(repoRoot, "boards", "posix"), "ENGINE=wasm2c", `OBJ=${obj}`, "example", "EXAMPLE=SerialTrainer"],
    { stdio: "pipe" });
  trainer = path.join(obj, "SerialTrainer");
}, 300_000);
afterAll(() => { if (work) rmDir(work); });

const run: RunConfig = {
  sizes: [3, 4, 2], activations: ["relu", "identity"], loss: "mse", optimizer: optimizerDefaults("sgd"),
  clipNorm: 0, init: "pytorch", seed: 3, chunk: 4, normalizeInputs: true,
};

/** A host configures the board behind `ptyPath` (weights, input statistics) and lets go; returns the block the board reads back. */
async function hostConfigures(ptyPath: string, c: RunConfig, weights: Float32Array, mean: Float32Array, std: Float32Array): Promise<Uint8Array> {
  const board = new ProtocolBoard(await SerialLink.open(ptyPath, 115200, 0));
  try {
    await board.configure(encodeConfig(c));
    await board.setWeights(weights);
    await board.setInputStats(mean, std);
    return await board.getConfigBlock();
  } finally {
    await board.close();
  }
}

/** `edgeprop pull` of the board behind `ptyPath` into `name`: exit 0, its first line, and the model file's weights and statistics. */
function pulled(ptyPath: string, name: string) {
  const out = path.join(work, name);
  const r = runCli(["pull", "--port", ptyPath, "--save", out]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const json = JSON.parse(readFileSync(out, "utf8"));
  return {
    stdout: r.stdout,
    activations: json.layers.map((l: { activation: string }) => l.activation),
    weights: json.layers.flatMap((l: { weight: number[][]; bias: number[] }) => [...l.weight.flat(), ...l.bias]),
    normalization: json.normalization,
  };
}

describe.skipIf(!CAN)("edgeprop pull from a board a host configured", () => {
  it("returns the weights and input statistics the host set, as a model file", async () => {
    const pty: PtyBoard = await startPtyBoard([trainer]);
    try {
      const weights = Float32Array.from({ length: paramCount(run.sizes) }, (_, i) => (i - 10) / 16);
      const mean = Float32Array.from([0.5, -1.25, 3]), std = Float32Array.from([2, 0.25, 1.5]);
      await hostConfigures(pty.path, run, weights, mean, std);
      const got = pulled(pty.path, "host-configured.json");
      expect(got.stdout).toMatch(/^pull: 3-4-2 mse, 26 parameters at step 0 from /);
      expect(got.activations).toEqual(["relu", "identity"]);
      expect(got.weights).toEqual(Array.from(weights));
      expect(got.normalization).toEqual({ kind: "zscore", mean: Array.from(mean), std: Array.from(std) });
    } finally {
      await pty.stop();
    }
  }, 120_000);

  it("refuses a board with no model with exit 4 and no file", async () => {
    const empty = await startPtyBoard([trainer]);
    try {
      const out = path.join(work, "none.json");
      const r = runCli(["pull", "--port", empty.path, "--save", out]);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/the board holds no model/);
      expect(existsSync(out)).toBe(false);
    } finally {
      await empty.stop();
    }
  }, 120_000);

  it("pulls from the plain pump (edgeprop-board, no sketch): the block, weights and statistics the host set", async () => {
    const plain = path.join(work, "plain-board");
    execFileSync("make", ["-s", "-C", path.join(repoRoot, "boards", "posix"), "ENGINE=wasm2c", `OBJ=${path.join(work, "obj")}`, `BIN=${plain}`],
      { stdio: "pipe" });
    const other: RunConfig = { ...run, sizes: [3, 5, 1], activations: ["tanh", "sigmoid"], loss: "bce", storeRows: 9 };
    const weights = Float32Array.from({ length: paramCount(other.sizes) }, (_, i) => (7 - i) / 32);
    const mean = Float32Array.from([1, 2, 3]), std = Float32Array.from([0.5, 4, 8]);
    const pty = await startPtyBoard([plain]);
    try {
      // The host reads the block back as it configured it (Board.getConfigBlock).
      expect(Array.from(await hostConfigures(pty.path, other, weights, mean, std))).toEqual(Array.from(encodeConfig(other)));
      const got = pulled(pty.path, "plain.json");
      expect(got.stdout).toMatch(/^pull: 3-5-1 bce, 26 parameters at step 0 from /);
      expect(got.activations).toEqual(["tanh", "sigmoid"]);
      expect(got.weights).toEqual(Array.from(weights));
      expect(got.normalization).toEqual({ kind: "zscore", mean: Array.from(mean), std: Array.from(std) });
    } finally {
      await pty.stop();
    }
  }, 120_000);

  it("says what is missing before it opens a port (exit 2)", () => {
    const r = runCli(["pull", "--port", "/nonexistent/tty"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--save MODEL.json is required/);
    const dir = runCli(["pull", "--port", "/nonexistent/tty", "--save", work]);
    expect(dir.code).toBe(2);
    expect(dir.stderr).toMatch(/--save/);
  });
});
