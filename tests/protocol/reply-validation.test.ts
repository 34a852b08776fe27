// The host trusts no reply (issue 14, item 5): a board that answers with a
// valid CRC but the wrong content (a GET_WEIGHTS reply for another offset, a
// payload one byte short or one byte long, a row or layer count that is not
// the request's) is a damaged line: the request is asked again, and a board
// that keeps answering wrongly ends the run as a link failure (exit 4, the
// last good model kept), never as a model built from the wrong bytes and
// never as a RangeError.
import { describe, expect, it } from "vitest";
import { SimulatedFirmware } from "../../host/boards/simulated-firmware";
import { DirectBoard } from "../../host/boards/in-process";
import { ProtocolBoard } from "../../host/protocol/protocol-board";
import { MalformedMessageError } from "../../host/protocol/message-error";
import { Type, type Frame } from "../../host/protocol/frame";
import { BatchReplyOffset, ConfigureOffset, EvalReplyOffset, WeightsOffset } from "../../host/protocol/codec";
import { encodeConfig } from "../../host/protocol/config-block";
import { runSession } from "../../host/run/session";
import { LinkError } from "../../host/errors";
import type { Board } from "../../host/boards/board";
import { RewritingLink, type Rewrite } from "../helpers/rewriting-link";
import { prng, runConfig, type NetSpec } from "./support";

const NET: NetSpec = { sizes: [3, 5, 2], act: "tanh", loss: "mse", opt: "adam", optimizer: { lr: 0.01 }, chunk: 4, seed: 4 };
const ROWS = 24;
const rand = prng(11);
const X = Float32Array.from({ length: ROWS * 3 }, () => rand() * 2 - 1);
const T = Float32Array.from({ length: ROWS * 2 }, () => rand() * 2 - 1);

/** Every request the protocol board sends, each answered at least once. */
async function workout(board: Board): Promise<string> {
  await board.hello();
  await board.configure(encodeConfig(runConfig(NET)));
  await board.setLr(0.02);
  const w = await board.getWeights();
  await board.setWeights(w.map((v) => v * 0.5));
  for (let e = 0; e < 2; e++) await board.train({ x: X, t: T, rows: ROWS, nIn: 3, nT: 2, batch: 8, chunk: 4 });
  const ev = await board.evaluate(X, T, ROWS, 3, 2, 4);
  const out = [await board.getWeights(), (await board.getOptimizerState()).state, ev.outputs, Float64Array.of(ev.lossSum)];
  await board.close();
  return out.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex")).join("/");
}

const withPayload = (f: Frame, payload: Uint8Array): Frame => ({ type: f.type, seq: f.seq, payload });
const u16 = (p: Uint8Array, at: number, v: number) => { const c = p.slice(); new DataView(c.buffer).setUint16(at, v, true); return c; };
const u32 = (p: Uint8Array, at: number, add: number) => {
  const c = p.slice(); const d = new DataView(c.buffer); d.setUint32(at, d.getUint32(at, true) + add, true); return c;
};

interface Damage { reply: number; what: string; change: (p: Uint8Array) => Uint8Array }

const REPLY = (t: number) => t | Type.REPLY;
const DAMAGES: Damage[] = [
  { reply: REPLY(Type.GET_WEIGHTS), what: "answers another offset", change: (p) => u32(p, WeightsOffset.OFFSET, 1) },
  { reply: REPLY(Type.GET_WEIGHTS), what: "one float short", change: (p) => p.slice(0, p.length - 4) },
  { reply: REPLY(Type.GET_WEIGHTS), what: "one byte long", change: (p) => Uint8Array.of(...p, 0) },
  { reply: REPLY(Type.SET_WEIGHTS), what: "confirms another count", change: (p) => u16(p, WeightsOffset.COUNT, 1) },
  { reply: REPLY(Type.HELLO), what: "one byte short", change: (p) => p.slice(0, p.length - 1) },
  { reply: REPLY(Type.HELLO), what: "one byte long", change: (p) => Uint8Array.of(...p, 0) },
  { reply: REPLY(Type.CONFIGURE), what: "one byte short", change: (p) => p.slice(0, p.length - 1) },
  { reply: REPLY(Type.CONFIGURE), what: "plans more optimizer state than any optimizer has", change: (p) => u32(p, ConfigureOffset.OPTIMIZER, 1 << 20) },
  { reply: REPLY(Type.CONFIGURE), what: "plans another parameter count", change: (p) => u32(p, ConfigureOffset.PARAMS, 8) },
  { reply: REPLY(Type.BATCH), what: "one byte short", change: (p) => p.slice(0, p.length - 1) },
  { reply: REPLY(Type.BATCH), what: "counts fewer rows than the chunk", change: (p) => u16(p, BatchReplyOffset.ROWS, 1) },
  { reply: REPLY(Type.BATCH), what: "has another layer count", change: (p) => { const c = p.slice(); c[BatchReplyOffset.LAYERS] = 1; return c; } },
  { reply: REPLY(Type.EVAL), what: "answers another row count", change: (p) => u16(p, EvalReplyOffset.ROWS, 1) },
  { reply: REPLY(Type.EVAL), what: "one float long", change: (p) => Uint8Array.of(...p, 0, 0, 0, 0) },
  { reply: REPLY(Type.SET_LR), what: "is empty", change: () => new Uint8Array(0) },
];

/** Applies the damage to the first `times` replies of its type. */
function damaging(d: Damage, times: number): Rewrite {
  let left = times;
  return (f) => (f.type === d.reply && left-- > 0 ? [withPayload(f, d.change(f.payload))] : [f]);
}

describe("replies with a valid CRC and the wrong content", () => {
  let clean = "";
  it("reference: the workout on --link direct", async () => {
    clean = await workout(new DirectBoard());
    expect(clean.length).toBeGreaterThan(0);
  });

  for (const d of DAMAGES) {
    const name = d.reply.toString(16);
    it(`a reply 0x${name} that ${d.what}, once: asked again, and the run ends as --link direct's bit for bit`, async () => {
      const link = new RewritingLink(new SimulatedFirmware(), damaging(d, 1));
      const board = new ProtocolBoard(link, { timeoutMs: 2_000 });
      expect(await workout(board)).toBe(clean);
      expect(link.rewrites).toBe(1);
      expect(board.pipe.retransmits).toBeGreaterThanOrEqual(1);
    });

    it(`a reply 0x${name} that always ${d.what}: a link failure (exit 4) naming the reply, never a RangeError`, async () => {
      const link = new RewritingLink(new SimulatedFirmware(), damaging(d, Infinity));
      const board = new ProtocolBoard(link, { timeoutMs: 2_000, retries: 4 });
      const err = await workout(board).catch((e) => e);
      expect(err).toBeInstanceOf(MalformedMessageError);
      expect((err as LinkError).exitCode).toBe(4);
      expect(err.message).toMatch(/_REPLY|reply/);
      expect(err.message).toMatch(/after 4 attempts/);
      await board.close();
    });
  }

  it("a board that starts answering wrongly in epoch 3: exit 4 with the model after epoch 2, as --link direct trained it", async () => {
    const data = { name: "random", rows: ROWS, nIn: 3, nT: 2, x: X, t: T, inputNames: [], targetNames: [] };
    const o = { epochs: 5, batch: 8, chunk: 4, shuffle: false, seed: 1, lr: 0.02, schedule: { kind: "constant" as const } };
    const direct = new DirectBoard();
    await direct.hello();
    await direct.configure(encodeConfig(runConfig(NET)));
    await runSession(direct, data, { ...o, epochs: 2 });
    const afterTwo = Buffer.from((await direct.getWeights()).buffer).toString("hex");
    let epochs = 0;
    const link = new RewritingLink(new SimulatedFirmware(), (f) =>
      f.type === REPLY(Type.GET_WEIGHTS) && epochs >= 2 ? [withPayload(f, u32(f.payload, WeightsOffset.OFFSET, 8))] : [f]);
    const board = new ProtocolBoard(link, { timeoutMs: 2_000, retries: 3 });
    await board.hello();
    await board.configure(encodeConfig(runConfig(NET)));
    const err = await runSession(board, data, { ...o, onEpoch: () => { epochs++; } }).catch((e) => e);
    expect(err).toBeInstanceOf(LinkError);
    expect(epochs).toBe(2);
    expect(Buffer.from((err as LinkError).soFar!.lastGood!.buffer).toString("hex")).toBe(afterTwo);
    await board.close();
  });
});
