// assembly/protocol/cobs.ts's in-place decoder that keeps the frame header
// aside (cobsDecodeSkipping), compiled on its own and checked against a
// reference COBS decoder written here: random frames of every length up to
// a large chunk's, with few and many zero bytes (short and long runs, 254-byte
// runs), at every alignment of the runs, and malformed ones (a 0 code, a run
// past the end) refused. The decoded bytes past the skipped header must land
// at the buffer's start, the header's in `head`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, copyFileSync } from "node:fs";
import path from "node:path";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";

const work = tmpDir("edgeprop-cobs-decode-");
let decode: (buf: number, n: number, skip: number) => number;
let head: () => bigint;
let memory: WebAssembly.Memory;
const BUF = 1024;
beforeAll(async () => {
  copyFileSync(path.join(repoRoot, "assembly", "protocol", "cobs.ts"), path.join(work, "cobs.ts"));
  writeFileSync(path.join(work, "entry.ts"), [
    'import { cobsDecodeSkipping, head } from "./cobs";',
    "export function decode(buf: usize, n: i32, skip: i32): i32 { return cobsDecodeSkipping(buf, n, skip); }",
    "export function decodedHead(): u64 { return head; }",
    "",
  ].join("\n"));
  execFileSync(path.join(repoRoot, "node_modules", ".bin", "asc"), ["entry.ts", "-O3", "--runtime", "stub", "--initialMemory", "1", "-o", "m.wasm"], { cwd: work, stdio: "pipe" });
  const { instance } = await WebAssembly.instantiate(readFileSync(path.join(work, "m.wasm")), {
    env: { abort: () => { throw new Error("abort"); } },
  });
  const e = instance.exports as unknown as { decode: typeof decode; decodedHead: () => bigint; memory: WebAssembly.Memory };
  decode = e.decode; head = e.decodedHead; memory = e.memory;
}, 60_000);
afterAll(() => rmDir(work));

function encode(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  let codeAt = 0, code = 1;
  out.push(0);
  for (const b of data) {
    if (b === 0) { out[codeAt] = code; codeAt = out.length; out.push(0); code = 1; continue; }
    out.push(b); code++;
    if (code === 0xff) { out[codeAt] = code; codeAt = out.length; out.push(0); code = 1; }
  }
  out[codeAt] = code;
  return Uint8Array.from(out);
}

/** The reference: the decoded bytes, or null for a malformed frame. */
function reference(enc: Uint8Array): Uint8Array | null {
  const out: number[] = [];
  let read = 0;
  while (read < enc.length) {
    const code = enc[read] ?? 0;
    if (code === 0 || read + code > enc.length) return null;
    read++;
    for (let i = 1; i < code; i++) out.push(enc[read++] ?? 0);
    if (code < 0xff && read < enc.length) out.push(0);
  }
  return Uint8Array.from(out);
}

function check(enc: Uint8Array, skip: number): void {
  const mem = new Uint8Array(memory.buffer);
  mem.fill(0xaa, BUF, BUF + 2048);
  mem.set(enc, BUF);
  const n = decode(BUF, enc.length, skip);
  const want = reference(enc);
  if (want === null) { expect(n).toBe(-1); return; }
  expect(n).toBe(want.length);
  let h = 0n;
  for (let i = 0; i < Math.min(skip, want.length); i++) h |= BigInt(want[i] ?? 0) << BigInt(8 * i);
  expect(head()).toBe(h);
  const got = new Uint8Array(memory.buffer).slice(BUF, BUF + Math.max(0, want.length - skip));
  expect(Buffer.from(got).equals(Buffer.from(want.slice(skip)))).toBe(true);
}

describe("COBS decoding in place with the header kept aside", () => {
  it("matches the reference on random frames of every length and zero density", () => {
    let seed = 7;
    const next = (): number => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed; };
    for (let trial = 0; trial < 3000; trial++) {
      const len = trial < 700 ? trial : next() % 700;
      const zeroEvery = [2, 5, 17, 60, 300, 100000][trial % 6] ?? 17;
      const data = new Uint8Array(len);
      for (let i = 0; i < len; i++) data[i] = next() % zeroEvery === 0 ? 0 : 1 + (next() % 255);
      check(encode(data), trial % 3 === 0 ? 0 : 5);
    }
  });

  it("refuses malformed frames as the reference does", () => {
    let seed = 99;
    const next = (): number => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed; };
    for (let trial = 0; trial < 2000; trial++) {
      const len = 1 + (next() % 300);
      const enc = new Uint8Array(len);
      for (let i = 0; i < len; i++) enc[i] = next() % 7 === 0 ? 0 : next() % 256;
      check(enc, 5);
    }
    check(Uint8Array.from([0]), 5);
    check(Uint8Array.from([5, 1, 2]), 5);
  });
});
