// assembly/protocol/cobs.ts's encoder (cobsEncode, a word at a time where it
// can), compiled on its own and checked byte for byte against the host's
// encoder (host/protocol/cobs.ts, the naive form docs/protocol.md §2.2
// fixes): random data of every length across 254-byte blocks, with few and
// many zero bytes (zero runs, 254-byte runs of non-zero bytes, a block
// ending exactly at the end), at every alignment of source and destination,
// into a separate buffer and in place (the destination 1 + n/254 bytes or
// more before the source, as seal() encodes the transmit buffer). Nothing
// outside the encoded frame may be written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, copyFileSync } from "node:fs";
import path from "node:path";
import { cobsEncode as hostEncode } from "../../host/protocol/cobs";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";

const work = tmpDir("edgeprop-cobs-encode-");
let encode: (src: number, n: number, dst: number) => number;
let memory: WebAssembly.Memory;
const AREA = 1024; // the test's buffers live in [AREA, AREA + 4096)
beforeAll(async () => {
  copyFileSync(path.join(repoRoot, "assembly", "protocol", "cobs.ts"), path.join(work, "cobs.ts"));
  writeFileSync(path.join(work, "entry.ts"), [
    'import { cobsEncode } from "./cobs";',
    "export function encode(src: usize, n: i32, dst: usize): i32 { return cobsEncode(src, n, dst); }",
    "",
  ].join("\n"));
  execFileSync(path.join(repoRoot, "node_modules", ".bin", "asc"), ["entry.ts", "-O3", "--runtime", "stub", "--initialMemory", "1", "-o", "m.wasm"], { cwd: work, stdio: "pipe" });
  const { instance } = await WebAssembly.instantiate(readFileSync(path.join(work, "m.wasm")), {
    env: { abort: () => { throw new Error("abort"); } },
  });
  const e = instance.exports as unknown as { encode: typeof encode; memory: WebAssembly.Memory };
  encode = e.encode; memory = e.memory;
}, 60_000);
afterAll(() => rmDir(work));

/** Encodes `data` from src to dst (addresses inside the area) and checks it against the host's encoder. */
function check(data: Uint8Array, src: number, dst: number): void {
  const mem = new Uint8Array(memory.buffer);
  mem.fill(0xaa, AREA, AREA + 4096);
  mem.set(data, src);
  const before = mem.slice(AREA, AREA + 4096);
  const n = encode(src, data.length, dst);
  const want = hostEncode(data);
  const where = `length ${data.length}, src ${src}, dst ${dst}`;
  expect(n, where).toBe(want.length);
  const got = new Uint8Array(memory.buffer);
  expect(Buffer.from(got.slice(dst, dst + n)).equals(Buffer.from(want)), where).toBe(true);
  // Outside the frame: untouched, except the source bytes an in-place encoding reads past.
  for (let a = AREA; a < AREA + 4096; a++) {
    if (a >= dst && a < dst + n) continue;
    if (got[a] !== before[a - AREA]) expect.fail(`${where}: byte ${a} changed outside the frame`);
  }
}

function random(seed: number): () => number {
  return () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed; };
}

function data(next: () => number, len: number, zeroEvery: number): Uint8Array {
  const d = new Uint8Array(len);
  for (let i = 0; i < len; i++) d[i] = next() % zeroEvery === 0 ? 0 : 1 + (next() % 255);
  return d;
}

describe("COBS encoding, a word at a time, equals the host's encoder", () => {
  it("into a separate buffer, every length to 700 and every alignment of source and destination", () => {
    const next = random(11);
    for (let len = 0; len <= 700; len++) {
      const zeroEvery = [2, 5, 17, 60, 300, 100000][len % 6] ?? 17;
      const d = data(next, len, zeroEvery);
      check(d, AREA + 2048 + (len % 4), AREA + ((len >> 2) % 4));
    }
  });

  it("in place, the destination 1 + n/254 to 12 bytes before the source, at every alignment", () => {
    const next = random(23);
    for (let trial = 0; trial < 3000; trial++) {
      const len = trial < 700 ? trial : next() % 700;
      const zeroEvery = [2, 5, 17, 60, 300, 100000][trial % 6] ?? 17;
      const d = data(next, len, zeroEvery);
      const gap = 1 + Math.floor(len / 254) + (next() % 12);
      const src = AREA + 64 + (next() % 4);
      check(d, src, src - gap);
    }
  });

  it("254-byte blocks: runs of non-zero bytes ending at, before and after a block's end, and zero runs", () => {
    for (const len of [250, 251, 252, 253, 254, 255, 256, 257, 258, 507, 508, 509, 510, 600]) {
      for (const zeroAt of [-1, 0, 1, 3, 250, 252, 253, 254, 255, len - 1]) {
        const d = new Uint8Array(len).fill(0x41);
        if (zeroAt >= 0 && zeroAt < len) d[zeroAt] = 0;
        for (let a = 0; a < 4; a++) {
          check(d, AREA + 2048 + a, AREA + 4 - a);
          check(d, AREA + 64 + a, AREA + 64 + a - 1 - Math.floor(len / 254));
        }
      }
    }
    for (let a = 0; a < 4; a++) check(new Uint8Array(300), AREA + 2048 + a, AREA + a); // all zeros
  });
});
