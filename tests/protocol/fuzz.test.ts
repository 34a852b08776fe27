// Fuzzing the module's protocol entry (rx) with >100,000 random and mutated
// frames. A reference model of the documented sequence rules predicts, for
// every input, whether a reply must come and which:
//   - damaged frames (bit flips, truncation, extension, header fields changed
//     without fixing the CRC, COBS damage, noise, over-long) get no reply;
//   - well-formed frames (built with the host encoder, so they pass the CRC and
//     reach the command handlers, with garbage or near-valid payloads for every
//     type) get exactly one reply, well-formed, with their seq, of their type
//     | 0x80 or ERROR - or, for a repeat of a cached seq, the cached bytes.
// Phase A keeps the model fixed (mutating types are only ever sent with seqs
// the board will not execute) and checks weights, optimizer state, step count,
// learning rate and configuration are untouched; phase B lets everything
// execute (CONFIGURE, RESET, garbage BATCHes at the expected seq) and checks
// only that nothing traps and every reply is right. Seeded: failures replay.
import { describe, expect, it } from "vitest";
import { encodeFrame, type Frame } from "../../host/protocol/frame";
import { cobsDecode, cobsEncode } from "../../host/protocol/cobs";
import {
  ModuleBoard, S, T, batchPayload, configBlock, decodeWire, dv, hex, lrPayload, prng, randBytes, randInt,
  randomRows, type NetSpec,
} from "./support";

const REPLAY_DEPTH = 4;
const REPLAY_PAYLOAD = 56;
const MUTATING = new Set<number>([T.CONFIGURE, T.SET_WEIGHTS, T.BATCH, T.SET_LR, T.RESET]);

/** The documented sequence rules, mirrored: what the board must answer. */
class SeqModel {
  expected = 0;
  cache: ({ seq: number; type: number; wire: Uint8Array } | null)[] = [null, null, null, null];
  next = 0;

  /** A repeat is the same request: the same number and the same type. */
  cached(seq: number, type: number): Uint8Array | null {
    for (const e of this.cache) if (e && e.seq === seq && e.type === type) return e.wire;
    return null;
  }

  /** Before sending a well-formed request: how the board will treat it. */
  classify(type: number, seq: number): "hello" | "execute" | "replay" | "reexecute" | "refuse" {
    if (type === T.HELLO) return "hello";
    if (seq === this.expected) return "execute";
    if (this.cached(seq, type)) return "replay";
    const behind = (this.expected - seq) & 0xffff;
    if (behind <= REPLAY_DEPTH && (type === T.GET_WEIGHTS || type === T.EVAL)) return "reexecute";
    return "refuse";
  }

  /** After the reply: the board's new state. */
  after(kind: string, type: number, seq: number, reply: Frame, wire: Uint8Array): void {
    if (kind === "hello") {
      this.expected = (seq + 1) & 0xffff;
      this.cache = [null, null, null, null];
    } else if (kind === "execute") {
      this.expected = (this.expected + 1) & 0xffff;
      if (reply.payload.length <= REPLAY_PAYLOAD) {
        this.cache[this.next] = { seq, type, wire };
        this.next = (this.next + 1) % REPLAY_DEPTH;
      }
    }
  }
}

interface Ctx {
  r: () => number;
  m: ModuleBoard;
  model: SeqModel;
  phase: "A" | "B";
  counts: Record<string, number>;
  /** The last units sent, for failure messages. */
  recent: string[];
}

const bump = (c: Ctx, k: string) => { c.counts[k] = (c.counts[k] ?? 0) + 1; };

/** A float32 bit pattern: ordinary, special or anything. */
function f32bits(r: () => number): number {
  const k = randInt(r, 10);
  const v = new DataView(new ArrayBuffer(4));
  if (k < 5) v.setFloat32(0, (r() * 4 - 2) * (k === 0 ? 1e6 : 1));
  else if (k === 5) v.setFloat32(0, [NaN, Infinity, -Infinity, 0, -0, 3.4e38, -3.4e38, 1e-45][randInt(r, 8)]);
  else if (k === 6) v.setFloat32(0, randInt(r, 5) - 1); // class labels, -1..3
  else v.setUint32(0, (r() * 0x100000000) >>> 0);
  return v.getUint32(0);
}

function floats(r: () => number, n: number): Uint8Array {
  const b = new Uint8Array(4 * n);
  const v = dv(b);
  for (let i = 0; i < n; i++) v.setUint32(4 * i, f32bits(r), true);
  return b;
}

/** A payload for `type`: right-sized with garbage, near-valid, or random bytes of any length. */
function payloadFor(c: Ctx, type: number, maxPayload: number): Uint8Array {
  const { r } = c;
  const k = randInt(r, 8);
  if (k === 0) return randBytes(r, randInt(r, Math.min(maxPayload + 64, 2000)));
  if (k === 1) return randBytes(r, randInt(r, 24));
  // The widths of the model the board holds (garbage when unconfigured: then anything goes).
  const cfg = new DataView(c.m.e.memory.buffer, c.m.e.config_ptr(), 128);
  const L = cfg.getUint8(1);
  const nIn = L >= 1 && L <= 8 ? Math.min(cfg.getUint16(12, true), 64) : 4;
  const nOut = L >= 1 && L <= 8 ? Math.min(cfg.getUint16(12 + 2 * L, true), 64) : 2;
  const nT = cfg.getUint8(2) === 1 ? 1 : nOut;
  switch (type) {
    case T.CONFIGURE: {
      if (k === 2) return randBytes(r, 128);
      const block = configBlock(randomNet(r));
      const flips = randInt(r, 4);
      for (let i = 0; i < flips; i++) block[randInt(r, 128)] = randInt(r, 256);
      if (randInt(r, 6) === 0) return block.subarray(0, randInt(r, 128)); // wrong length
      return block;
    }
    case T.SET_WEIGHTS: case T.GET_WEIGHTS: {
      const p = new Uint8Array(type === T.GET_WEIGHTS ? (k === 2 ? 8 + randInt(r, 4) : 10) : 8 + 4 * randInt(r, 60) + (k === 2 ? randInt(r, 4) : 0));
      const v = dv(p);
      v.setUint8(0, randInt(r, 5) === 0 ? randInt(r, 256) : randInt(r, 2));
      v.setUint32(4, randInt(r, 4) === 0 ? (r() * 0x100000000) >>> 0 : randInt(r, 200), true);
      if (type === T.GET_WEIGHTS && p.length >= 10) v.setUint16(8, randInt(r, 3) === 0 ? randInt(r, 65536) : randInt(r, 60), true);
      if (type === T.SET_WEIGHTS) p.set(floats(r, (p.length - 8) >> 2), 8);
      return p;
    }
    case T.BATCH: case T.EVAL: {
      const rows = randInt(r, 4) === 0 ? randInt(r, 65536) : randInt(r, 12);
      const width = type === T.EVAL && randInt(r, 2) === 0 ? nIn : nIn + nT;
      const n = Math.min(rows, 40) * width + (k === 2 ? randInt(r, 3) - 1 : 0);
      const p = new Uint8Array(8 + 4 * Math.max(0, n));
      const v = dv(p);
      v.setUint8(0, randInt(r, 4) === 0 ? randInt(r, 256) : randInt(r, 8));
      v.setUint16(2, rows, true);
      v.setUint32(4, (r() * 0x100000000) >>> 0, true);
      p.set(floats(r, Math.max(0, n)), 8);
      return p;
    }
    case T.SET_LR: {
      const p = new Uint8Array(k === 2 ? randInt(r, 16) : 8);
      if (p.length >= 8) dv(p).setFloat64(0, [NaN, -1, Infinity, 0, 1e300, r(), -0][randInt(r, 7)], true);
      return p;
    }
    case T.RESET: return k === 2 ? randBytes(r, randInt(r, 8)) : new Uint8Array(0);
    case T.HELLO: return k === 2 ? randBytes(r, randInt(r, 40)) : new Uint8Array(0);
    default: return randBytes(r, randInt(r, 64));
  }
}

function randomNet(r: () => number): NetSpec {
  const L = 1 + randInt(r, 3);
  const sizes = Array.from({ length: L + 1 }, () => 1 + randInt(r, 12));
  const loss = (["mse", "ce", "bce"] as const)[randInt(r, 3)];
  if (loss === "ce" && sizes[L] < 2) sizes[L] = 2;
  const opt = ["sgd", "momentum", "adagrad", "rmsprop", "adam", "adamw"][randInt(r, 6)];
  return { sizes, loss, opt, act: (["relu", "tanh", "sigmoid", "leaky_relu"] as const)[randInt(r, 4)], chunk: 1 + randInt(r, 10), seed: randInt(r, 1000) };
}

/** Feeds a unit in 1-3 pieces (as a UART would deliver it); any trap fails the test with the input. */
function deliver(c: Ctx, bytes: Uint8Array, what: string): Uint8Array[] {
  c.recent.push(`${what}: ${hex(bytes).slice(0, 120)}`);
  if (c.recent.length > 5) c.recent.shift();
  const cuts = Array.from({ length: randInt(c.r, 3) }, () => randInt(c.r, bytes.length + 1)).sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let at = 0;
  try {
    for (const cut of [...cuts, bytes.length]) {
      out.push(...c.m.feed(bytes.subarray(at, cut)));
      at = cut;
    }
  } catch (err) {
    throw new Error(`phase ${c.phase}: the module trapped on ${what} ${hex(bytes).slice(0, 400)}: ${(err as Error).message}`);
  }
  return out;
}

/** A damaged frame or noise, always ending in a delimiter: the board must stay silent. */
function damaged(c: Ctx): { bytes: Uint8Array; what: string } {
  const { r } = c;
  const type = randInt(r, 3) === 0 ? randInt(r, 256) : 1 + randInt(r, 8);
  const seq = randInt(r, 3) === 0 ? c.model.expected : randInt(r, 65536);
  const enc = encodeFrame({ type, seq, payload: payloadFor(c, type, 300) });
  const raw = cobsDecode(enc.subarray(0, enc.length - 1))!;
  const k = randInt(r, 9);
  let bytes: Uint8Array;
  let what: string;
  if (k === 0) {
    const bad = raw.slice();
    const flips = 1 + randInt(r, 3);
    for (let i = 0; i < flips; i++) { const bit = randInt(r, bad.length * 8); bad[bit >> 3] ^= 1 << (bit & 7); }
    if (hex(bad) === hex(raw)) bad[0] ^= 1; // two flips of one bit cancel: keep it damaged
    bytes = cobsEncode(bad); what = "bit flips";
  } else if (k === 1) {
    bytes = cobsEncode(raw.subarray(0, randInt(r, raw.length))); what = "truncated";
  } else if (k === 2) {
    bytes = cobsEncode(Uint8Array.from([...raw, ...randBytes(r, 1 + randInt(r, 20))])); what = "extended";
  } else if (k === 3) {
    // A header field changed, the CRC left as it was.
    const bad = raw.slice();
    const f = randInt(r, 3);
    if (f === 0) bad[0] ^= 1 + randInt(r, 255);
    else if (f === 1) dv(bad).setUint16(1, (dv(bad).getUint16(1, true) + 1 + randInt(r, 65535)) & 0xffff, true);
    else dv(bad).setUint16(3, (dv(bad).getUint16(3, true) + 1 + randInt(r, 65535)) & 0xffff, true);
    bytes = cobsEncode(bad); what = "header changed";
  } else if (k === 4) {
    // Damage on the wire: a byte of the COBS encoding replaced, dropped or doubled.
    const body = Array.from(enc.subarray(0, enc.length - 1));
    const at = randInt(r, body.length);
    const how = randInt(r, 3);
    if (how === 0) { let v = randInt(r, 256); if (v === body[at]) v ^= 0x40; body[at] = v; }
    else if (how === 1) body.splice(at, 1);
    else body.splice(at, 0, body[at]);
    bytes = Uint8Array.from([...body, 0]); what = "wire damage";
  } else if (k === 5) {
    bytes = Uint8Array.from([...randBytes(r, randInt(r, 300)), 0]); what = "noise";
  } else if (k === 6) {
    bytes = Uint8Array.from([...randBytes(r, 200 + randInt(r, 4000), true), 0]); what = "over-long noise";
  } else if (k === 7) {
    // Noise glued in front of a good frame (no delimiter between): the frame is lost with it.
    bytes = Uint8Array.from([...randBytes(r, 1 + randInt(r, 30), true), ...enc]); what = "noise before a frame";
  } else {
    // A runt or a bare COBS block.
    bytes = Uint8Array.from([...cobsEncode(randBytes(r, randInt(r, 9))).subarray(0, -1), 0]); what = "runt";
  }
  return { bytes, what };
}

/** A well-formed frame; in phase A mutating types get a seq the board will not execute. */
function wellFormed(c: Ctx, rxCap: number): { type: number; seq: number; bytes: Uint8Array } {
  const { r, model } = c;
  const k = randInt(r, 10);
  const type = k < 8 ? 1 + randInt(r, 8) : randInt(r, 256);
  let seq: number;
  const s = randInt(r, 6);
  if (s <= 1) seq = model.expected;
  else if (s === 2) seq = (model.expected - 1 - randInt(r, 6)) & 0xffff; // a little behind: cache, re-execution
  else if (s === 3) seq = (model.expected + 1 + randInt(r, 5)) & 0xffff; // from the future
  else seq = randInt(r, 65536);
  if (c.phase === "A" && MUTATING.has(type) && seq === model.expected) seq = (seq + 1 + randInt(r, 300)) & 0xffff;
  // HELLO restarts the session where it says: rarely, or the other seqs never get executed.
  if (type === T.HELLO && randInt(r, 8) !== 0) return wellFormed(c, rxCap);
  const payload = payloadFor(c, type, rxCap);
  return { type, seq, bytes: encodeFrame({ type, seq, payload }) };
}

function modelState(m: ModuleBoard): string {
  const e = m.e;
  return hex(m.modelBytes()) + hex(new Uint8Array(e.memory.buffer, e.config_ptr(), e.config_bytes())) + `:${e.get_lr()}`;
}

function runUnits(c: Ctx, n: number, checkEvery: number, invariant?: () => void): void {
  for (let i = 0; i < n; i++) {
    const rxCap = c.m.e.rx_capacity();
    if (randInt(c.r, 2) === 0) {
      const { bytes, what } = damaged(c);
      const replies = deliver(c, bytes, what);
      if (replies.length !== 0) throw new Error(`phase ${c.phase} #${i}: a reply to a ${what} frame ${hex(bytes).slice(0, 200)}: ${replies.map(hex).join(" ")}`);
      bump(c, `damaged: ${what}`);
    } else {
      const { type, seq, bytes } = wellFormed(c, rxCap);
      const kind = c.model.classify(type, seq);
      const replies = deliver(c, bytes, `type 0x${type.toString(16)} seq ${seq}`);
      if (bytes.length > rxCap) {
        // No board buffer holds it: dropped, and nothing moves.
        if (replies.length !== 0) throw new Error(`phase ${c.phase} #${i}: a reply to an over-long frame (${bytes.length} > ${rxCap} bytes)`);
        bump(c, "well-formed but over-long");
      } else {
        const where = `phase ${c.phase} #${i}: type 0x${type.toString(16)} seq ${seq} (${kind}, expected ${c.model.expected})`;
        if (replies.length !== 1) throw new Error(`${where}: ${replies.length} replies`);
        const f = decodeWire(replies[0]);
        if (!f) throw new Error(`${where}: malformed reply ${hex(replies[0])}`);
        if (f.seq !== seq) throw new Error(`${where}: reply seq ${f.seq}`);
        if (kind === "replay") {
          const want = c.model.cached(seq, type)!;
          if (hex(replies[0]) !== hex(want)) throw new Error(`${where}: not the cached reply: ${hex(replies[0])} vs ${hex(want)}`);
        } else {
          if (f.type !== (type | T.REPLY) && f.type !== T.ERROR) throw new Error(`${where}: reply type 0x${f.type.toString(16)}`);
          if (f.type === T.ERROR) {
            if (f.payload.length !== 8 || f.payload[1] !== type) throw new Error(`${where}: bad ERROR payload ${hex(f.payload)}`);
            if (dv(f.payload).getUint32(4, true) !== c.m.bootId) throw new Error(`${where}: ERROR without the boot id`);
            if (f.payload[0] === S.NO_SESSION) throw new Error(`${where}: NO_SESSION inside a session`);
          }
          if (kind === "hello" && f.type !== (T.HELLO | T.REPLY)) throw new Error(`${where}: HELLO answered with 0x${f.type.toString(16)}`);
          if (kind === "refuse") {
            if (f.type !== T.ERROR || f.payload[0] !== S.OUT_OF_ORDER) throw new Error(`${where}: expected OUT_OF_ORDER, got 0x${f.type.toString(16)} ${hex(f.payload)}`);
            if (dv(f.payload).getUint16(2, true) !== c.model.expected) throw new Error(`${where}: OUT_OF_ORDER names ${dv(f.payload).getUint16(2, true)}`);
          } else if (f.type === T.ERROR && f.payload[0] === S.OUT_OF_ORDER) {
            throw new Error(`${where}: refused with OUT_OF_ORDER`);
          }
        }
        c.model.after(kind, type, seq, f, replies[0]);
        bump(c, `well-formed ${kind}`);
        bump(c, `type 0x${type.toString(16).padStart(2, "0")}${f.type === T.ERROR ? ` ERROR ${f.payload[0]}` : ""}`);
      }
    }
    // Nothing lingers in the receive buffer between units (each ends with a delimiter).
    if (i % 97 === 0 && deliver(c, new Uint8Array([0]), "a lone delimiter").length !== 0) throw new Error("a reply to an empty frame");
    if (invariant && (i % checkEvery === 0 || i === n - 1)) invariant();
  }
}

describe("fuzzing the module's protocol entry", () => {
  it("phase A: 100,000 random and mutated frames never trap it, never change the model, every reply well-formed", { timeout: 120_000 }, () => {
    const m = new ModuleBoard(0x0f0f1234, 0);
    const model = new SeqModel();
    // A configured, trained model with optimizer state (Adam), mid-session.
    const net: NetSpec = { sizes: [4, 8, 2], act: "tanh", loss: "mse", opt: "adam", optimizer: { lr: 0.01 }, chunk: 8, seed: 4 };
    let seq = 900;
    const must = (f: Frame, type: number) => { if (f.type !== (type | T.REPLY)) throw new Error(`setup: 0x${f.type.toString(16)} ${hex(f.payload)}`); return f; };
    must(m.one(T.HELLO, seq++), T.HELLO);
    expect(must(m.one(T.CONFIGURE, seq++, configBlock(net)), T.CONFIGURE).payload[0]).toBe(S.OK);
    must(m.one(T.SET_LR, seq++, lrPayload(0.01)), T.SET_LR);
    for (let b = 0; b < 3; b++) must(m.one(T.BATCH, seq++, batchPayload(1, 8, randomRows(prng(b), 8, 6))), T.BATCH);
    // Start the model over with a fresh HELLO so its cache is what it knows.
    must(m.one(T.HELLO, seq), T.HELLO);
    model.expected = (seq + 1) & 0xffff;
    const before = modelState(m);
    expect(m.e.step_count()).toBe(3);
    const c: Ctx = { r: prng(0xf00d), m, model, phase: "A", counts: {}, recent: [] };
    runUnits(c, 100_000, 1, () => {
      const now = modelState(m);
      if (now !== before) throw new Error(`the model changed; the last frames sent:\n${c.recent.join("\n")}`);
    });
    expect(modelState(m)).toBe(before);
    // Every path was taken, many times.
    const total = Object.entries(c.counts).filter(([k]) => k.startsWith("damaged") || k.startsWith("well-formed")).reduce((s, [, v]) => s + v, 0);
    expect(total).toBe(100_000);
    for (const k of ["damaged: bit flips", "damaged: truncated", "damaged: extended", "damaged: header changed", "damaged: wire damage",
      "damaged: noise", "damaged: over-long noise", "damaged: noise before a frame", "damaged: runt",
      "well-formed execute", "well-formed replay", "well-formed reexecute", "well-formed refuse", "well-formed hello", "well-formed but over-long"]) {
      expect(c.counts[k] ?? 0, `${k} (counts: ${JSON.stringify(c.counts)})`).toBeGreaterThan(100);
    }
    // The command handlers were reached: replies to reads, and refusals from their checks.
    for (const k of ["type 0x04", "type 0x06", "type 0x04 ERROR 5", "type 0x06 ERROR 7"]) {
      expect(c.counts[k] ?? 0, `${k} (counts: ${JSON.stringify(c.counts)})`).toBeGreaterThan(20);
    }
    // Still a working board: the expected request executes and trains.
    const f = m.one(T.BATCH, model.expected, batchPayload(1, 8, randomRows(prng(99), 8, 6)));
    expect(f.type).toBe(T.BATCH | T.REPLY);
    expect(modelState(m)).not.toBe(before);
  });

  it("phase B: 30,000 well-formed and damaged frames that do execute (CONFIGURE, RESET, garbage BATCH/SET_WEIGHTS) never trap it", { timeout: 120_000 }, () => {
    const m = new ModuleBoard(0x0b0b0b0b, 0);
    const model = new SeqModel();
    const c: Ctx = { r: prng(0xbeef), m, model, phase: "B", counts: {}, recent: [] };
    m.one(T.HELLO, 0xfffe);
    model.expected = 0xffff;
    let configuredSeen = 0;
    for (let round = 0; round < 30; round++) {
      // Now and then a sane configuration, so training and reads run on real models too.
      const seq = model.expected;
      const wire = m.feed(encodeFrame({ type: T.CONFIGURE, seq, payload: configBlock(randomNet(c.r)) }));
      const f = wire.length === 1 ? decodeWire(wire[0]) : null;
      if (!f || f.type !== (T.CONFIGURE | T.REPLY)) throw new Error(`CONFIGURE answered with ${wire.map(hex).join(" ")}`);
      model.after("execute", T.CONFIGURE, seq, f, wire[0]);
      runUnits(c, 1000, 1000);
      if (m.e.is_configured()) configuredSeen++;
    }
    expect(c.counts["well-formed execute"]).toBeGreaterThan(3000);
    for (const k of ["type 0x02", "type 0x03", "type 0x05", "type 0x08", "type 0x05 ERROR 4", "type 0x05 ERROR 7"]) {
      expect(c.counts[k] ?? 0, `${k} (counts: ${JSON.stringify(c.counts)})`).toBeGreaterThan(10);
    }
    expect(configuredSeen).toBeGreaterThan(0);
    // And it still answers a HELLO properly.
    const h = m.one(T.HELLO, 5);
    expect(h.type).toBe(T.HELLO | T.REPLY);
    expect(dv(h.payload).getUint32(8, true)).toBe(0x0b0b0b0b);
  });
});
