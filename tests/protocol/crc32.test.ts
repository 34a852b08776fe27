// The module's CRC-32 (assembly/protocol/crc32.ts), compiled on its own,
// against the host's (host/protocol/crc32.ts) and zlib's over random buffers
// of every length up to a few words past a frame's header and payload
// cases, at every start alignment (the board runs it over a request's
// header kept in a u64, then its payload at rx's aligned start, and over a
// reply at tx + 3): the head bytes up to an aligned word, the word loop and
// the tail bytes must give the table-free CRC whatever their split.
import { beforeAll, describe, expect, it } from "vitest";
import * as zlib from "node:zlib";
import { crc32 as hostCrc32 } from "../../host/protocol/crc32";
import { compileEntry } from "../helpers/assembly-entry";
import { crcBitwise, prng, randBytes, randInt } from "./support";

interface Exports {
  memory: WebAssembly.Memory;
  buffer: () => number;
  crc: (p: number, n: number) => number;
  update: (c: number, p: number, n: number) => number;
  bytes: (c: number, v: bigint, n: number) => number;
}

let m: Exports;
beforeAll(async () => {
  m = await compileEntry<Exports>([
    'import { crc32, crc32Bytes, crc32Update } from "./protocol/crc32";',
    "const BUF: usize = memory.data(4096, 8);",
    "export function buffer(): usize { return BUF; }",
    "export function crc(p: usize, n: i32): u32 { return crc32(p, n); }",
    "export function update(c: u32, p: usize, n: i32): u32 { return crc32Update(c, p, n); }",
    "export function bytes(c: u32, v: u64, n: i32): u32 { return crc32Bytes(c, v, n); }",
  ]);
}, 60_000);

const zcrc = (zlib as { crc32?: (d: Uint8Array) => number }).crc32;
const reference = (d: Uint8Array): number => (zcrc ? zcrc(d) >>> 0 : crcBitwise(d));

/** The module's CRC of `data` placed at buffer() + at. */
function moduleCrc(data: Uint8Array, at: number): number {
  const p = m.buffer() + at;
  new Uint8Array(m.memory.buffer, p, data.length).set(data);
  return m.crc(p, data.length) >>> 0;
}

describe("the module's CRC-32", () => {
  it("gives the check values", () => {
    const ascii = (s: string) => new TextEncoder().encode(s);
    for (const at of [0, 1, 2, 3]) {
      expect(moduleCrc(ascii("123456789"), at)).toBe(0xcbf43926);
      expect(moduleCrc(new Uint8Array(0), at)).toBe(0);
      expect(moduleCrc(ascii("The quick brown fox jumps over the lazy dog"), at)).toBe(0x414fa339);
    }
  });

  it("agrees with zlib and the host at every length 0..300 and every start alignment", () => {
    const r = prng(0x0c5c32);
    for (let n = 0; n <= 300; n++) {
      for (let at = 0; at < 8; at++) {
        const data = randBytes(r, n);
        const want = reference(data);
        expect(crcBitwise(data)).toBe(want);
        expect(hostCrc32(data)).toBe(want);
        expect(moduleCrc(data, at), `length ${n} at ${at}`).toBe(want);
      }
    }
  });

  it("agrees on long buffers, all-zero and all-ones runs included", () => {
    const r = prng(77);
    for (const n of [1000, 1416, 2047, 4000]) {
      for (const data of [randBytes(r, n), new Uint8Array(n), new Uint8Array(n).fill(0xff)]) {
        for (const at of [0, 3]) expect(moduleCrc(data.subarray(0, Math.min(n, 4096 - at)), at)).toBe(reference(data.subarray(0, Math.min(n, 4096 - at))));
      }
    }
  });

  it("chains: crc32Bytes over a header held in a u64, then crc32Update over the rest, as the board checks a request", () => {
    const r = prng(5);
    for (let trial = 0; trial < 400; trial++) {
      const k = trial % 9; // 0..8 bytes from the u64
      const n = randInt(r, 200);
      const head = randBytes(r, 8);
      const rest = randBytes(r, n);
      const at = trial % 4;
      const p = m.buffer() + at;
      new Uint8Array(m.memory.buffer, p, n).set(rest);
      const v = new DataView(head.buffer, head.byteOffset).getBigUint64(0, true);
      const c = (m.update(m.bytes(0xffffffff, v, k), p, n) ^ 0xffffffff) >>> 0;
      const whole = new Uint8Array(k + n);
      whole.set(head.subarray(0, k));
      whole.set(rest, k);
      expect(c, `${k} header bytes, ${n} more at ${at}`).toBe(reference(whole));
    }
  });
});
