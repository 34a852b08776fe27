// The host's Pipeline (window of frames in flight, go-back-N, the board's
// reply cache) over a FaultyLink at high fault rates in front of a MemoryLink:
// every request completes exactly once and in order, and training through it
// ends on the clean run's weights bit for bit.
import { describe, expect, it } from "vitest";
import { SimulatedFirmware as MemoryLink } from "../../host/boards/simulated-firmware";
import { FaultyLink } from "../../host/transports/faulty-link";
import { Pipeline, type Request } from "../../host/protocol/pipeline";
import { ProtocolBoard } from "../../host/protocol/protocol-board";
import { DirectBoard } from "../../host/boards/in-process";
import { runSession } from "../../host/run/session";
import { encodeConfig } from "../../host/protocol/config-block";
import type { Frame } from "../../host/protocol/frame";
import {
  ModuleBoard, S, T, batchPayload, configBlock, dv, getWeightsPayload, hex, lrPayload, prng, randomRows, runConfig,
  wasmPath, type NetSpec,
} from "./support";

const NET: NetSpec = { sizes: [4, 8, 2], act: "tanh", loss: "mse", opt: "adam", optimizer: { lr: 0.01 }, chunk: 8, seed: 12 };
const ROW = 6;
const PARAMS = 8 * 5 + 2 * 9; // 58

interface Step { kind: "batch" | "lr" | "get"; payload: Uint8Array; lr?: number }

/** BATCHes with a GET_WEIGHTS of the first 12 and last 12 parameters after each, and SET_LR now and then. */
function script(batches: number, read = 12): Step[] {
  const r = prng(3);
  const steps: Step[] = [];
  for (let b = 0; b < batches; b++) {
    if (b % 5 === 0) { const lr = 0.02 / (1 + b / 5); steps.push({ kind: "lr", payload: lrPayload(lr), lr }); }
    // Half of the batches in two chunks (the first does not step).
    if (b % 2 === 0) steps.push({ kind: "batch", payload: batchPayload(1, 8, randomRows(r, 8, ROW)) });
    else {
      steps.push({ kind: "batch", payload: batchPayload(0, 5, randomRows(r, 5, ROW)) });
      steps.push({ kind: "batch", payload: batchPayload(1, 3, randomRows(r, 3, ROW)) });
    }
    steps.push({ kind: "get", payload: getWeightsPayload(0, 0, read) });
    steps.push({ kind: "get", payload: getWeightsPayload(0, PARAMS - read, read) });
  }
  return steps;
}

/** What each GET_WEIGHTS must answer: the script run on the module through its exports. */
function expectedReads(steps: Step[]): string[] {
  const m = new ModuleBoard(1, 0);
  const block = configBlock(NET);
  new Uint8Array(m.e.memory.buffer, m.e.config_ptr(), block.length).set(block);
  expect(m.e.configure()).toBe(S.OK);
  const out: string[] = [];
  for (const s of steps) {
    if (s.kind === "lr") m.e.set_lr(s.lr!);
    else if (s.kind === "batch") {
      const v = dv(s.payload);
      const rows = v.getUint16(2, true);
      const x = new Float32Array(m.e.memory.buffer, m.e.input_ptr(), rows * 4);
      const t = new Float32Array(m.e.memory.buffer, m.e.target_ptr(), rows * 2);
      for (let r = 0; r < rows; r++) {
        for (let i = 0; i < 4; i++) x[r * 4 + i] = v.getFloat32(8 + 4 * (r * ROW + i), true);
        for (let i = 0; i < 2; i++) t[r * 2 + i] = v.getFloat32(8 + 4 * (r * ROW + 4 + i), true);
      }
      expect(m.e.train_chunk(rows, v.getUint8(0) & 1)).toBe(S.OK);
    } else {
      const off = dv(s.payload).getUint32(4, true);
      const n = dv(s.payload).getUint16(8, true);
      out.push(hex(new Uint8Array(m.e.memory.buffer, m.e.params_ptr() + 4 * off, 4 * n)));
    }
  }
  return out;
}

async function drive(rate: number, seed: number, window: number, read = 12) {
  const mem = new MemoryLink();
  const link = new FaultyLink(mem, rate, seed);
  const pipe = new Pipeline(link, { timeoutMs: 15, retries: 200, window });
  const hello = await pipe.request(T.HELLO);
  expect(hello.type).toBe(T.HELLO | T.REPLY);
  const conf = await pipe.request(T.CONFIGURE, configBlock(NET));
  expect(conf.type).toBe(T.CONFIGURE | T.REPLY);
  expect(conf.payload[0]).toBe(S.OK);
  const steps = script(30, read);
  const reqs: Request[] = steps.map((s) => ({
    type: s.kind === "lr" ? T.SET_LR : s.kind === "batch" ? T.BATCH : T.GET_WEIGHTS, payload: s.payload,
  }));
  const order: number[] = [];
  const replies: Frame[] = [];
  const delivered = await pipe.send(reqs, (i, f) => { order.push(i); replies.push(f); });
  expect(delivered).toBe(reqs.length);
  // In order, each exactly once, each the reply to its own request.
  expect(order).toEqual(reqs.map((_, i) => i));
  replies.forEach((f, i) => {
    expect(f.type, `reply ${i}: ${hex(f.payload)}`).toBe(reqs[i].type | T.REPLY);
    if (reqs[i].type === T.BATCH) expect(f.payload[0]).toBe(S.OK);
  });
  // Every read saw the weights after exactly the requests before it.
  const want = expectedReads(steps);
  const got = replies.filter((_, i) => reqs[i].type === T.GET_WEIGHTS).map((f) => hex(f.payload.subarray(8)));
  expect(got.length).toBe(want.length);
  got.forEach((g, k) => expect(g, `read ${k}`).toBe(want[k]));
  // The board's own counters: every row trained once, one step per batch.
  const end = await pipe.request(T.HELLO);
  const rows = steps.filter((s) => s.kind === "batch").reduce((n, s) => n + dv(s.payload).getUint16(2, true), 0);
  expect(dv(end.payload).getUint32(24, true)).toBe(rows);
  expect(dv(end.payload).getUint32(28, true)).toBe(30);
  await link.close();
  return { faults: link.faults, retransmits: pipe.retransmits };
}

describe("Pipeline over a FaultyLink", () => {
  for (const [rate, seed, window] of [[0.2, 1, 4], [0.3, 2, 4], [0.5, 3, 4], [0.3, 4, 1], [0.4, 5, 2]] as const) {
    it(`fault rate ${rate}, seed ${seed}, window ${window}: every request exactly once, in order`, { timeout: 60_000 }, async () => {
      const { faults, retransmits } = await drive(rate, seed, window);
      expect(faults).toBeGreaterThan(20);
      expect(retransmits).toBeGreaterThan(0);
    });
  }

  // Reads of 46 floats (a full 192-byte reply) are too long for the reply cache: a
  // lost one is executed again, and must still answer what the board held when it
  // was first executed - not the weights after the BATCH that followed it.
  for (const [rate, seed] of [[0.3, 6], [0.5, 7]] as const) {
    it(`fault rate ${rate}, seed ${seed}: full-size GET_WEIGHTS between BATCHes still read the weights in order`, { timeout: 60_000 }, async () => {
      const { faults } = await drive(rate, seed, 4, 46);
      expect(faults).toBeGreaterThan(20);
    });
  }

  it("a training session through a 30% faulty line ends on the clean run's weights bit for bit", { timeout: 60_000 }, async () => {
    const r = prng(8);
    const rows = 60;
    const x = new Float32Array(rows * 4).map(() => r() * 2 - 1);
    const t = new Float32Array(rows * 2).map(() => r() * 2 - 1);
    const data = { name: "random", rows, nIn: 4, nT: 2, x, t, inputNames: [], targetNames: [] };
    const o = { epochs: 5, batch: 12, chunk: 8, shuffle: true, seed: 3, lr: 0.01, schedule: { kind: "exponential" as const, gamma: 0.8 } };
    const run = async (board: DirectBoard | ProtocolBoard) => {
      await board.hello();
      await board.configure(encodeConfig(runConfig(NET)));
      const s = await runSession(board, data, o);
      const w = await board.getWeights();
      await board.close();
      return { w, losses: s.history.map((h) => h.loss) };
    };
    const clean = await run(new DirectBoard(wasmPath));
    const link = new FaultyLink(new MemoryLink(), 0.3, 9);
    const faulty = await run(new ProtocolBoard(link, { timeoutMs: 15, retries: 200 }));
    expect(link.faults).toBeGreaterThan(20);
    expect(hex(new Uint8Array(faulty.w.buffer))).toBe(hex(new Uint8Array(clean.w.buffer)));
    expect(faulty.losses).toEqual(clean.losses);
  });
});
