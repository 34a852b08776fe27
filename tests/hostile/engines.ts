// The three ways the module meets a byte stream, each checked from outside:
//   - the reactor in this process (V8), driven as firmware drives it;
//   - the WASI command in this process under node:wasi (stdin from a file);
//   - a board process (the wasm2c or wasm3 pump) on stdin/stdout.
// In-process runs also check memory: a canary past static data + the largest
// plan the module accepted, the static data's initialised bytes, and that the
// configuration block holds the last CONFIGURE the module executed.
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import path from "node:path";
import { WASI } from "node:wasi";
import { instantiate, type EngineExports } from "../../host/boards/engine";
import { encodedFrameBytes, MIN_RX_PAYLOAD, TX_PAYLOAD } from "../../host/model/plan";
import { decodeFrame } from "../../host/protocol/frame";
import { fillCanary, firstCanaryDamage } from "../helpers/engine";
import { wasiPath, wasmPath } from "../helpers/paths";
import { dv, T } from "../protocol/support";
import type { Sent } from "./extreme-session";

export interface MemoryVerdict {
  /** First byte past static data + plan that is not the canary, or -1. */
  canaryDamage: number;
  /** First initialised static byte that changed, or -1. */
  staticDamage: number;
  /** The config block differs from the last executed CONFIGURE. */
  configBlockChanged: boolean;
  /** Where the canary started (static data + the largest accepted plan). */
  canaryFrom: number;
}

export interface Run {
  out: Uint8Array;
  memory?: MemoryVerdict;
  exitCode?: number | null;
  stderr?: string;
  /** The module's static data when it differs from build/edgeprop.wasm's (the WASI build). */
  staticBytes?: number;
}

const STATUS_OK = 0;
const CONFIGURE_TOTAL = 28; // the CONFIGURE reply's total_bytes (assembly/protocol/payload.ts)

/** The arena an unconfigured module uses: static data, rx and tx. */
function unconfiguredEnd(staticBytes: number): number {
  return ((staticBytes + 7) & ~7) + encodedFrameBytes(MIN_RX_PAYLOAD) + encodedFrameBytes(TX_PAYLOAD);
}

/** Initialised (non-zero) bytes of a fresh instance's static data. */
function staticImage(mem: WebAssembly.Memory, staticBytes: number): Map<number, number> {
  const b = new Uint8Array(mem.buffer, 0, staticBytes);
  const m = new Map<number, number>();
  b.forEach((v, i) => { if (v !== 0) m.set(i, v); });
  return m;
}

function firstStaticChange(mem: WebAssembly.Memory, image: Map<number, number>): number {
  const b = new Uint8Array(mem.buffer);
  for (const [i, v] of image) if (b[i] !== v) return i;
  return -1;
}

/** The plans the module accepted (CONFIGURE replies with status OK), and the block of the last one executed. */
function acceptedPlans(requests: Sent[], out: Uint8Array): { largest: number; lastBlock: Uint8Array | null } {
  const configureBySeq = new Map<number, Uint8Array>();
  for (const q of requests) if (q.type === T.CONFIGURE) configureBySeq.set(q.seq, q.payload);
  let largest = 0;
  let lastBlock: Uint8Array | null = null;
  let start = 0;
  for (let i = 0; i < out.length; i++) {
    if (out[i] !== 0) continue;
    const f = i > start ? decodeFrame(out.subarray(start, i)) : null;
    start = i + 1;
    if (!f || f.type !== (T.CONFIGURE | T.REPLY)) continue;
    lastBlock = configureBySeq.get(f.seq) ?? null;
    if (f.payload[0] === STATUS_OK) largest = Math.max(largest, dv(f.payload).getUint32(CONFIGURE_TOTAL, true));
  }
  return { largest, lastBlock };
}

function verdict(mem: WebAssembly.Memory, configPtr: number, staticBytes: number, image: Map<number, number>,
  requests: Sent[], out: Uint8Array): MemoryVerdict {
  const { largest, lastBlock } = acceptedPlans(requests, out);
  const canaryFrom = Math.max(unconfiguredEnd(staticBytes), largest);
  // As long as the last CONFIGURE's block (160 bytes for version 2, 128 for version 1).
  const block = new Uint8Array(mem.buffer, configPtr, lastBlock?.length ?? 128);
  return {
    canaryDamage: firstCanaryDamage(mem, canaryFrom),
    staticDamage: firstStaticChange(mem, image),
    configBlockChanged: lastBlock !== null && !Buffer.from(block).equals(Buffer.from(lastBlock)),
    canaryFrom,
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

/** The reactor (build/edgeprop.wasm) fed as the pump feeds it. */
export function runReactor(bytes: Uint8Array, requests: Sent[], memoryLimit = 0): Run {
  const e: EngineExports = instantiate(wasmPath);
  const staticBytes = e.static_bytes();
  const image = staticImage(e.memory, staticBytes);
  const parts: Uint8Array[] = [];
  const n = e.boot(0x14141414, memoryLimit);
  parts.push(new Uint8Array(e.memory.buffer, e.tx_buffer(), n).slice());
  fillCanary(e.memory, unconfiguredEnd(staticBytes));
  let off = 0;
  // Small reads, as a UART delivers them, so frames straddle rx calls.
  while (off < bytes.length) {
    const cap = e.rx_capacity();
    if (cap <= 0) throw new Error(`rx_capacity() ${cap}`);
    const k = Math.min(cap, 97, bytes.length - off);
    new Uint8Array(e.memory.buffer, e.rx_buffer(), k).set(bytes.subarray(off, off + k));
    off += k;
    let r = e.rx(k);
    while (r > 0) {
      parts.push(new Uint8Array(e.memory.buffer, e.tx_buffer(), r).slice());
      r = e.rx(0);
    }
  }
  const out = concat(parts);
  return { out, memory: verdict(e.memory, e.config_ptr(), staticBytes, image, requests, out) };
}

/** The WASI command (build/edgeprop-wasi.wasm) under node:wasi in this process. */
export async function runWasi(bytes: Uint8Array, requests: Sent[], dir: string): Promise<Run> {
  const inFile = path.join(dir, "wasi-in.bin");
  const outFile = path.join(dir, "wasi-out.bin");
  writeFileSync(inFile, bytes);
  const stdin = openSync(inFile, "r");
  const stdout = openSync(outFile, "w");
  try {
    const wasi = new WASI({ version: "preview1", args: ["edgeprop"], env: {}, stdin, stdout, returnOnExit: true });
    const mod = await WebAssembly.compile(readFileSync(wasiPath));
    const inst = await WebAssembly.instantiate(mod, wasi.getImportObject() as WebAssembly.Imports);
    const x = inst.exports as unknown as EngineExports & { memory: WebAssembly.Memory };
    const staticBytes = x.static_bytes();
    const image = staticImage(x.memory, staticBytes);
    fillCanary(x.memory, unconfiguredEnd(staticBytes));
    let exitCode: number | null = null;
    let stderr = "";
    try {
      exitCode = wasi.start(inst);
    } catch (err) {
      stderr = String(err);
    }
    closeSync(stdout);
    const out = new Uint8Array(readFileSync(outFile));
    return { out, exitCode, stderr, staticBytes, memory: verdict(x.memory, x.config_ptr(), staticBytes, image, requests, out) };
  } finally {
    closeSync(stdin);
    try { closeSync(stdout); } catch { /* closed above */ }
  }
}

/**
 * A board process: the bytes on its stdin, then waits (at most `ms`) until a
 * reply with `waitSeq` comes out, closes stdin and collects everything.
 */
export function runBoardProcess(bin: string, args: string[], bytes: Uint8Array, waitSeq: number, ms = 20000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: "pipe" });
    const chunks: Buffer[] = [];
    let stderr = "";
    let seen = 0;
    let done = false;
    const finish = () => { if (!done) { done = true; child.stdin.end(); } };
    const timer = setTimeout(finish, ms);
    child.stdout.on("data", (d: Buffer) => {
      chunks.push(d);
      // Cheap check for the awaited reply: decode only the new tail.
      const all = Buffer.concat(chunks);
      let start = all.lastIndexOf(0, Math.max(0, seen - 1)) + 1;
      for (let i = start; i < all.length; i++) {
        if (all[i] !== 0) continue;
        const f = i > start ? decodeFrame(all.subarray(start, i)) : null;
        if (f && f.seq === waitSeq && f.type === (T.HELLO | T.REPLY)) finish();
        start = i + 1;
      }
      seen = all.length;
    });
    child.stderr.on("data", (d: Buffer) => { stderr += d.toString(); });
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ out: new Uint8Array(Buffer.concat(chunks)), exitCode: code, stderr });
    });
    child.stdin.on("error", () => { /* the board may close first */ });
    child.stdin.write(Buffer.from(bytes));
  });
}
