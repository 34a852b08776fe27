// The pipeline's own rules, each on a link built to break it: an empty run,
// more requests in one run than the 16-bit sequence counter holds, the
// firmware's unsolicited reports (LOAD_FAILED is final, TRAP is a restart),
// and a reply deadline that backs off for a slow board.
import { afterEach, describe, expect, it, vi } from "vitest";
import { LoadFailedError, MAX_BACKOFF, Pipeline, RebootError } from "./pipeline.js";
import { ProtocolBoard } from "./protocol-board.js";
import { encodeFrame, Type, type Frame } from "./frame.js";
import { FrameSplitter } from "./frame-splitter.js";
import { Status } from "./status.js";
import { ErrorOffset, encodeSetLr } from "./codec.js";
import { encodeConfig } from "./config-block.js";
import { SimulatedFirmware } from "../boards/simulated-firmware.js";
import { DirectBoard } from "../boards/in-process.js";
import { LinkError } from "../errors.js";
import { optimizerDefaults, type RunConfig } from "../model/config.js";
import type { ByteLink } from "../transports/byte-link.js";

/** The pump's own ERROR frame (boards/common/error_frame.h): seq 0, code, for-type 0, detail 0, boot id, text. */
function firmwareReport(code: number, message: string): Uint8Array {
  const text = new TextEncoder().encode(message);
  const payload = new Uint8Array(ErrorOffset.MESSAGE + text.length);
  payload[ErrorOffset.CODE] = code;
  new DataView(payload.buffer).setUint32(ErrorOffset.BOOT_ID, 0x5eed, true);
  payload.set(text, ErrorOffset.MESSAGE);
  return encodeFrame({ type: Type.ERROR, seq: 0, payload });
}

/** A board end written by the test: `answer` gets each frame the host sends. */
class ScriptedLink implements ByteLink {
  readonly description = "scripted board";
  readonly baud = 0;
  writes: { at: number; frame: Frame }[] = [];
  private listeners: ((b: Uint8Array) => void)[] = [];
  private splitter = new FrameSplitter({ frame: (f) => { this.writes.push({ at: performance.now(), frame: f }); this.answer(f, this); } });
  constructor(private readonly answer: (f: Frame, link: ScriptedLink) => void) {}
  send(b: Uint8Array): void { queueMicrotask(() => { for (const cb of this.listeners) cb(b); }); }
  write(b: Uint8Array): void { this.splitter.push(b); }
  onData(cb: (b: Uint8Array) => void): void { this.listeners.push(cb); }
  onClose(): void {}
  async close(): Promise<void> {}
}

/** Passes frames to a SimulatedFirmware; `intercept` may take a frame instead (returns true). */
class InterceptingLink implements ByteLink {
  readonly description = "simulated board, intercepted";
  readonly baud = 0;
  private listeners: ((b: Uint8Array) => void)[] = [];
  private splitter = new FrameSplitter({ frame: (f) => { if (!this.intercept(f, this)) this.inner.write(encodeFrame(f)); } });
  constructor(readonly inner: SimulatedFirmware, private readonly intercept: (f: Frame, link: InterceptingLink) => boolean) {
    inner.onData((b) => this.emit(b));
  }
  emit(b: Uint8Array): void { for (const cb of this.listeners) cb(b); }
  write(b: Uint8Array): void { this.splitter.push(b); }
  onData(cb: (b: Uint8Array) => void): void { this.listeners.push(cb); }
  onClose(): void {}
  close(): Promise<void> { return this.inner.close(); }
}

const RUN: RunConfig = {
  sizes: [1, 1], activations: ["identity"], loss: "mse",
  optimizer: { ...optimizerDefaults("sgd"), lr: 0.01 }, clipNorm: 0, init: "pytorch", seed: 5, chunk: 1,
};

afterEach(() => { vi.useRealTimers(); });

describe("Pipeline", () => {
  it("an empty request list resolves at once with 0, sends nothing and uses no sequence number (issue 10, item 1)", async () => {
    const link = new ScriptedLink(() => { throw new Error("nothing should be sent"); });
    const pipe = new Pipeline(link, { timeoutMs: 20, retries: 2 });
    let called = 0;
    await expect(pipe.send([], () => { called++; })).resolves.toBe(0);
    expect(called).toBe(0);
    expect(link.writes).toHaveLength(0);
  });

  it("an epoch of 70,000 chunks (more than the 65,536 sequence numbers) trains as --link direct does, bit for bit (issue 14, item 4)", { timeout: 120_000 }, async () => {
    const rows = 70_000;
    const x = Float32Array.from({ length: rows }, (_, i) => Math.sin(i) * 0.5);
    const t = Float32Array.from({ length: rows }, (_, i) => Math.cos(i) * 0.25);
    const job = { x, t, rows, nIn: 1, nT: 1, batch: 10, chunk: 1 };
    const train = async (board: ProtocolBoard | DirectBoard) => {
      await board.hello();
      await board.configure(encodeConfig(RUN));
      await board.setLr(0.01);
      const results = await board.train(job);
      const w = await board.getWeights();
      await board.close();
      return { batches: results.length, lossSum: results.reduce((s, r) => s + r.lossSum, 0), w: Buffer.from(w.buffer).toString("hex") };
    };
    const direct = await train(new DirectBoard());
    const board = new ProtocolBoard(new SimulatedFirmware());
    const viaLink = await train(board);
    expect(viaLink.batches).toBe(rows / 10);
    expect(viaLink).toEqual(direct);
  });

  it("LOAD_FAILED stops the run at once: no retransmission, exit 4, the board's reason in the message", async () => {
    const link = new ScriptedLink((_, l) => l.send(firmwareReport(Status.LOAD_FAILED, "compile: compiling function overran its stack height limit")));
    const pipe = new Pipeline(link, { timeoutMs: 5_000, retries: 8 });
    const err = await pipe.request(Type.HELLO).catch((e) => e);
    expect(err).toBeInstanceOf(LoadFailedError);
    expect(err).toBeInstanceOf(LinkError);
    expect((err as LinkError).exitCode).toBe(4);
    expect(err.message).toBe("the board cannot run the module: load failed: compile: compiling function overran its stack height limit");
    expect(link.writes).toHaveLength(1);
    expect(pipe.retransmits).toBe(0);
  });

  it("a LOAD_FAILED report that arrived before any request fails the first request without sending it", async () => {
    const link = new ScriptedLink(() => { throw new Error("nothing should be sent"); });
    const pipe = new Pipeline(link, { timeoutMs: 5_000, retries: 8 });
    link.send(firmwareReport(Status.LOAD_FAILED, "module file missing"));
    await new Promise((r) => setTimeout(r, 0));
    await expect(pipe.request(Type.HELLO)).rejects.toThrow("the board cannot run the module: load failed: module file missing");
    expect(link.writes).toHaveLength(0);
  });

  it("a TRAP report during a session is a restart at once, without waiting for a reply that will not come", async () => {
    // The trapped request gets no reply, only the pump's report (its banner lost on the line).
    const sim = new SimulatedFirmware();
    const link = new InterceptingLink(sim, (f, l) => {
      if (f.type !== Type.SET_LR) return false;
      sim.restart();
      l.emit(firmwareReport(Status.TRAP, "out of bounds memory access"));
      return true;
    });
    const pipe = new Pipeline(link, { timeoutMs: 5_000, retries: 8 });
    await pipe.request(Type.HELLO);
    pipe.sessionActive = true;
    const err = await pipe.request(Type.SET_LR, encodeSetLr(0.1)).catch((e) => e);
    expect(err).toBeInstanceOf(RebootError);
    expect(err.message).toMatch(/trapped.*out of bounds memory access/);
    expect(pipe.retransmits).toBe(0);
  });

  it("a training run whose board traps mid-epoch restores it and ends as --link direct does", async () => {
    const rows = 40;
    const x = Float32Array.from({ length: rows }, (_, i) => Math.sin(i));
    const t = Float32Array.from({ length: rows }, (_, i) => Math.cos(i));
    const job = { x, t, rows, nIn: 1, nT: 1, batch: 8, chunk: 1 };
    let batches = 0;
    const sim = new SimulatedFirmware();
    const link = new InterceptingLink(sim, (f, l) => {
      if (f.type !== Type.BATCH || ++batches !== 17) return false;
      sim.restart();
      l.emit(firmwareReport(Status.TRAP, "unreachable"));
      return true;
    });
    const train = async (board: ProtocolBoard | DirectBoard) => {
      await board.hello();
      await board.configure(encodeConfig({ ...RUN, optimizer: { ...optimizerDefaults("adam"), lr: 0.01 } }));
      for (let e = 0; e < 2; e++) await board.train(job);
      return Buffer.from((await board.getWeights()).buffer).toString("hex");
    };
    const board = new ProtocolBoard(link, { timeoutMs: 5_000 });
    expect(await train(board)).toBe(await train(new DirectBoard()));
    expect(board.recoveries).toBe(1);
  });

  it("a board that does not answer for a while: each retry of the same request waits twice as long, up to MAX_BACKOFF", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const base = 100;
    const retries = 7;
    const link = new ScriptedLink(() => {});
    const pipe = new Pipeline(link, { timeoutMs: base, retries });
    const done = pipe.request(Type.HELLO).catch((e) => e);
    await vi.runAllTimersAsync();
    const err = await done;
    expect(err).toBeInstanceOf(LinkError);
    expect(link.writes).toHaveLength(retries);
    const gaps = link.writes.slice(1).map((w, i) => Math.round(w.at - link.writes[i].at));
    // The first retransmission after a loss is as quick as ever; a slow board gets more time.
    expect(gaps).toEqual([1, 2, 4, 8, 8, 8].map((k) => Math.min(k, MAX_BACKOFF) * base));
  });

  it("a board that answers only after its first few attempts (a board process still starting) is waited for", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    // Silent for 1.5 s, then answering: 8 attempts at a fixed 100 ms would have given up after 0.8 s.
    const link = new ScriptedLink((f, l) => {
      if (performance.now() < 1_500) return;
      const reply = new Uint8Array(32);
      reply[0] = 1;
      l.send(encodeFrame({ type: Type.HELLO | Type.REPLY, seq: f.seq, payload: reply }));
    });
    const pipe = new Pipeline(link, { timeoutMs: 100, retries: 8 });
    const done = pipe.request(Type.HELLO);
    await vi.runAllTimersAsync();
    const reply = await done;
    expect(reply.type).toBe(Type.HELLO | Type.REPLY);
  });
});
