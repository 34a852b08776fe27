// Framing: the host's COBS, CRC-32 and frame codec, the FrameSplitter on a
// noisy, chunked byte stream, and the module's own COBS/CRC held against the
// host's by passing frames through the real module.
import { describe, expect, it } from "vitest";
import * as zlib from "node:zlib";
import { cobsDecode, cobsEncode } from "../../host/protocol/cobs";
import { crc32 } from "../../host/protocol/crc32";
import { decodeFrame, encodeFrame, type Frame } from "../../host/protocol/frame";
import { FrameSplitter } from "../../host/protocol/frame-splitter";
import {
  ModuleBoard, S, T, configBlock, crcBitwise, decodeWire, dv, getWeightsPayload, hex, prng, randBytes, randInt,
  setWeightsPayload,
} from "./support";

const b = (...xs: number[]) => Uint8Array.from(xs);
const range = (from: number, to: number) => Uint8Array.from({ length: to - from + 1 }, (_, i) => from + i);
const cat = (...parts: Uint8Array[]) => Uint8Array.from(Buffer.concat(parts));

/** Buffers that stress COBS: random, zero runs, and the 254/255-byte block edges. */
function cobsCorpus(): Uint8Array[] {
  const r = prng(11);
  const out: Uint8Array[] = [new Uint8Array(0), b(0), b(0, 0), b(1), b(0xff)];
  for (const n of [1, 2, 3, 253, 254, 255, 256, 507, 508, 509, 510, 762, 1000]) {
    out.push(new Uint8Array(n)); // all zeros
    out.push(new Uint8Array(n).fill(0xff)); // no zeros at all
    out.push(randBytes(r, n, true)); // random, no zeros
    out.push(randBytes(r, n)); // random
    const z = randBytes(r, n, true);
    z[n - 1] = 0; // a zero at the end
    out.push(z);
    const y = randBytes(r, n, true);
    y[0] = 0; // a zero at the start
    out.push(y);
    if (n > 254) {
      const w = randBytes(r, n, true);
      w[254] = 0; // a zero right after a full block
      out.push(w);
      const v = randBytes(r, n, true);
      v[253] = 0; // a zero as the last byte of a would-be full block
      out.push(v);
    }
  }
  for (let k = 0; k < 300; k++) {
    // runs of zeros and of non-zeros of random lengths around the block size
    const parts: number[] = [];
    const len = randInt(r, 1200);
    while (parts.length < len) {
      const run = randInt(r, 4) === 0 ? 250 + randInt(r, 10) : randInt(r, 20);
      const zero = randInt(r, 2) === 0;
      for (let i = 0; i < run && parts.length < len; i++) parts.push(zero ? 0 : 1 + randInt(r, 255));
    }
    out.push(Uint8Array.from(parts));
  }
  return out;
}

describe("COBS (host)", () => {
  it("encodes the reference vectors (Cheshire & Baker) exactly", () => {
    expect(hex(cobsEncode(b(0x00)))).toBe("010100");
    expect(hex(cobsEncode(b(0x00, 0x00)))).toBe("01010100");
    expect(hex(cobsEncode(b(0x00, 0x11, 0x00)))).toBe("0102110100");
    expect(hex(cobsEncode(b(0x11, 0x22, 0x00, 0x33)))).toBe("031122023300");
    expect(hex(cobsEncode(b(0x11, 0x22, 0x33, 0x44)))).toBe("051122334400");
    expect(hex(cobsEncode(b(0x11, 0x00, 0x00, 0x00)))).toBe("021101010100");
    // 255 bytes 0x00..0xFE: 01 FF 01..FE 00 canonically; an encoder may also close the
    // full block with an empty 01 block (Cheshire & Baker's reference code does) - both decode alike.
    expect(["01ff" + hex(range(0x01, 0xfe)) + "00", "01ff" + hex(range(0x01, 0xfe)) + "0100"]).toContain(hex(cobsEncode(range(0x00, 0xfe))));
    // 255 bytes 0x01..0xFF: FF 01..FE 02 FF 00
    expect(hex(cobsEncode(range(0x01, 0xff)))).toBe("ff" + hex(range(0x01, 0xfe)) + "02ff00");
    // 255 bytes 0x02..0xFF 0x00: FF 02..FF 01 01 00
    expect(hex(cobsEncode(cat(range(0x02, 0xff), b(0))))).toBe("ff" + hex(range(0x02, 0xff)) + "010100");
    // 255 bytes 0x03..0xFF 0x00 0x01: FE 03..FF 02 01 00
    expect(hex(cobsEncode(cat(range(0x03, 0xff), b(0, 1))))).toBe("fe" + hex(range(0x03, 0xff)) + "020100");
  });

  it("decodes both spellings of an exact 254-byte block (with and without the trailing 01 code)", () => {
    const data = range(0x01, 0xfe);
    const canonical = cat(b(0xff), data); // FF 01..FE (Wikipedia's form)
    const withTail = cat(b(0xff), data, b(0x01)); // what a simple encoder emits
    expect(hex(cobsDecode(canonical)!)).toBe(hex(data));
    expect(hex(cobsDecode(withTail)!)).toBe(hex(data));
    const enc = cobsEncode(data);
    expect(hex(cobsDecode(enc.subarray(0, enc.length - 1))!)).toBe(hex(data));
  });

  it("round-trips random buffers, zero runs and block boundaries; the encoding holds no 0x00 but its delimiter", () => {
    const corpus = cobsCorpus();
    expect(corpus.length).toBeGreaterThan(350);
    for (const data of corpus) {
      const enc = cobsEncode(data);
      expect(enc[enc.length - 1]).toBe(0);
      const body = enc.subarray(0, enc.length - 1);
      expect(body.includes(0), `0x00 inside the encoding of ${data.length} bytes`).toBe(false);
      // At most one code byte per started 254-byte block, plus one.
      expect(body.length).toBeLessThanOrEqual(data.length + Math.floor(data.length / 254) + 1);
      const dec = cobsDecode(body);
      expect(dec, `decode of ${data.length} bytes`).not.toBeNull();
      expect(hex(dec!)).toBe(hex(data));
    }
  });

  it("rejects malformed encodings (a zero code byte, a block running past the end)", () => {
    expect(cobsDecode(b(0x00))).toBeNull();
    expect(cobsDecode(b(0x03, 0x11, 0x00, 0x22))).toBeNull();
    expect(cobsDecode(b(0x05, 0x11, 0x22))).toBeNull();
    expect(cobsDecode(b(0xff, 0x01))).toBeNull();
  });
});

describe("CRC-32 (host)", () => {
  it("matches the standard check values", () => {
    const ascii = (s: string) => new TextEncoder().encode(s);
    expect(crc32(ascii("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(ascii("a"))).toBe(0xe8b7be43);
    expect(crc32(ascii("The quick brown fox jumps over the lazy dog"))).toBe(0x414fa339);
    expect(crc32(new Uint8Array(32))).toBe(0x190a55ad);
    expect(crc32(new Uint8Array(32).fill(0xff))).toBe(0xff6cab0b);
  });

  it("agrees with zlib (or, where Node lacks zlib.crc32, a bitwise reference) on random buffers", () => {
    const r = prng(5);
    const zcrc = (zlib as { crc32?: (d: Uint8Array) => number }).crc32;
    for (let k = 0; k < 500; k++) {
      const data = randBytes(r, randInt(r, 700));
      const want = zcrc ? zcrc(data) >>> 0 : crcBitwise(data);
      expect(crc32(data)).toBe(want);
      expect(crcBitwise(data)).toBe(want);
    }
  });
});

describe("frames (host codec)", () => {
  it("round-trip every type, sequence numbers (wrapping at 16 bits) and payload sizes", () => {
    const r = prng(9);
    for (let k = 0; k < 600; k++) {
      const f: Frame = { type: randInt(r, 256), seq: randInt(r, 0x10000), payload: randBytes(r, randInt(r, 600)) };
      const enc = encodeFrame(f);
      expect(enc[enc.length - 1]).toBe(0);
      expect(enc.subarray(0, enc.length - 1).includes(0)).toBe(false);
      const d = decodeFrame(enc.subarray(0, enc.length - 1));
      expect(d).not.toBeNull();
      expect(d!.type).toBe(f.type);
      expect(d!.seq).toBe(f.seq);
      expect(hex(d!.payload)).toBe(hex(f.payload));
    }
    expect(decodeFrame(encodeFrame({ type: 5, seq: 0x10003, payload: b(1) }).slice(0, -1))!.seq).toBe(3);
  });

  it("lays the frame out as [type][seq u16][len u16][payload][crc32 u32], little-endian, CRC over type..payload", () => {
    const enc = encodeFrame({ type: 0x05, seq: 0x0201, payload: b(0xaa, 0xbb, 0xcc) });
    const raw = cobsDecode(enc.subarray(0, enc.length - 1))!;
    expect(hex(raw.subarray(0, 8))).toBe("0501020300aabbcc");
    expect(dv(raw).getUint32(8, true)).toBe(crc32(raw.subarray(0, 8)));
    expect(raw.length).toBe(12);
  });

  it("rejects every single-bit error, every truncation, a wrong length field and runts", () => {
    const r = prng(3);
    for (let k = 0; k < 30; k++) {
      const payload = randBytes(r, randInt(r, 80));
      const raw = cobsDecode(encodeFrame({ type: 1 + randInt(r, 8), seq: randInt(r, 65536), payload }).slice(0, -1))!;
      for (let bit = 0; bit < raw.length * 8; bit++) {
        const bad = raw.slice();
        bad[bit >> 3] ^= 1 << (bit & 7);
        expect(decodeFrame(cobsEncode(bad).slice(0, -1)), `bit ${bit}`).toBeNull();
      }
      for (let n = 0; n < raw.length; n++) expect(decodeFrame(cobsEncode(raw.subarray(0, n)).slice(0, -1))).toBeNull();
      // A length field that disagrees with the bytes, with a CRC that is right for them.
      const lied = raw.slice(0, raw.length - 4);
      dv(lied).setUint16(3, (payload.length + 1) & 0xffff, true);
      const withCrc = new Uint8Array(lied.length + 4);
      withCrc.set(lied);
      dv(withCrc).setUint32(lied.length, crc32(lied), true);
      expect(decodeFrame(cobsEncode(withCrc).slice(0, -1))).toBeNull();
    }
    expect(decodeFrame(new Uint8Array(0))).toBeNull();
    expect(decodeFrame(cobsEncode(new Uint8Array(8)).slice(0, -1))).toBeNull();
  });
});

describe("FrameSplitter", () => {
  const banner = "edgeprop 0.1.0 pr=1 me=49152 bu=89abcdef bo=01234567";

  function stream(r: () => number) {
    const frames: Frame[] = [];
    for (let i = 0; i < 12; i++) frames.push({ type: 0x80 | (1 + randInt(r, 8)), seq: randInt(r, 65536), payload: randBytes(r, randInt(r, 300)) });
    const parts: Uint8Array[] = [];
    parts.push(randBytes(r, 40, true), b(0)); // noise before anything, ended by a delimiter
    parts.push(new TextEncoder().encode(banner + "\r\n"), b(0)); // the banner, as the module sends it
    frames.forEach((f, i) => {
      parts.push(encodeFrame(f));
      if (i % 3 === 1) parts.push(randBytes(r, 1 + randInt(r, 30), true), b(0)); // line noise between frames
      if (i % 4 === 2) parts.push(b(0, 0, 0)); // empty frames
    });
    return { frames, bytes: cat(...parts) };
  }

  function run(bytes: Uint8Array, cuts: number[]) {
    const got: Frame[] = [];
    const text: string[] = [];
    let garbage = 0;
    const s = new FrameSplitter({ frame: (f) => got.push(f), text: (l) => text.push(l), garbage: (n) => { garbage += n; } });
    let at = 0;
    for (const c of [...cuts, bytes.length]) {
      // A fresh copy per chunk, then scribbled over: the splitter must not keep references it relies on.
      const chunk = bytes.slice(at, c);
      s.push(chunk);
      chunk.fill(0x55);
      at = c;
    }
    return { got, text, garbage };
  }

  const same = (a: Frame[], e: Frame[]) => {
    expect(a.length).toBe(e.length);
    a.forEach((f, i) => {
      expect(f.type).toBe(e[i].type);
      expect(f.seq).toBe(e[i].seq);
      expect(hex(f.payload)).toBe(hex(e[i].payload));
    });
  };

  it("yields every frame once, in order, hands on the banner line and counts noise, in one chunk", () => {
    const { frames, bytes } = stream(prng(21));
    const { got, text, garbage } = run(bytes, []);
    same(got, frames);
    expect(text).toEqual([banner]);
    expect(garbage).toBeGreaterThan(0);
  });

  it("gives the same result whatever the chunk boundaries (byte by byte, random cuts)", () => {
    const r = prng(22);
    const { frames, bytes } = stream(r);
    const bytewise = run(bytes, Array.from({ length: bytes.length - 1 }, (_, i) => i + 1));
    same(bytewise.got, frames);
    expect(bytewise.text).toEqual([banner]);
    for (let k = 0; k < 200; k++) {
      const cuts = Array.from({ length: randInt(r, 40) }, () => randInt(r, bytes.length)).sort((x, y) => x - y);
      const res = run(bytes, cuts);
      same(res.got, frames);
      expect(res.text).toEqual([banner]);
    }
  });

  it("survives a flood of bytes without a delimiter, then decodes the next frame", () => {
    const f: Frame = { type: 0x81, seq: 7, payload: b(1, 2, 3) };
    const flood = new Uint8Array(100_000).fill(0x41);
    const { got } = run(cat(flood, b(0), encodeFrame(f)), [30_000, 70_000, 100_000]);
    same(got, [f]);
  });

  it("drops a frame damaged on the line and still decodes its neighbours", () => {
    const r = prng(23);
    const fs: Frame[] = [0, 1, 2].map((i) => ({ type: 0x85, seq: i, payload: randBytes(r, 50) }));
    const mid = encodeFrame(fs[1]).slice();
    mid[10] ^= 0x04;
    if (mid[10] === 0) mid[10] = 0x33;
    const { got } = run(cat(encodeFrame(fs[0]), mid, encodeFrame(fs[2])), [5, 60]);
    same(got, [fs[0], fs[2]]);
  });
});

describe("the module's COBS and CRC against the host's", () => {
  it("the boot banner is one text line ending in a delimiter, which the splitter hands on", () => {
    const m = new ModuleBoard(0x01234567, 49152);
    expect(m.banner[m.banner.length - 1]).toBe(0);
    const text: string[] = [];
    new FrameSplitter({ frame: () => { throw new Error("a banner is not a frame"); }, text: (l) => text.push(l) }).push(m.banner);
    expect(text.length).toBe(1);
    expect(text[0]).toMatch(/^edgeprop \S+ pr=1 me=49152 bu=[0-9a-f]{8} bo=01234567$/);
  });

  it("accepts host-encoded frames and answers with frames the host decodes (HELLO, CONFIGURE, GET_WEIGHTS)", () => {
    const m = new ModuleBoard(0xcafe0001, 0);
    const wire = m.feed(encodeFrame({ type: T.HELLO, seq: 41, payload: new Uint8Array(0) }));
    expect(wire.length).toBe(1);
    const hello = decodeWire(wire[0]);
    expect(hello).not.toBeNull();
    expect(hello!.type).toBe(T.HELLO | T.REPLY);
    expect(hello!.seq).toBe(41);
    const conf = m.one(T.CONFIGURE, 42, configBlock({ sizes: [10, 64, 1], loss: "mse", chunk: 32 }));
    expect(conf.type).toBe(T.CONFIGURE | T.REPLY);
    expect(conf.payload[0]).toBe(S.OK);
    const w = m.one(T.GET_WEIGHTS, 43, getWeightsPayload(0, 0, 46));
    expect(w.type).toBe(T.GET_WEIGHTS | T.REPLY);
    expect(w.payload.length).toBe(8 + 46 * 4);
    expect(hex(w.payload.subarray(8))).toBe(hex(new Uint8Array(m.params().buffer, 0, 46 * 4)));
  });

  it("decodes host COBS across 254-byte blocks and zero runs bit for bit (SET_WEIGHTS then GET_WEIGHTS)", () => {
    const m = new ModuleBoard(7, 0);
    m.one(T.HELLO, 0);
    // rx payload 8 + 32 rows x 11 floats x 4 = 1416 bytes: room for several COBS blocks.
    expect(m.one(T.CONFIGURE, 1, configBlock({ sizes: [10, 64, 1], loss: "mse", chunk: 32 })).payload[0]).toBe(S.OK);
    const count = m.e.param_count();
    let seq = 2;
    const r = prng(31);
    const floatsMax = Math.floor((1416 - 8) / 4);
    // Payload sizes that put the frame's raw length (9 + 8 + 4k) on and around 254, 508 and 762.
    const sizes = [59, 60, 61, 62, 121, 122, 123, 124, 185, 186, 187, floatsMax, 1, 2];
    for (const [i, k] of sizes.entries()) {
      const offset = Math.min(randInt(r, 100), count - k);
      let data: Uint8Array;
      if (i % 3 === 0) data = randBytes(r, 4 * k, true); // no zero at all: maximal blocks
      else if (i % 3 === 1) { data = randBytes(r, 4 * k, true); data.fill(0, 4 * Math.floor(k / 3), 4 * Math.floor(k / 2)); } // a zero run
      else data = randBytes(r, 4 * k); // anything
      const f = m.one(T.SET_WEIGHTS, seq++, setWeightsPayload(0, offset, data));
      expect(f.type, `SET_WEIGHTS of ${k} floats`).toBe(T.SET_WEIGHTS | T.REPLY);
      expect(dv(f.payload).getUint16(2, true)).toBe(k);
      // Read back directly and through the protocol: every bit arrived.
      expect(hex(new Uint8Array(m.e.memory.buffer, m.e.params_ptr() + 4 * offset, 4 * k))).toBe(hex(data));
      for (let off = 0; off < k; off += 46) {
        const n = Math.min(46, k - off);
        const g = m.one(T.GET_WEIGHTS, seq++, getWeightsPayload(0, offset + off, n));
        expect(g.type).toBe(T.GET_WEIGHTS | T.REPLY);
        expect(hex(g.payload.subarray(8))).toBe(hex(data.subarray(4 * off, 4 * (off + n))));
      }
    }
  });

  it("drops a frame whose CRC is computed any other way (no final xor, wrong byte order, over the COBS bytes)", () => {
    const m = new ModuleBoard(8, 0);
    const raw = new Uint8Array(9);
    dv(raw).setUint8(0, T.HELLO);
    dv(raw).setUint16(1, 5, true);
    const good = crc32(raw.subarray(0, 5));
    const variants = [(~good) >>> 0, ((good & 0xff) << 24 | (good & 0xff00) << 8 | (good >>> 8) & 0xff00 | good >>> 24) >>> 0, crcBitwise(raw.subarray(1, 5)), good ^ 1];
    for (const c of variants) {
      if (c === good) continue;
      dv(raw).setUint32(5, c, true);
      expect(m.feed(cobsEncode(raw)), `crc ${c.toString(16)}`).toEqual([]);
    }
    dv(raw).setUint32(5, good, true);
    expect(m.feed(cobsEncode(raw)).length).toBe(1);
  });

  it("every reply the module sends across many requests is a frame the host accepts, split anywhere", () => {
    const m = new ModuleBoard(9, 0);
    const r = prng(41);
    const wire: Uint8Array[] = [m.banner];
    let seq = 100;
    wire.push(...m.feed(encodeFrame({ type: T.HELLO, seq: seq++, payload: new Uint8Array(0) })));
    wire.push(...m.feed(encodeFrame({ type: T.CONFIGURE, seq: seq++, payload: configBlock({ sizes: [3, 20, 2], loss: "mse", chunk: 4 }) })));
    for (let k = 0; k < 200; k++) {
      const n = 1 + randInt(r, 46);
      const off = randInt(r, 122 - n);
      wire.push(...m.feed(encodeFrame({ type: T.GET_WEIGHTS, seq: seq++, payload: getWeightsPayload(0, off, n) })));
    }
    const all = cat(...wire);
    const got: Frame[] = [];
    const s = new FrameSplitter({ frame: (f) => got.push(f), text: () => {} });
    for (let at = 0; at < all.length;) { const n = 1 + randInt(r, 97); s.push(all.slice(at, at + n)); at += n; }
    expect(got.length).toBe(202);
    expect(got.map((f) => f.seq)).toEqual(Array.from({ length: 202 }, (_, i) => 100 + i));
  });
});
