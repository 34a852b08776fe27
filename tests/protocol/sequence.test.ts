// Sequence handling and exactly-once, driven on the module with hand-made
// frames (no host session in between): HELLO, CONFIGURE and its refusal,
// NO_SESSION, the reply cache, OUT_OF_ORDER, and frames that must be dropped
// without a reply and without touching anything.
import { describe, expect, it } from "vitest";
import { encodeFrame, type Frame } from "../../host/protocol/frame";
import { cobsDecode, cobsEncode } from "../../host/protocol/cobs";
import { crc32 } from "../../host/protocol/crc32";
import { computePlan } from "../../host/model/plan";
import {
  ModuleBoard, S, T, batchPayload, configBlock, dv, getWeightsPayload, hex, lrPayload, prng, randBytes,
  randomRows, readAllWeights, runConfig, setWeightsPayload, type NetSpec,
} from "./support";

const NET: NetSpec = { sizes: [4, 8, 2], loss: "mse", opt: "sgd", optimizer: { lr: 0.1, momentum: 0.9 }, chunk: 8, seed: 3 };
const ROW = 4 + 2; // inputs + targets

function expectError(f: Frame, code: number, forType: number, seq: number, bootId: number): number {
  expect(f.type, `expected ERROR ${code}, got type 0x${f.type.toString(16)} (payload ${hex(f.payload)})`).toBe(T.ERROR);
  expect(f.seq).toBe(seq);
  expect(f.payload.length).toBe(8);
  expect(f.payload[0]).toBe(code);
  expect(f.payload[1]).toBe(forType);
  expect(dv(f.payload).getUint32(4, true)).toBe(bootId >>> 0);
  return dv(f.payload).getUint16(2, true); // detail (the expected seq for OUT_OF_ORDER)
}

function expectReply(f: Frame, type: number, seq: number): Frame {
  expect(f.type, `expected a reply to 0x${type.toString(16)}, got 0x${f.type.toString(16)} (payload ${hex(f.payload)})`).toBe(type | T.REPLY);
  expect(f.seq).toBe(seq);
  return f;
}

/** A module in a session at `first`, configured with NET: returns it and the next seq. */
function session(first = 10, bootId = 0x5eed0001) {
  const m = new ModuleBoard(bootId, 0);
  expectReply(m.one(T.HELLO, first), T.HELLO, first);
  const c = expectReply(m.one(T.CONFIGURE, first + 1, configBlock(NET)), T.CONFIGURE, first + 1);
  expect(c.payload[0]).toBe(S.OK);
  return { m, seq: first + 2 };
}

/** The same model trained directly through the exports (the reference for "one step"). */
function reference(chunks: { rows: number[]; n: number; ends: boolean }[], lr = 0.1): Float32Array {
  const m = new ModuleBoard(1, 0);
  const block = configBlock(NET);
  new Uint8Array(m.e.memory.buffer, m.e.config_ptr(), block.length).set(block);
  expect(m.e.configure()).toBe(S.OK);
  m.e.set_lr(lr);
  for (const c of chunks) {
    const x = new Float32Array(m.e.memory.buffer, m.e.input_ptr(), c.n * 4);
    const t = new Float32Array(m.e.memory.buffer, m.e.target_ptr(), c.n * 2);
    for (let r = 0; r < c.n; r++) {
      for (let i = 0; i < 4; i++) x[r * 4 + i] = c.rows[r * ROW + i];
      for (let i = 0; i < 2; i++) t[r * 2 + i] = c.rows[r * ROW + 4 + i];
    }
    expect(m.e.train_chunk(c.n, c.ends ? 1 : 0)).toBe(S.OK);
  }
  return m.params();
}

describe("HELLO", () => {
  it("answers with protocol 1, the boot id, the memory limit and the build id of the banner", () => {
    const m = new ModuleBoard(0xa1b2c3d4, 0);
    const f = expectReply(m.one(T.HELLO, 77), T.HELLO, 77);
    const v = dv(f.payload);
    expect(f.payload.length).toBe(32);
    expect(v.getUint8(0)).toBe(1); // protocol
    expect(v.getUint8(1)).toBe(0); // not configured
    expect(v.getUint16(2, true)).toBe(0); // no chunk yet
    expect(v.getUint32(8, true)).toBe(0xa1b2c3d4); // boot id echoed
    expect(v.getUint32(12, true)).toBe(m.e.memory_limit());
    expect(m.e.memory_limit()).toBeGreaterThan(0);
    expect(m.e.memory_limit()).toBeLessThanOrEqual(m.e.memory.buffer.byteLength);
    expect(v.getUint16(16, true)).toBe(160); // the unconfigured receive payload
    expect(v.getUint16(18, true)).toBe(192); // the largest reply payload
    expect(v.getUint32(24, true)).toBe(0); // rows trained
    expect(v.getUint32(28, true)).toBe(0); // steps
    const banner = Buffer.from(m.banner).toString("latin1");
    expect(banner).toContain(` bu=${v.getUint32(4, true).toString(16).padStart(8, "0")} `);
    expect(banner).toContain(" bo=a1b2c3d4");
    expect(banner).toContain(" pr=1 ");
  });

  it("reports the memory limit given at boot, in the banner too", () => {
    const m = new ModuleBoard(5, 50_000);
    const f = expectReply(m.one(T.HELLO, 0), T.HELLO, 0);
    expect(dv(f.payload).getUint32(12, true)).toBe(50_000);
    expect(Buffer.from(m.banner).toString("latin1")).toContain(" me=50000 ");
  });

  it("after CONFIGURE: configured, the chunk as the largest row count, the receive payload the chunk needs", () => {
    const { m, seq } = session(200);
    const f = expectReply(m.one(T.HELLO, seq), T.HELLO, seq);
    const v = dv(f.payload);
    expect(v.getUint8(1)).toBe(1);
    expect(v.getUint16(2, true)).toBe(8);
    expect(v.getUint16(16, true)).toBe(Math.max(160, 8 + 8 * ROW * 4));
  });

  it("starts the session at seq + 1, wrapping at 16 bits", () => {
    const m = new ModuleBoard(9, 0);
    expectReply(m.one(T.HELLO, 0xffff), T.HELLO, 0xffff);
    const c = expectReply(m.one(T.CONFIGURE, 0, configBlock(NET)), T.CONFIGURE, 0);
    expect(c.payload[0]).toBe(S.OK);
    expectReply(m.one(T.SET_LR, 1, lrPayload(0.5)), T.SET_LR, 1);
    // A later HELLO restarts the sequence anywhere.
    expectReply(m.one(T.HELLO, 1000), T.HELLO, 1000);
    expectReply(m.one(T.SET_LR, 1001, lrPayload(0.5)), T.SET_LR, 1001);
  });
});

describe("CONFIGURE", () => {
  it("accepts a model that fits and answers with the plan, as the module and the host compute it", () => {
    const m = new ModuleBoard(11, 0);
    m.one(T.HELLO, 0);
    const spec: NetSpec = { sizes: [16, 32, 32, 4], loss: "ce", opt: "adam", chunk: 32 };
    const f = expectReply(m.one(T.CONFIGURE, 1, configBlock(spec)), T.CONFIGURE, 1);
    const v = dv(f.payload);
    const u = (o: number) => v.getUint32(o, true);
    expect(f.payload.length).toBe(44);
    expect(v.getUint8(0)).toBe(S.OK);
    expect(m.e.is_configured()).toBe(1);
    expect(m.e.param_count()).toBe(32 * 17 + 32 * 33 + 4 * 33);
    const got = {
      params_bytes: u(4), grads_bytes: u(8), optimizer_bytes: u(12), activations_bytes: u(16),
      buffers_bytes: u(20), static_bytes: u(24), total_bytes: u(28), input_stats_bytes: u(36), store_bytes: u(40),
    };
    expect(got).toEqual({
      params_bytes: m.e.plan_params(), grads_bytes: m.e.plan_grads(), optimizer_bytes: m.e.plan_optimizer(),
      activations_bytes: m.e.plan_activations(), buffers_bytes: m.e.plan_buffers(), static_bytes: m.e.plan_static(),
      total_bytes: m.e.plan_total(), input_stats_bytes: m.e.plan_input_stats(), store_bytes: m.e.plan_store(),
    });
    expect(got.params_bytes).toBe(1732 * 4);
    expect(got.optimizer_bytes).toBe(2 * 1732 * 4); // Adam: two slots
    expect(got.total_bytes).toBe(got.params_bytes + got.grads_bytes + got.optimizer_bytes + got.activations_bytes + got.buffers_bytes + got.static_bytes);
    const host = computePlan(runConfig(spec), m.e.static_bytes());
    expect(got).toEqual({
      params_bytes: host.params_bytes, grads_bytes: host.grads_bytes, optimizer_bytes: host.optimizer_bytes,
      activations_bytes: host.activations_bytes, buffers_bytes: host.buffers_bytes, static_bytes: host.static_bytes,
      total_bytes: host.total_bytes, input_stats_bytes: host.input_stats_bytes, store_bytes: host.store_bytes,
    });
    expect(u(32)).toBe(m.e.memory_limit());
  });

  it("refuses a model that does not fit (boot limit) with TOO_BIG and the byte counts, and stays unconfigured", () => {
    const limit = 20_000;
    const m = new ModuleBoard(12, limit);
    m.one(T.HELLO, 0);
    const spec: NetSpec = { sizes: [16, 32, 32, 4], loss: "ce", opt: "adam", chunk: 32 };
    const f = expectReply(m.one(T.CONFIGURE, 1, configBlock(spec)), T.CONFIGURE, 1);
    const v = dv(f.payload);
    expect(v.getUint8(0)).toBe(S.TOO_BIG);
    const host = computePlan(runConfig(spec), m.e.static_bytes());
    expect(v.getUint32(4, true)).toBe(host.params_bytes);
    expect(v.getUint32(12, true)).toBe(host.optimizer_bytes);
    expect(v.getUint32(28, true)).toBe(host.total_bytes);
    expect(v.getUint32(28, true)).toBeGreaterThan(limit);
    expect(v.getUint32(32, true)).toBe(limit);
    expect(m.e.is_configured()).toBe(0);
    const h = expectReply(m.one(T.HELLO, 2), T.HELLO, 2);
    expect(h.payload[1]).toBe(0);
    expectError(m.one(T.GET_WEIGHTS, 3, getWeightsPayload(0, 0, 4)), S.NOT_CONFIGURED, T.GET_WEIGHTS, 3, 12);
  });

  it("refuses a model over a limit set with set_memory_limit", () => {
    const m = new ModuleBoard(13, 0);
    m.e.set_memory_limit(8_000);
    m.one(T.HELLO, 0);
    const f = expectReply(m.one(T.CONFIGURE, 1, configBlock({ sizes: [10, 64, 1], loss: "mse", chunk: 16 })), T.CONFIGURE, 1);
    expect(f.payload[0]).toBe(S.TOO_BIG);
    expect(dv(f.payload).getUint32(28, true)).toBeGreaterThan(8_000);
    expect(dv(f.payload).getUint32(32, true)).toBe(8_000);
    expect(m.e.is_configured()).toBe(0);
  });

  it("refuses a bad field with BAD_CONFIG naming its offset; a block of the wrong length is refused, never applied", () => {
    const m = new ModuleBoard(14, 0);
    m.one(T.HELLO, 0);
    const block = configBlock(NET);
    block[2] = 9; // no such loss
    const f = expectReply(m.one(T.CONFIGURE, 1, block), T.CONFIGURE, 1);
    expect(f.payload[0]).toBe(S.BAD_CONFIG);
    expect(dv(f.payload).getInt16(2, true)).toBe(2);
    expect(m.e.is_configured()).toBe(0);
    const short = m.one(T.CONFIGURE, 2, configBlock(NET).subarray(0, 100));
    // Either an ERROR BAD_FRAME or a CONFIGURE reply with status BAD_FRAME: never OK.
    if (short.type === T.ERROR) expectError(short, S.BAD_FRAME, T.CONFIGURE, 2, 14);
    else { expectReply(short, T.CONFIGURE, 2); expect(short.payload[0]).toBe(S.BAD_FRAME); }
    expect(m.e.is_configured()).toBe(0);
  });
});

describe("no session", () => {
  it("answers every request before HELLO with ERROR NO_SESSION, and executes none of them", () => {
    const boot = 0x0badf00d;
    const m = new ModuleBoard(boot, 0);
    const reqs: [number, Uint8Array][] = [
      [T.CONFIGURE, configBlock(NET)], [T.SET_WEIGHTS, setWeightsPayload(0, 0, new Uint8Array(8))],
      [T.GET_WEIGHTS, getWeightsPayload(0, 0, 2)], [T.BATCH, batchPayload(1, 1, [0, 0, 0, 0, 0, 0])],
      [T.EVAL, batchPayload(0, 1, [0, 0, 0, 0])], [T.SET_LR, lrPayload(1)], [T.RESET, new Uint8Array(0)],
      [0x33, new Uint8Array(3)],
    ];
    let seq = 500;
    for (const [type, p] of reqs) {
      const f = m.one(type, seq, p);
      expect(expectError(f, S.NO_SESSION, type, seq, boot)).toBe(0);
      seq++;
    }
    expect(m.e.is_configured()).toBe(0);
    // The first request after HELLO is the one at HELLO's seq + 1, whatever came before.
    expectReply(m.one(T.HELLO, 7), T.HELLO, 7);
    expect(expectReply(m.one(T.CONFIGURE, 8, configBlock(NET)), T.CONFIGURE, 8).payload[0]).toBe(S.OK);
  });

  it("a module that has rebooted (a fresh instance) has no session, whatever seq the host is at", () => {
    const { seq } = session(40, 0x11111111);
    const fresh = new ModuleBoard(0x22222222, 0);
    expectError(fresh.one(T.BATCH, seq, batchPayload(1, 1, randomRows(prng(1), 1, ROW))), S.NO_SESSION, T.BATCH, seq, 0x22222222);
  });
});

describe("exactly once", () => {
  it("a repeated BATCH is answered from the reply cache with identical bytes and trains once", () => {
    const { m, seq: s0 } = session(10);
    let seq = s0;
    expectReply(m.one(T.SET_LR, seq, lrPayload(0.1)), T.SET_LR, seq); seq++;
    const w0 = m.params();
    const rows = randomRows(prng(2), 8, ROW);
    const frame = encodeFrame({ type: T.BATCH, seq, payload: batchPayload(1, 8, rows) });
    const first = m.feed(frame);
    expect(first.length).toBe(1);
    const r1 = expectReply(cobsDecodeFrame(first[0]), T.BATCH, seq);
    expect(r1.payload[0]).toBe(S.OK);
    expect(r1.payload[1]).toBe(1); // stepped
    expect(dv(r1.payload).getUint32(16, true)).toBe(1); // step count
    const w1 = m.params();
    expect(hex(new Uint8Array(w1.buffer))).not.toBe(hex(new Uint8Array(w0.buffer)));
    const again = m.feed(frame);
    expect(again.length).toBe(1);
    expect(hex(again[0])).toBe(hex(first[0])); // the very same bytes
    expect(hex(new Uint8Array(m.params().buffer))).toBe(hex(new Uint8Array(w1.buffer)));
    seq++;
    // Through the protocol too, and against a module that trained the batch exactly once.
    const { floats, next } = readAllWeights(m, seq, m.e.param_count());
    seq = next;
    const once = reference([{ rows, n: 8, ends: true }]);
    expect(hex(new Uint8Array(floats.buffer))).toBe(hex(new Uint8Array(once.buffer)));
    // Still answered from the cache after later requests (it is among the last 4).
    expect(hex(m.feed(frame)[0])).toBe(hex(first[0]));
    expect(hex(new Uint8Array(m.params().buffer))).toBe(hex(new Uint8Array(once.buffer)));
    // The step count says one step.
    const h = expectReply(m.one(T.HELLO, seq), T.HELLO, seq);
    expect(dv(h.payload).getUint32(28, true)).toBe(1);
    expect(dv(h.payload).getUint32(24, true)).toBe(8); // rows trained
  });

  it("a repeated chunk that does not end its batch is not accumulated twice", () => {
    const { m, seq: s0 } = session(300);
    let seq = s0;
    m.one(T.SET_LR, seq++, lrPayload(0.1));
    const rows = randomRows(prng(4), 8, ROW);
    const a = rows.slice(0, 4 * ROW), b = rows.slice(4 * ROW);
    const first = m.feed(encodeFrame({ type: T.BATCH, seq, payload: batchPayload(0, 4, a) }));
    const repeat = m.feed(encodeFrame({ type: T.BATCH, seq, payload: batchPayload(0, 4, a) }));
    expect(hex(repeat[0])).toBe(hex(first[0]));
    seq++;
    const last = expectReply(m.one(T.BATCH, seq, batchPayload(1, 4, b)), T.BATCH, seq);
    expect(last.payload[1]).toBe(1);
    m.one(T.BATCH, seq, batchPayload(1, 4, b)); // and the batch's end, repeated
    const want = reference([{ rows: a, n: 4, ends: false }, { rows: b, n: 4, ends: true }]);
    expect(hex(new Uint8Array(m.params().buffer))).toBe(hex(new Uint8Array(want.buffer)));
  });

  it("a repeat older than the cache is refused with OUT_OF_ORDER, never executed", () => {
    const { m, seq: s0 } = session(20);
    let seq = s0;
    const batchSeq = seq;
    const frame = encodeFrame({ type: T.BATCH, seq: batchSeq, payload: batchPayload(1, 8, randomRows(prng(5), 8, ROW)) });
    m.feed(frame);
    seq++;
    for (let k = 0; k < 4; k++) { expectReply(m.one(T.SET_LR, seq, lrPayload(0.1)), T.SET_LR, seq); seq++; }
    const w = hex(m.modelBytes());
    const f = m.feed(frame).map(cobsDecodeFrame);
    expect(f.length).toBe(1);
    expect(expectError(f[0], S.OUT_OF_ORDER, T.BATCH, batchSeq, 0x5eed0001)).toBe(seq);
    expect(hex(m.modelBytes())).toBe(w);
    // The expected one still works.
    expectReply(m.one(T.SET_LR, seq, lrPayload(0.1)), T.SET_LR, seq);
  });

  it("HELLO clears the reply cache: an old request repeated after it is refused, not replayed or executed", () => {
    const { m, seq: s0 } = session(60);
    let seq = s0;
    const frame = encodeFrame({ type: T.BATCH, seq, payload: batchPayload(1, 8, randomRows(prng(6), 8, ROW)) });
    m.feed(frame);
    const batchSeq = seq++;
    expectReply(m.one(T.HELLO, seq), T.HELLO, seq);
    seq++;
    const w = hex(m.modelBytes());
    const f = m.feed(frame).map(cobsDecodeFrame);
    expect(f.length).toBe(1);
    expect(expectError(f[0], S.OUT_OF_ORDER, T.BATCH, batchSeq, 0x5eed0001)).toBe(seq);
    expect(hex(m.modelBytes())).toBe(w);
  });

  it("a frame from the future is refused with OUT_OF_ORDER naming the expected seq; nothing moves", () => {
    const { m, seq } = session(0xfff0);
    const w = hex(m.modelBytes());
    for (const ahead of [1, 2, 5, 1000, 0x7fff]) {
      for (const type of [T.BATCH, T.SET_WEIGHTS, T.GET_WEIGHTS, T.EVAL, T.SET_LR, T.RESET, T.CONFIGURE]) {
        const payload = type === T.BATCH ? batchPayload(1, 1, randomRows(prng(7), 1, ROW))
          : type === T.EVAL ? batchPayload(0, 1, [0, 0, 0, 0]) : type === T.GET_WEIGHTS ? getWeightsPayload(0, 0, 3)
            : type === T.SET_WEIGHTS ? setWeightsPayload(0, 0, new Uint8Array(8)) : type === T.SET_LR ? lrPayload(3)
              : type === T.CONFIGURE ? configBlock({ ...NET, seed: 99 }) : new Uint8Array(0);
        const s = (seq + ahead) & 0xffff;
        expect(expectError(m.one(type, s, payload), S.OUT_OF_ORDER, type, s, 0x5eed0001)).toBe(seq & 0xffff);
      }
    }
    expect(hex(m.modelBytes())).toBe(w);
    expect(m.e.get_lr()).toBe(0.1);
    // The expected seq is where it was.
    expectReply(m.one(T.SET_LR, seq, lrPayload(0.2)), T.SET_LR, seq);
  });

  it("GET_WEIGHTS and EVAL a little behind are executed again (reads), answering what the board holds now", () => {
    const { m, seq: s0 } = session(100);
    let seq = s0;
    const get = encodeFrame({ type: T.GET_WEIGHTS, seq, payload: getWeightsPayload(0, 0, 46) });
    const a = m.feed(get).map(cobsDecodeFrame);
    const getSeq = seq++;
    expectReply(a[0], T.GET_WEIGHTS, getSeq);
    const b = m.feed(get).map(cobsDecodeFrame);
    expect(b.length).toBe(1);
    expect(hex(b[0].payload)).toBe(hex(a[0].payload));
    // Change the weights, then repeat the read (2 behind): it is executed again.
    const fresh = randBytes(prng(8), 46 * 4, true);
    expectReply(m.one(T.SET_WEIGHTS, seq, setWeightsPayload(0, 0, fresh)), T.SET_WEIGHTS, seq);
    seq++;
    const c = m.feed(get).map(cobsDecodeFrame);
    expectReply(c[0], T.GET_WEIGHTS, getSeq);
    expect(hex(c[0].payload.subarray(8))).toBe(hex(fresh));
    // EVAL a little behind: answered again with the same outputs.
    const evalFrame = encodeFrame({ type: T.EVAL, seq, payload: batchPayload(0, 3, randomRows(prng(9), 3, 4)) });
    const e1 = m.feed(evalFrame).map(cobsDecodeFrame);
    const evalSeq = seq++;
    expectReply(e1[0], T.EVAL, evalSeq);
    m.one(T.SET_LR, seq++, lrPayload(0.1));
    const e2 = m.feed(evalFrame).map(cobsDecodeFrame);
    expectReply(e2[0], T.EVAL, evalSeq);
    expect(hex(e2[0].payload.subarray(8))).toBe(hex(e1[0].payload.subarray(8)));
    // None of this moved the sequence.
    expectReply(m.one(T.SET_LR, seq, lrPayload(0.1)), T.SET_LR, seq);
    seq++;
    // Far behind (more than 4): refused.
    expectError(m.one(T.GET_WEIGHTS, seq - 8, getWeightsPayload(0, 0, 46)), S.OUT_OF_ORDER, T.GET_WEIGHTS, (seq - 8) & 0xffff, 0x5eed0001);
  });

  it("EVAL (a read, executed again when repeated) never touches the optimizer: flag 4 (set the step count) is BATCH's", () => {
    const { m, seq: s0 } = session(170);
    let seq = s0;
    m.one(T.SET_LR, seq++, lrPayload(0.1));
    m.one(T.BATCH, seq++, batchPayload(1, 8, randomRows(prng(21), 8, ROW)));
    expect(m.e.step_count()).toBe(1);
    const before = hex(m.modelBytes());
    for (const flags of [4, 6, 0xff]) {
      const f = m.one(T.EVAL, seq, batchPayload(flags, 2, randomRows(prng(22), 2, flags & 2 ? ROW : 4), 12345));
      expect(f.type === (T.EVAL | T.REPLY) || f.type === T.ERROR).toBe(true);
      if (f.type !== T.ERROR) seq++;
      expect(m.e.step_count(), `EVAL with flags 0x${flags.toString(16)} set the step count`).toBe(1);
    }
    expect(hex(m.modelBytes())).toBe(before);
  });

  it("errors executed in order are cached like replies (a repeat gets the same ERROR bytes)", () => {
    const { m, seq } = session(150);
    const bad = encodeFrame({ type: T.BATCH, seq, payload: batchPayload(1, 0, []) }); // 0 rows
    const a = m.feed(bad);
    expectError(cobsDecodeFrame(a[0]), S.BAD_ROWS, T.BATCH, seq, 0x5eed0001);
    expect(hex(m.feed(bad)[0])).toBe(hex(a[0]));
    expectReply(m.one(T.SET_LR, seq + 1, lrPayload(0.1)), T.SET_LR, seq + 1);
  });
});

describe("frames the module must drop without a reply and without a change", () => {
  function check(m: ModuleBoard, seq: number, bytes: Uint8Array, what: string) {
    const before = hex(m.modelBytes());
    expect(m.feed(bytes), what).toEqual([]);
    expect(hex(m.modelBytes()), what).toBe(before);
    // The expected seq is unchanged: the very request executes now.
    const rows = randomRows(prng(seq), 8, ROW);
    const f = expectReply(m.one(T.BATCH, seq, batchPayload(1, 8, rows)), T.BATCH, seq);
    expect(f.payload[0]).toBe(S.OK);
    expect(hex(m.modelBytes())).not.toBe(before);
  }

  function rawFrame(type: number, seq: number, payload: Uint8Array): Uint8Array {
    const enc = encodeFrame({ type, seq, payload });
    return cobsDecode(enc.subarray(0, enc.length - 1))!;
  }

  it("a bad CRC (every byte of the frame in turn)", () => {
    const { m, seq: s0 } = session(30);
    let seq = s0;
    const raw = rawFrame(T.BATCH, seq, batchPayload(1, 8, randomRows(prng(10), 8, ROW)));
    for (const at of [0, 1, 2, 3, 4, 5, 20, raw.length - 5, raw.length - 4, raw.length - 1]) {
      const bad = raw.slice();
      bad[at] ^= 0x10;
      check(m, seq, cobsEncode(bad), `byte ${at} flipped`);
      seq++;
      raw.set(rawFrame(T.BATCH, seq, batchPayload(1, 8, randomRows(prng(10), 8, ROW))));
    }
  });

  it("a truncated frame, a frame with bytes added, a length field that lies (CRC right for the bytes)", () => {
    const { m, seq: s0 } = session(31);
    let seq = s0;
    const raw = rawFrame(T.BATCH, seq, batchPayload(1, 8, randomRows(prng(11), 8, ROW)));
    const enc = cobsEncode(raw);
    check(m, seq++, Uint8Array.from([...enc.subarray(0, enc.length - 3), 0]), "COBS bytes cut");
    const raw2 = rawFrame(T.BATCH, seq, batchPayload(1, 8, randomRows(prng(12), 8, ROW)));
    check(m, seq++, cobsEncode(raw2.subarray(0, raw2.length - 1)), "last CRC byte missing");
    const raw3 = rawFrame(T.BATCH, seq, batchPayload(1, 8, randomRows(prng(13), 8, ROW)));
    check(m, seq++, cobsEncode(Uint8Array.from([...raw3, 0x42])), "a byte added");
    // The header says 4 rows fewer than the frame holds, and the CRC covers what is there.
    const body = rawFrame(T.BATCH, seq, batchPayload(1, 8, randomRows(prng(14), 8, ROW))).subarray(0, -4).slice();
    dv(body).setUint16(3, body.length - 5 - 16, true);
    const lied = new Uint8Array(body.length + 4);
    lied.set(body);
    dv(lied).setUint32(body.length, crc32(body), true);
    check(m, seq++, cobsEncode(lied), "length field lies");
    check(m, seq++, cobsEncode(new Uint8Array([T.HELLO, 1, 0])), "a runt");
    check(m, seq++, Uint8Array.from([1, 1, 1, 0]), "COBS of zeros only");
    check(m, seq++, Uint8Array.from([0x05, 0x01, 0x02, 0]), "malformed COBS");
  });

  it("an over-long frame (more than the receive buffer), noise or with a valid CRC, and resynchronises after it", () => {
    const { m, seq: s0 } = session(32);
    let seq = s0;
    const cap = m.e.rx_capacity();
    check(m, seq++, Uint8Array.from([...randBytes(prng(15), 3 * cap + 17, true), 0]), "noise longer than rx");
    // A well-formed BATCH of 4x the chunk: its CRC is right but no board buffer holds it.
    const big = encodeFrame({ type: T.BATCH, seq, payload: batchPayload(1, 32, randomRows(prng(16), 32, ROW)) });
    expect(big.length).toBeGreaterThan(cap);
    check(m, seq++, big, "valid CRC, too long");
    // An over-long frame and a good one in the same write: the good one is answered.
    const rows = randomRows(prng(17), 8, ROW);
    const replies = m.feed(Uint8Array.from([...randBytes(prng(18), 2 * cap, true), 0, ...encodeFrame({ type: T.BATCH, seq, payload: batchPayload(1, 8, rows) })]));
    expect(replies.length).toBe(1);
    expectReply(cobsDecodeFrame(replies[0]), T.BATCH, seq);
  });

  it("the largest frame the plan allows fits: a BATCH of exactly the chunk's rows", () => {
    const { m, seq } = session(33);
    const f = expectReply(m.one(T.BATCH, seq, batchPayload(1, 8, randomRows(prng(19), 8, ROW))), T.BATCH, seq);
    expect(f.payload[0]).toBe(S.OK);
    expect(dv(f.payload).getUint16(2, true)).toBe(8);
    // And one row more is refused (too long for rx, or BAD_ROWS), without training.
    const before = hex(m.modelBytes());
    const r = m.send(T.BATCH, seq + 1, batchPayload(1, 9, randomRows(prng(20), 9, ROW)));
    if (r.length) expectError(r[0], S.BAD_ROWS, T.BATCH, seq + 1, 0x5eed0001);
    expect(hex(m.modelBytes())).toBe(before);
  });
});

function cobsDecodeFrame(wire: Uint8Array): Frame {
  const raw = cobsDecode(wire.subarray(0, wire.length - 1));
  if (!raw) throw new Error(`reply is not COBS: ${hex(wire)}`);
  const v = dv(raw);
  const len = v.getUint16(3, true);
  expect(len).toBe(raw.length - 9);
  expect(v.getUint32(5 + len, true)).toBe(crc32(raw.subarray(0, 5 + len)));
  return { type: raw[0], seq: v.getUint16(1, true), payload: raw.slice(5, 5 + len) };
}
