// STORE (0x09) and TRAIN_STORE (0x0A): each encoder's bytes, the real
// module's replies through each decoder, the module's refusals, and each
// decoder's refusals of payloads without their message's layout.
import { describe, expect, it } from "vitest";
import { ModuleFirmware } from "../../tests/helpers/module-firmware.js";
import { Type, typeName } from "./frame.js";
import { BoardError, Status } from "./status.js";
import { MalformedMessageError } from "./message-error.js";
import { encodeConfig } from "./config-block.js";
import { optimizerDefaults, type RunConfig } from "../model/config.js";
import {
  BatchReplyOffset, STORE_REPLY_BYTES, StoreOffset, StoreReplyOffset, TRAIN_STORE_BYTES, TrainStoreOffset, TrainStoreFlag,
  decodeConfigureReply, decodeHelloReply, decodeStoreReply, decodeTrainStoreReply, encodeHello, encodeStore,
  encodeTrainStore, replyPayload, type TrainStoreRequest,
} from "./codec.js";

const RUN: RunConfig = {
  sizes: [3, 4, 2], activations: ["tanh", "identity"], loss: "mse",
  optimizer: optimizerDefaults("adam"), clipNorm: 0, init: "pytorch", seed: 7, chunk: 2,
};
const N_IN = 3, N_T = 2;
const ROWS = 5;
const X = Float32Array.from({ length: ROWS * N_IN }, (_, i) => i / 10);
const T = Float32Array.from({ length: ROWS * N_T }, (_, i) => -i / 10);
const span = (first: number, count: number) => ({ x: X, t: T, first, count, nIn: N_IN, nT: N_T });
const step = (o: Partial<TrainStoreRequest> = {}): TrainStoreRequest =>
  ({ first: 0, rows: 2, epoch: 0, startEpoch: true, shuffle: false, setStep: null, ...o });

/** The module behind its firmware interface: one request in, its one reply out. */
class Firmware extends ModuleFirmware {
  constructor(storeRows: number) {
    super(0x5eed);
    decodeHelloReply(replyPayload(this.ask(Type.HELLO, encodeHello()), Type.HELLO));
    const reply = decodeConfigureReply(replyPayload(this.ask(Type.CONFIGURE, encodeConfig({ ...RUN, storeRows })), Type.CONFIGURE));
    expect(reply.status).toBe(Status.OK);
  }

  store(clear: boolean, first: number, count: number) {
    return decodeStoreReply(replyPayload(this.ask(Type.STORE, encodeStore(clear, span(first, count))), Type.STORE));
  }
}

const refusal = (fn: () => unknown, status: number, detail?: number) => {
  try { fn(); } catch (err) {
    expect(err).toBeInstanceOf(BoardError);
    expect((err as BoardError).status).toBe(status);
    if (detail !== undefined) expect((err as BoardError).detail).toBe(detail);
    return;
  }
  throw new Error("expected a refusal");
};
const malformed = (fn: () => unknown) => expect(fn).toThrow(MalformedMessageError);

describe("STORE (0x09)", () => {
  it("has its type and name", () => {
    expect(Type.STORE).toBe(0x09);
    expect(typeName(Type.STORE | Type.REPLY)).toBe("STORE_REPLY");
  });

  it("encodes flags, rows and each row's inputs then targets after 8 bytes", () => {
    const p = encodeStore(true, span(1, 2));
    const v = new DataView(p.buffer);
    expect(p.length).toBe(StoreOffset.DATA + 2 * 4 * (N_IN + N_T));
    expect(v.getUint8(StoreOffset.FLAGS)).toBe(1);
    expect(v.getUint16(StoreOffset.ROWS, true)).toBe(2);
    expect([...p.subarray(1, 2), ...p.subarray(4, 8)]).toEqual([0, 0, 0, 0, 0]);
    const row1 = Array.from({ length: N_IN + N_T }, (_, i) => v.getFloat32(StoreOffset.DATA + 4 * i, true));
    expect(row1).toEqual([...X.subarray(3, 6), ...T.subarray(2, 4)]);
    expect(new DataView(encodeStore(false, span(0, 0)).buffer).getUint8(StoreOffset.FLAGS)).toBe(0);
    expect(() => encodeStore(false, { ...span(0, 0x10000), x: new Float32Array(0x10000 * N_IN), t: new Float32Array(0x10000 * N_T) })).toThrow(RangeError);
  });

  it("the module appends, clears, and overwrites its oldest rows once full", () => {
    const fw = new Firmware(3);
    expect(fw.store(true, 0, 0)).toEqual({ held: 0, capacity: 3 });
    expect(fw.store(false, 0, 2)).toEqual({ held: 2, capacity: 3 });
    expect(fw.store(false, 2, 3)).toEqual({ held: 3, capacity: 3 });
    expect(fw.store(true, 0, 1)).toEqual({ held: 1, capacity: 3 });
  });

  it("the module refuses: no store (BAD_RANGE), unknown flags, lengths that are not whole rows", () => {
    const none = new Firmware(0);
    refusal(() => none.store(false, 0, 1), Status.BAD_RANGE, 0);
    const fw = new Firmware(4);
    const bad = encodeStore(false, span(0, 1));
    bad[StoreOffset.FLAGS] = 2;
    refusal(() => replyPayload(fw.ask(Type.STORE, bad), Type.STORE), Status.BAD_FRAME, 2);
    const short = encodeStore(false, span(0, 2)).subarray(0, StoreOffset.DATA + 4 * (N_IN + N_T) + 4);
    refusal(() => replyPayload(fw.ask(Type.STORE, short), Type.STORE), Status.BAD_FRAME, short.length);
    refusal(() => replyPayload(fw.ask(Type.STORE, new Uint8Array(7)), Type.STORE), Status.BAD_FRAME, 7);
    expect(fw.store(false, 0, 1).held).toBe(1); // the refusals changed nothing
  });

  it("the reply decoder refuses a wrong length, a status, more held than the capacity, and what was not expected", () => {
    const reply = (status: number, held: number, capacity: number, bytes = STORE_REPLY_BYTES) => {
      const p = new Uint8Array(bytes);
      const v = new DataView(p.buffer);
      v.setUint8(StoreReplyOffset.STATUS, status);
      if (bytes >= 12) { v.setUint32(StoreReplyOffset.HELD, held, true); v.setUint32(StoreReplyOffset.CAPACITY, capacity, true); }
      return p;
    };
    expect(decodeStoreReply(reply(0, 2, 3), { held: 2, capacity: 3 })).toEqual({ held: 2, capacity: 3 });
    malformed(() => decodeStoreReply(reply(0, 2, 3, 11)));
    malformed(() => decodeStoreReply(reply(0, 2, 3, 13)));
    malformed(() => decodeStoreReply(reply(5, 2, 3)));
    malformed(() => decodeStoreReply(reply(0, 4, 3)));
    malformed(() => decodeStoreReply(reply(0, 2, 3), { held: 3, capacity: 3 }));
    malformed(() => decodeStoreReply(reply(0, 2, 3), { held: 2, capacity: 4 }));
  });
});

describe("TRAIN_STORE (0x0A)", () => {
  it("encodes 20 bytes: flags, first, rows, epoch, step", () => {
    const p = encodeTrainStore(step({ first: 7, rows: 300, epoch: 0xfffffffe, shuffle: true, setStep: 41 }));
    const v = new DataView(p.buffer);
    expect(p.length).toBe(TRAIN_STORE_BYTES);
    expect(v.getUint8(TrainStoreOffset.FLAGS)).toBe(TrainStoreFlag.START_EPOCH | TrainStoreFlag.SHUFFLE | TrainStoreFlag.SET_STEP);
    expect(v.getUint32(TrainStoreOffset.FIRST, true)).toBe(7);
    expect(v.getUint32(TrainStoreOffset.ROWS, true)).toBe(300);
    expect(v.getUint32(TrainStoreOffset.EPOCH, true)).toBe(0xfffffffe);
    expect(v.getUint32(TrainStoreOffset.STEP, true)).toBe(41);
    expect(new DataView(encodeTrainStore(step({ startEpoch: false })).buffer).getUint8(TrainStoreOffset.FLAGS)).toBe(0);
    expect(() => encodeTrainStore(step({ rows: 0 }))).toThrow(RangeError);
    expect(() => encodeTrainStore(step({ rows: 0x10000 }))).toThrow(RangeError);
  });

  it("the module's reply is a BATCH_REPLY for the whole step; its order is kept between steps", () => {
    const fw = new Firmware(ROWS);
    fw.store(true, 0, ROWS);
    const train = (o: Partial<TrainStoreRequest>) =>
      decodeTrainStoreReply(replyPayload(fw.ask(Type.TRAIN_STORE, encodeTrainStore(step(o))), Type.TRAIN_STORE), 2, o.rows ?? 2);
    const a = train({ first: 0, rows: 3, shuffle: true, setStep: 10 });
    expect(a.status).toBe(Status.OK);
    expect(a.stepped).toBe(true);
    expect(a.rows).toBe(3);
    expect(a.step).toBe(11);
    expect(a.gradNorms.length).toBe(2);
    expect(a.lossSum).toBeGreaterThan(0);
    const b = train({ first: 3, rows: 2, startEpoch: false });
    expect(b.step).toBe(12);
    // The epoch is over: positions past the rows held are refused, detail = first.
    refusal(() => train({ first: 4, rows: 2, startEpoch: false }), Status.BAD_RANGE, 4);
    // A STORE voids the order: the next step must start an epoch.
    fw.store(false, 0, 0);
    expect(train({ first: 0, rows: 1, startEpoch: true }).status).toBe(Status.OK);
    fw.store(false, 0, 1);
    refusal(() => train({ first: 0, rows: 1, startEpoch: false }), Status.BAD_RANGE, 0);
  });

  it("the module refuses: no store, no rows, too many rows, a wrong length, unknown flags", () => {
    const none = new Firmware(0);
    refusal(() => replyPayload(none.ask(Type.TRAIN_STORE, encodeTrainStore(step())), Type.TRAIN_STORE), Status.BAD_RANGE, 0);
    const fw = new Firmware(3);
    fw.store(true, 0, 3);
    const ask = (p: Uint8Array) => replyPayload(fw.ask(Type.TRAIN_STORE, p), Type.TRAIN_STORE);
    const raw = (rows: number) => { const p = encodeTrainStore(step()); new DataView(p.buffer).setUint32(TrainStoreOffset.ROWS, rows, true); return p; };
    refusal(() => ask(raw(0)), Status.BAD_ROWS, 0);
    refusal(() => ask(raw(0x10000)), Status.BAD_ROWS, 0);
    refusal(() => ask(raw(4)), Status.BAD_RANGE, 0);
    refusal(() => ask(encodeTrainStore(step()).subarray(0, 16)), Status.BAD_FRAME, 16);
    const flags = encodeTrainStore(step());
    flags[TrainStoreOffset.FLAGS] = 8;
    refusal(() => ask(flags), Status.BAD_FRAME, 8);
    const wide = new Uint8Array(TRAIN_STORE_BYTES);
    new DataView(wide.buffer).setUint32(TrainStoreOffset.FIRST, 0xffffffff, true);
    new DataView(wide.buffer).setUint32(TrainStoreOffset.ROWS, 1, true);
    wide[TrainStoreOffset.FLAGS] = TrainStoreFlag.START_EPOCH;
    refusal(() => ask(wide), Status.BAD_RANGE, -1); // detail: first's low 16 bits, read as i16
  });

  it("the reply decoder refuses another layer count, other rows, and OK without a step", () => {
    const fw = new Firmware(3);
    fw.store(true, 0, 3);
    const p = replyPayload(fw.ask(Type.TRAIN_STORE, encodeTrainStore(step())), Type.TRAIN_STORE);
    expect(decodeTrainStoreReply(p, 2, 2).rows).toBe(2);
    malformed(() => decodeTrainStoreReply(p, 3, 2));
    malformed(() => decodeTrainStoreReply(p, 2, 3));
    const unstepped = p.slice();
    unstepped[BatchReplyOffset.STEPPED] = 0;
    malformed(() => decodeTrainStoreReply(unstepped, 2, 2));
    malformed(() => decodeTrainStoreReply(p.subarray(0, p.length - 1), 2, 2));
  });
});
