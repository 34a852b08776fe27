// A board that restarts in the middle of a run (the simulated board switched
// off and on: a fresh module, a new boot id) is survived, and the run's
// weights equal an uninterrupted run's bit for bit. A board that stops
// answering ends the run with a LinkError (exit code 4) after N retries.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ByteLink } from "../../host/transports/byte-link";
import { SimulatedFirmware as MemoryLink } from "../../host/boards/simulated-firmware";
import { ProtocolBoard } from "../../host/protocol/protocol-board";
import { DirectBoard } from "../../host/boards/in-process";
import { runSession, type EpochEvent, type SessionOptions } from "../../host/run/session";
import type { Board } from "../../host/boards/board";
import type { Dataset } from "../../host/data/dataset";
import { encodeConfig } from "../../host/protocol/config-block";
import { LinkError } from "../../host/errors";
import { FrameSplitter } from "../../host/protocol/frame-splitter";
import { parseArgs } from "../../host/cli/args";
import { SIM_OPTIONS } from "../../host/commands/sim";
import { trainOnBoard, type Output } from "../../host/run/training-run";
import { runSpecOf } from "../../host/cli/run-options";
import { cliPath, goldenDir, hex, prng, repoRoot, runConfig, wasmPath, type NetSpec } from "./support";

const NET: NetSpec = { sizes: [3, 12, 2], act: "tanh", loss: "mse", opt: "adam", optimizer: { lr: 0.01 }, chunk: 4, seed: 17 };
const EPOCHS = 6;

function dataset(): Dataset {
  const r = prng(77);
  const rows = 97; // batches of 10 in chunks of 4: split batches and a last, partial batch
  const x = new Float32Array(rows * 3).map(() => r() * 2 - 1);
  const t = new Float32Array(rows * 2);
  for (let i = 0; i < rows; i++) {
    t[2 * i] = Math.sin(x[3 * i] * 2) + x[3 * i + 1] * x[3 * i + 2];
    t[2 * i + 1] = x[3 * i + 2] - 0.5 * x[3 * i];
  }
  return { name: "synthetic", rows, nIn: 3, nT: 2, x, t, inputNames: ["a", "b", "c"], targetNames: ["y0", "y1"] };
}

const bits = (w: Float32Array) => hex(new Uint8Array(w.buffer, w.byteOffset, w.byteLength));

function options(extra: Partial<SessionOptions> = {}): SessionOptions {
  return {
    epochs: EPOCHS, batch: 10, chunk: NET.chunk, shuffle: true, seed: 5, lr: 0.01,
    // A schedule: the learning rate must be restored on the restarted board too.
    schedule: { kind: "step", stepSize: 2, gamma: 0.5 }, ...extra,
  };
}

async function train(board: Board, o: SessionOptions): Promise<{ weights: Float32Array; history: EpochEvent[]; lastGood: Float32Array | null }> {
  await board.hello();
  await board.configure(encodeConfig(runConfig(NET)));
  const init = new Float32Array(3 * 12 + 12 + 12 * 2 + 2).map((_, i) => Math.fround(Math.sin(i * 1.7) * 0.3));
  await board.setWeights(init);
  const res = await runSession(board, dataset(), o);
  const weights = await board.getWeights();
  await board.close();
  return { weights, history: res.history, lastGood: res.lastGood };
}

let referenceRun: Promise<{ weights: Float32Array; history: EpochEvent[] }> | null = null;
function reference() {
  referenceRun ??= train(new DirectBoard(wasmPath), options());
  return referenceRun;
}

/** A byte link in front of a MemoryLink that calls `at(frameCount)` after each frame written. */
class CountingLink implements ByteLink {
  frames = 0;
  readonly description = "counting";
  readonly baud = 0;
  constructor(readonly inner: ByteLink, private readonly after: (frames: number) => void) {}
  write(bytes: Uint8Array): void {
    this.inner.write(bytes);
    for (const b of bytes) if (b === 0) this.after(++this.frames);
  }
  onData(cb: (b: Uint8Array) => void): void { this.inner.onData(cb); }
  onClose(cb: (why: string) => void): void { this.inner.onClose(cb); }
  close(): Promise<void> { return this.inner.close(); }
}

/** Calls `on(type, n)` for each frame written (its type, decoded), n counting from 1. */
class FrameTap implements ByteLink {
  frames = 0;
  readonly description = "tap";
  readonly baud = 0;
  private split = new FrameSplitter({ frame: (f) => this.on(f.type, ++this.frames) });
  constructor(readonly inner: ByteLink, private readonly on: (type: number, n: number) => void) {}
  write(bytes: Uint8Array): void {
    this.inner.write(bytes);
    this.split.push(bytes.slice());
  }
  onData(cb: (b: Uint8Array) => void): void { this.inner.onData(cb); }
  onClose(cb: (why: string) => void): void { this.inner.onClose(cb); }
  close(): Promise<void> { return this.inner.close(); }
}

/** Everything written after the first `keep` frames is lost: the board has stopped answering. */
class DyingLink implements ByteLink {
  frames = 0;
  dropped = 0;
  readonly description = "dying";
  readonly baud = 0;
  constructor(readonly inner: ByteLink, private readonly keep: number) {}
  write(bytes: Uint8Array): void {
    if (this.frames >= this.keep) { this.dropped++; return; }
    for (const b of bytes) if (b === 0) this.frames++;
    this.inner.write(bytes);
  }
  onData(cb: (b: Uint8Array) => void): void { this.inner.onData(cb); }
  onClose(cb: (why: string) => void): void { this.inner.onClose(cb); }
  close(): Promise<void> { return this.inner.close(); }
}

describe("a board reset in the middle of a run", () => {
  it("the uninterrupted runs agree: a MemoryLink without a restart equals DirectBoard bit for bit", async () => {
    const ref = await reference();
    const run = await train(new ProtocolBoard(new MemoryLink()), options());
    expect(bits(run.weights)).toBe(bits(ref.weights));
    expect(run.history.map((h) => h.loss)).toEqual(ref.history.map((h) => h.loss));
  });

  it("restarted from onBatch at epoch 3, batch 5: survived, weights and losses equal the uninterrupted run's", async () => {
    const ref = await reference();
    const link = new MemoryLink();
    const board = new ProtocolBoard(link);
    let restarted = 0;
    const run = await train(board, options({
      onBatch: (epoch, r) => {
        if (epoch === 3 && r.index === 4 && restarted === 0) { restarted++; link.restart(); }
      },
    }));
    expect(restarted).toBe(1);
    expect(link.boots).toBe(2);
    expect(board.recoveries).toBe(1);
    expect(run.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(bits(run.weights)).toBe(bits(ref.weights));
    expect(bits(run.lastGood!)).toBe(bits(ref.weights));
    expect(run.history.map((h) => h.loss)).toEqual(ref.history.map((h) => h.loss));
  });

  it("restarted in the first batch, in an epoch's last batch and between epochs (onEpoch): still equal", async () => {
    const ref = await reference();
    const link = new MemoryLink();
    const board = new ProtocolBoard(link);
    const done = new Set<string>();
    const once = (key: string) => { if (done.has(key)) return false; done.add(key); return true; };
    const run = await train(board, options({
      onBatch: (epoch, r) => {
        if (epoch === 1 && r.index === 0 && once("first")) link.restart();
        if (epoch === 4 && r.index === 9 && once("last")) link.restart();
      },
      onEpoch: (e) => { if (e.epoch === 2 && once("between")) link.restart(); },
    }));
    expect([...done].sort()).toEqual(["between", "first", "last"]);
    expect(link.boots).toBe(4);
    expect(bits(run.weights)).toBe(bits(ref.weights));
    expect(run.history.map((h) => h.loss)).toEqual(ref.history.map((h) => h.loss));
  });

  it("restarted at arbitrary frames (inside configure, weight uploads, snapshots, SET_LR): still equal", async () => {
    const ref = await reference();
    // How many frames a clean run writes, then restarts spread over the whole run.
    const probe = new CountingLink(new MemoryLink(), () => {});
    await train(new ProtocolBoard(probe), options());
    const total = probe.frames;
    expect(total).toBeGreaterThan(150);
    const f = (x: number) => Math.max(1, Math.round(total * x));
    for (const at of [[1], [2], [3], [5], [7], [f(0.2)], [f(0.35), f(0.8)], [f(0.5)], [f(0.65), f(0.97)], [total - 1]]) {
      const mem = new MemoryLink();
      const link = new CountingLink(mem, (n) => { if (at.includes(n)) mem.restart(); });
      const run = await train(new ProtocolBoard(link, { timeoutMs: 50 }), options());
      expect(mem.boots, `restart at frame ${at}`).toBe(1 + at.length);
      expect(bits(run.weights), `restart at frame ${at}`).toBe(bits(ref.weights));
    }
  });

  it("a second restart while the host is restoring the first (a board that browns out twice) is survived", async () => {
    const ref = await reference();
    const mem = new MemoryLink();
    // First restart at frame 120 (mid-run); the second when the host, restoring the
    // first, sends its first CONFIGURE or SET_WEIGHTS to the new board.
    let phase = 0;
    const seen: string[] = [];
    const board = new ProtocolBoard(new FrameTap(mem, (type, n) => {
      if (phase === 0 && n === 120) { phase = 1; mem.restart(); return; }
      if (phase === 1 && type === 0x01) { phase = 2; return; } // the recovery's HELLO
      if (phase === 2 && (type === 0x02 || type === 0x03)) { phase = 3; seen.push(type === 0x02 ? "CONFIGURE" : "SET_WEIGHTS"); mem.restart(); }
    }), { timeoutMs: 50 });
    const run = await train(board, options());
    expect(phase).toBe(3);
    expect(mem.boots).toBe(3);
    expect(bits(run.weights)).toBe(bits(ref.weights));
  });

  it("a restarted board whose banner is lost is still detected (NO_SESSION) and restored", async () => {
    const ref = await reference();
    // Drops the one chunk the restarted board sends first: its banner.
    const mem = new MemoryLink();
    let swallow = false;
    const link: ByteLink = {
      description: "banner-eating", baud: 0,
      write: (b) => mem.write(b),
      onData: (cb) => mem.onData((b) => { if (swallow) { swallow = false; return; } cb(b); }),
      onClose: (cb) => mem.onClose(cb),
      close: () => mem.close(),
    };
    const board = new ProtocolBoard(link, { timeoutMs: 50 });
    let restarted = false;
    const run = await train(board, options({
      onBatch: (epoch, r) => { if (epoch === 2 && r.index === 3 && !restarted) { restarted = true; swallow = true; mem.restart(); } },
    }));
    expect(restarted).toBe(true);
    expect(board.recoveries).toBe(1);
    expect(bits(run.weights)).toBe(bits(ref.weights));
  });
});

describe("a board that stops answering", () => {
  it("ends the run with a LinkError (exit code 4) after the configured retries", async () => {
    const link = new DyingLink(new MemoryLink(), 60);
    const board = new ProtocolBoard(link, { timeoutMs: 15, retries: 4 });
    const err = await train(board, options()).then(() => null, (e) => e);
    expect(err).toBeInstanceOf(LinkError);
    expect((err as LinkError).exitCode).toBe(4);
    expect((err as Error).message).toMatch(/stopped answering/);
    expect((err as Error).message).toMatch(/after 4 attempts/);
    // The first attempt and the 3 retransmissions were all written (and lost).
    expect(link.dropped).toBeGreaterThanOrEqual(4);
  });

  it("on a loaded machine (every timer fires late) the attempts still end it: 'stopped answering', not 'no progress'", async () => {
    // Once the board goes silent the event loop is kept busy 100 ms at a time, as a loaded 2-core machine
    // can: each attempt's timer fires up to 100 ms late. The no-progress deadline (30 x 15 ms from the
    // last answer) used to overtake the 4 attempts (15 + 30 + 60 + 120 ms, each armed late).
    const link = new DyingLink(new MemoryLink(), 60);
    let busy: NodeJS.Timeout | null = null;
    const write = link.write.bind(link);
    link.write = (bytes: Uint8Array) => {
      write(bytes);
      if (link.dropped > 0 && busy === null) {
        busy = setInterval(() => { const end = performance.now() + 100; while (performance.now() < end); }, 1);
      }
    };
    try {
      const board = new ProtocolBoard(link, { timeoutMs: 15, retries: 4 });
      const err = await train(board, options()).then(() => null, (e) => e);
      expect(err).toBeInstanceOf(LinkError);
      expect((err as Error).message).toMatch(/stopped answering/);
      expect((err as Error).message).toMatch(/after 4 attempts/);
    } finally {
      if (busy) clearInterval(busy);
    }
  });

  it("through the sim command's code path (trainOnBoard): LinkError, and the last good model is saved", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "edgeprop-reset-"));
    try {
      const g = path.join(goldenDir, "seed-minibatch");
      expect(existsSync(g), `golden case ${g}`).toBe(true);
      const save = path.join(dir, "model.json");
      const argv = ["--data", path.join(g, "data.csv"), "--load", path.join(g, "init.json"), "--loss", "mse", "--opt", "sgd",
        "--lr", "0.01", "--batch", "100", "--epochs", "6", "--no-shuffle", "--save", save, "--json"];
      const a = parseArgs(argv, SIM_OPTIONS, "sim");
      const events: any[] = [];
      const out: Output = { line: () => {}, json: (o) => events.push(JSON.parse(JSON.stringify(o))) };
      // Each epoch is ~13 chunks of 8 rows' frames x 100-row batches; die in epoch 3 or so.
      const link = new DyingLink(new MemoryLink(), 400);
      const board = new ProtocolBoard(link, { timeoutMs: 15, retries: 3 });
      await board.hello();
      const err = await trainOnBoard(board, runSpecOf(a), out).then(() => null, (e) => e);
      await board.close();
      expect(err).toBeInstanceOf(LinkError);
      expect((err as LinkError).exitCode).toBe(4);
      const epochsDone = events.filter((e) => e.event === "epoch").length;
      expect(epochsDone).toBeGreaterThan(0);
      expect(epochsDone).toBeLessThan(6);
      // "Ends the run with a clear message after N retries, with the last good model saved."
      expect(existsSync(save), "no model saved after the board stopped answering").toBe(true);
      const direct = path.join(dir, "direct.json");
      const a2 = parseArgs([...argv.slice(0, argv.indexOf("--epochs")), "--epochs", String(epochsDone), "--no-shuffle", "--save", direct, "--json"], SIM_OPTIONS, "sim");
      await trainOnBoard(new DirectBoard(wasmPath), runSpecOf(a2), { line: () => {}, json: () => {} });
      expect(readFileSync(save, "utf8")).toBe(readFileSync(direct, "utf8"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the CLI exits with code 4 and a clear message when the board process never answers", () => {
    const g = path.join(goldenDir, "seed-sgd");
    const r = spawnSync(process.execPath, [cliPath, "sim", "--data", path.join(g, "data.csv"), "--load", path.join(g, "init.json"),
      "--epochs", "1", "--engine", "exec:sleep 600"], { cwd: repoRoot, encoding: "utf8", timeout: 25_000, killSignal: "SIGKILL" });
    expect(r.stderr).toMatch(/stopped answering/);
    expect(r.signal, "the CLI printed its error but did not exit (killed after 25 s)").toBeNull();
    expect(r.status).toBe(4);
  }, 45_000);
});
