// Boards: profiles, the module built per profile and its C header, the shared
// C pump (compiles strictly, frames its own ERRORs right), and the POSIX board
// (wasm2c; wasm3 too when EDGEPROP_M3_INCLUDE/EDGEPROP_M3_LIB point at a wasm3
// build) talking the real protocol over stdin/stdout.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFileSync, spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listProfiles, loadProfile } from "../host/firmware/profiles.js";
import { buildModule, moduleBuildId } from "../host/firmware/build-module.js";
import { moduleHeader, parseModuleHeader } from "../host/firmware/header.js";
import { flash, firmwareHeaderPath, pioArgs } from "../host/firmware/flash.js";
import { packagePath } from "../host/files/package-path.js";
import { cobsDecode, cobsEncode, decodeFrame, encodeFrame, framesIn, type Frame } from "./helpers/spec-frames";

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const HAS_GCC = has("gcc");
const HAS_MAKE = has("make");
const HAS_WASM2C = has("wasm2c") && HAS_GCC && HAS_MAKE;
const HAS_WAT2WASM = has("wat2wasm");
const HAS_VALIDATE = has("wasm-validate");
const M3_INCLUDE = process.env.EDGEPROP_M3_INCLUDE ?? "";
const M3_LIB = process.env.EDGEPROP_M3_LIB ?? "";
const HAS_WASM3 = M3_INCLUDE !== "" && M3_LIB !== "" && HAS_GCC && HAS_MAKE;

const ROOT = packagePath();
const COMMON = packagePath("boards", "common");
const POSIX = packagePath("boards", "posix");
let tmp = "";
beforeAll(() => { tmp = mkdtempSync(join(tmpdir(), "edgeprop-boards-")); });
afterAll(() => { if (tmp) rmSync(tmp, { recursive: true, force: true }); });

function errorOf(f: Frame) {
  const v = new DataView(f.payload.buffer, f.payload.byteOffset, f.payload.length);
  return {
    code: f.payload[0], forType: f.payload[1], detail: v.getInt16(2, true), bootId: v.getUint32(4, true),
    message: Buffer.from(f.payload.subarray(8)).toString("utf8"),
  };
}

// ---- a board process on stdin/stdout ----

class BoardProcess {
  readonly child: ChildProcessWithoutNullStreams;
  out = Buffer.alloc(0);
  err = "";
  exit: Promise<number | null>;
  constructor(bin: string, args: string[] = []) {
    this.child = spawn(bin, args, { stdio: "pipe" });
    this.child.stdout.on("data", (d: Buffer) => { this.out = Buffer.concat([this.out, d]); });
    this.child.stderr.on("data", (d: Buffer) => { this.err += d.toString(); });
    this.exit = new Promise((res) => this.child.on("exit", (code) => res(code)));
  }
  send(b: Uint8Array | string) { this.child.stdin.write(typeof b === "string" ? Buffer.from(b, "latin1") : b); }
  /** Waits until the output (from `from` on) satisfies `pred`. */
  async until(pred: (out: Buffer) => boolean, what: string, ms = 5000): Promise<void> {
    const t0 = Date.now();
    while (!pred(this.out)) {
      if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.out.toString("latin1"))}; stderr ${this.err}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  async close(): Promise<number | null> { this.child.stdin.end(); return this.exit; }
}

function make(args: string[]) {
  execFileSync("make", ["-s", "-C", POSIX, ...args], { stdio: "pipe" });
}

/** The banner build/edgeprop.wasm gives for a boot (Node's own instance), as a
 * pattern with the boot id left open; null while boot() returns nothing. */
function bannerPattern(wasm: Uint8Array, memoryLimit: number): RegExp | null {
  const inst = new WebAssembly.Instance(new WebAssembly.Module(wasm), {});
  const e = inst.exports as Record<string, (...a: number[]) => number> & { memory: WebAssembly.Memory };
  const n = e.boot(0x5eed1234, memoryLimit) ?? 0;
  if (!n) return null;
  const text = Buffer.from(new Uint8Array(e.memory.buffer, e.tx_buffer(), n)).toString("latin1");
  expect(text).toContain("5eed1234");
  const esc = text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace("5eed1234", "([0-9a-f]{8})").replace("\0", "\\x00");
  return new RegExp("^" + esc.replace("\r", "\\r").replace("\n", "\\n"));
}

// ---- profiles and the module header ----

describe("board profiles", () => {
  it("lists the three ESP32 profiles and loads each consistently", () => {
    expect(listProfiles()).toEqual(expect.arrayContaining(["esp32", "esp32-c3", "esp32-s3"]));
    for (const name of listProfiles()) {
      const p = loadProfile(name);
      expect(p.name).toBe(name);
      expect(p.memory_limit).toBeLessThanOrEqual(p.pages * 65536);
      expect(p.max_chunk).toBeGreaterThan(0);
      // The esp8266 has no PlatformIO firmware yet: it runs on the emulated board only.
      if (p.pio_env === "none") continue;
      expect(readFileSync(packagePath("boards", "esp32", "platformio.ini"), "utf8")).toContain(`[env:${p.pio_env}]`);
    }
    expect(loadProfile("esp32")).toMatchObject({ memory_limit: 49152, pages: 1, baud: 921600, psram: false, pio_env: "esp32dev" });
    expect(loadProfile("esp32-s3").psram).toBe(true);
  });

  it("refuses an unknown board, naming the known ones", () => {
    expect(() => loadProfile("esp8285")).toThrow(/unknown board 'esp8285'.*esp32, esp32-c3, esp32-s3, esp8266/);
    expect(() => loadProfile("../package")).toThrow(/unknown board/);
  });
});

describe("a profile without a PlatformIO firmware", () => {
  it("esp8266: flash refuses it before any work, pointing at the emulated board", async () => {
    const lines: string[] = [];
    await expect(flash(loadProfile("esp8266"), "/dev/ttyUSB7", { pio: null, log: (l) => lines.push(l) }))
      .rejects.toThrow(/no firmware to flash for the esp8266 profile: boards\/esp32\/platformio.ini has no \[env:none-wasm2c\]; it runs on the emulated board only \(--emulate esp8266\)/);
    expect(lines).toEqual([]);
  });
});

describe("module per profile and its C header", () => {
  for (const name of ["esp32", "esp32-c3", "esp32-s3"]) {
    it(`${name}: header parses back to exactly the built module, which validates`, async () => {
      const p = loadProfile(name);
      const out = join(tmp, name, "edgeprop.wasm");
      const { bytes, buildId } = buildModule({ pages: p.pages, memoryLimit: p.memory_limit, out });
      expect(Buffer.from(bytes).equals(readFileSync(out))).toBe(true);
      // The same id scripts/build.mjs gives these settings (computed back to
      // back: the sources may change while the module compiles).
      const script = await import("../scripts/build.mjs");
      expect(moduleBuildId(p.pages, p.memory_limit)).toBe(script.buildId(p.pages, p.memory_limit));
      expect(moduleBuildId(p.pages + 1, p.memory_limit)).not.toBe(moduleBuildId(p.pages, p.memory_limit));

      const parsed = parseModuleHeader(moduleHeader(bytes, buildId, p));
      expect(Buffer.from(parsed.bytes).equals(Buffer.from(bytes))).toBe(true);
      expect(parsed.defines).toMatchObject({
        EDGEPROP_BUILD_ID: buildId >>> 0, EDGEPROP_MEMORY_LIMIT: p.memory_limit,
        EDGEPROP_WASM3_STACK: p.wasm3_stack, EDGEPROP_BAUD: p.baud, EDGEPROP_PAGES: p.pages,
      });

      // Imports nothing, declares exactly the profile's pages.
      const mod = new WebAssembly.Module(bytes);
      expect(WebAssembly.Module.imports(mod)).toEqual([]);
      const inst = new WebAssembly.Instance(mod, {});
      const mem = inst.exports.memory as WebAssembly.Memory;
      expect(mem.buffer.byteLength).toBe(p.pages * 65536);
      // boot() within the profile's limit does not trap.
      (inst.exports.boot as (a: number, b: number) => number)(1, p.memory_limit);
    }, 60000);
  }

  it.skipIf(!HAS_VALIDATE)("the built modules pass wasm-validate without SIMD, reference types, bulk memory", () => {
    for (const name of ["esp32", "esp32-c3", "esp32-s3"]) {
      const f = join(tmp, name, "edgeprop.wasm");
      expect(existsSync(f)).toBe(true);
      execFileSync("wasm-validate", ["--disable-simd", "--disable-reference-types", "--disable-bulk-memory", f]);
    }
  });

  it("flash --board-engine wasm3 writes the firmware header and, without PlatformIO, says what to run and returns 2", async () => {
    const p = loadProfile("esp32-c3");
    const header = firmwareHeaderPath();
    const before = existsSync(header) ? readFileSync(header) : null;
    const lines: string[] = [];
    try {
      const code = await flash(p, "/dev/ttyUSB7", { pio: null, engine: "wasm3", log: (l) => lines.push(l) });
      expect(code).toBe(2);
      const text = lines.join("\n");
      expect(text).toContain("pip install platformio");
      expect(text).toContain("-e esp32-c3-devkitm-1 -t upload --upload-port /dev/ttyUSB7");
      const parsed = parseModuleHeader(readFileSync(header, "utf8"));
      expect(Buffer.from(parsed.bytes).equals(readFileSync(packagePath("build", "boards", "esp32-c3", "edgeprop.wasm")))).toBe(true);
      expect(parsed.defines.EDGEPROP_BAUD).toBe(460800);
    } finally {
      if (before) writeFileSync(header, before); else rmSync(header, { force: true });
    }
    expect(pioArgs(p, undefined, "wasm3")).toEqual(["run", "-d", packagePath("boards", "esp32"), "-e", "esp32-c3-devkitm-1", "-t", "upload"]);
  }, 60000);
});

// ---- the C pump ----

describe.skipIf(!HAS_GCC)("shared C pump", () => {
  it("compiles warning-free with -Wall -Wextra -Werror -std=c99 -pedantic", () => {
    for (const f of ["pump.c", "error_frame.c"]) {
      execFileSync("gcc", ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2", "-c", join(COMMON, f), "-o", join(tmp, f + ".o")], { stdio: "pipe" });
    }
    // main.c too (it needs POSIX, which it asks for itself).
    execFileSync("gcc", ["-std=c99", "-Wall", "-Wextra", "-Werror", "-O2", "-I", COMMON, "-c", join(POSIX, "main.c"), "-o", join(tmp, "main.o")], { stdio: "pipe" });
  });

  it("encodes COBS and ERROR frames that decode and check", () => {
    const driver = join(tmp, "frame-driver.c");
    writeFileSync(driver, `
#include <stdio.h>
#include <string.h>
#include "error_frame.h"
int main(int argc, char **argv) {
  static unsigned char in[4096], out[8192];
  size_t n, m;
  if (argc > 1 && !strcmp(argv[1], "cobs")) {
    n = fread(in, 1, sizeof in, stdin);
    if (ep_cobs_encode(in, n, out, n + n / 254 + 1) != 0) return 3; /* too small must fail */
    m = ep_cobs_encode(in, n, out, sizeof out);
  } else {
    m = ep_error_frame(out, EP_ERROR_FRAME_MAX, 10, 0x05, -2, 0xA1B2C3D4u, argc > 1 ? argv[1] : NULL);
  }
  fwrite(out, 1, m, stdout);
  return m ? 0 : 2;
}
`);
    const bin = join(tmp, "frame-driver");
    execFileSync("gcc", ["-std=c99", "-Wall", "-Wextra", "-Werror", "-I", COMMON, driver, join(COMMON, "error_frame.c"), "-o", bin], { stdio: "pipe" });

    // COBS: zeros, runs of exactly 254 and 255 non-zero bytes, empty input.
    const cases: Uint8Array[] = [new Uint8Array(0), Uint8Array.of(0), Uint8Array.of(0, 0, 1, 0)];
    for (const len of [253, 254, 255, 508, 600]) {
      const b = new Uint8Array(len);
      for (let i = 0; i < len; i++) b[i] = (i * 7 + 1) % 256 || 1;
      cases.push(b);
      const z = b.slice(); z[len >> 1] = 0; cases.push(z);
    }
    for (const c of cases) {
      const enc = new Uint8Array(execFileSync(bin, ["cobs"], { input: c }));
      expect(Buffer.from(enc).equals(Buffer.from(cobsEncode(c)))).toBe(true);
      expect(enc.indexOf(0)).toBe(enc.length - 1);
      expect(Buffer.from(cobsDecode(enc.subarray(0, -1))).equals(Buffer.from(c))).toBe(true);
    }

    const msg = "[trap] unreachable executed";
    const wire = new Uint8Array(execFileSync(bin, [msg]));
    expect(wire[wire.length - 1]).toBe(0);
    const f = decodeFrame(wire.subarray(0, -1));
    expect(f).not.toBeNull();
    expect(f!.type).toBe(0xff);
    expect(f!.seq).toBe(0);
    expect(errorOf(f!)).toEqual({ code: 10, forType: 5, detail: -2, bootId: 0xa1b2c3d4, message: msg });
    // A long message is cut, never overflows.
    const long = new Uint8Array(execFileSync(bin, ["x".repeat(1000)]));
    expect(errorOf(decodeFrame(long.subarray(0, -1))!).message).toBe("x".repeat(160));
  });
});

// ---- the POSIX board ----

describe.skipIf(!HAS_WASM2C)("POSIX board, wasm2c", () => {
  const BIN = join(POSIX, "edgeprop-board");

  it("make -C boards/posix ENGINE=wasm2c builds; at EOF on stdin the board prints its banner and exits 0", () => {
    make(["ENGINE=wasm2c"]);
    expect(existsSync(BIN)).toBe(true);
    const r = spawnSync(BIN, [], { input: Buffer.alloc(0) });
    expect(r.status).toBe(0);
    const pattern = bannerPattern(readFileSync(join(ROOT, "build", "edgeprop.wasm")), 0);
    if (pattern) expect(r.stdout.toString("latin1")).toMatch(pattern);
    else expect(r.stdout.length).toBe(0);
  }, 120000);

  it("answers HELLO with a HELLO reply carrying the banner's boot id", async () => {
    expect(existsSync(BIN)).toBe(true);
    const pattern = bannerPattern(readFileSync(join(ROOT, "build", "edgeprop.wasm")), 49152);
    expect(pattern, "boot() of build/edgeprop.wasm returns no banner: the protocol has not landed").not.toBeNull();
    const b = new BoardProcess(BIN, ["--memory-limit", "49152"]);
    try {
      await b.until((o) => pattern!.test(o.toString("latin1")), "the banner");
      const bootId = parseInt(pattern!.exec(b.out.toString("latin1"))![1], 16);
      b.send(Uint8Array.of(0)); // a delimiter, as a host starts with
      b.send(Buffer.concat([encodeFrame(0x01, 7), Buffer.of(0)]));
      await b.until((o) => framesIn(o).length > 0, "the HELLO reply");
      const [f] = framesIn(b.out);
      expect(f.type).toBe(0x81);
      expect(f.seq).toBe(7);
      const v = new DataView(f.payload.buffer, f.payload.byteOffset, f.payload.length);
      expect(f.payload[0]).toBe(1); // protocol version
      expect(v.getUint32(8, true)).toBe(bootId);
      expect(v.getUint32(12, true)).toBe(49152);
    } finally {
      expect(await b.close()).toBe(0);
    }
  }, 30000);
});

/** The pump itself, with a stand-in module that traps on demand. */
async function probeBoard(bin: string, args: string[]) {
  const b = new BoardProcess(bin, args);
  try {
    await b.until((o) => /^probe boot=[0-9a-f]{8} mem=0000c000\r\n/.test(o.toString("latin1")), "the probe banner");
    let bootId = parseInt(b.out.toString("latin1").slice(11, 19), 16);
    let at = b.out.length;
    const next = async (input: string, done: (s: Buffer) => boolean, what: string) => {
      b.send(input);
      await b.until((o) => done(o.subarray(at)), what);
      const got = b.out.subarray(at);
      at = b.out.length;
      return got;
    };
    expect((await next("hello", (s) => s.length >= 5, "echo")).toString()).toBe("hello");
    for (const [cmd, text] of [["T", /unreachable/i], ["O", /out.of.bounds/i]] as const) {
      // After a trap the pump restarts the module: the ERROR frame, then the
      // new instance's banner with the next boot id.
      const banner = `probe boot=${((bootId + 1) >>> 0).toString(16).padStart(8, "0")} mem=0000c000\r\n`;
      const got = await next(cmd, (s) => s.toString("latin1").endsWith(banner), `the ERROR frame and the banner for ${cmd}`);
      const s = got.toString("latin1");
      expect(s).toMatch(/^edgeprop: trap: \[trap\] [^\r\n]+\r\n\x00/);
      const [f] = framesIn(got);
      expect(f.type).toBe(0xff);
      const e = errorOf(f);
      expect(e.code).toBe(10);
      expect(e.bootId).toBe(bootId);
      expect(e.message).toMatch(text);
      expect(s).toContain(e.message);
      bootId = (bootId + 1) >>> 0;
      // Still alive after the trap.
      expect((await next("abc", (x) => x.length >= 3, "echo after a trap")).toString()).toBe("abc");
    }
    // One rx(n) with more replies pending: the pump calls rx(0) until 0.
    expect((await next("M", (x) => x.length >= 3, "all pending replies")).toString()).toBe("Mmm");
  } finally {
    expect(await b.close()).toBe(0);
  }
}

describe.skipIf(!HAS_WASM2C || !HAS_WAT2WASM)("the pump around a module that traps (wasm2c)", () => {
  it("reports traps as a text line plus an ERROR frame, keeps running, drains rx(0)", async () => {
    const wasm = join(tmp, "probe.wasm");
    execFileSync("wat2wasm", [join(POSIX, "testdata", "pump-probe.wat"), "-o", wasm]);
    const bin = join(tmp, "probe-board");
    make(["ENGINE=wasm2c", `WASM=${wasm}`, `OBJ=${join(tmp, "probe-obj")}`, `BIN=${bin}`]);
    await probeBoard(bin, ["--memory-limit", "49152"]);
  }, 120000);
});

describe.skipIf(!HAS_WASM3)("POSIX board, wasm3 (EDGEPROP_M3_INCLUDE, EDGEPROP_M3_LIB)", () => {
  const bin = () => join(tmp, "board-wasm3");
  it("builds against the given wasm3", () => {
    make(["ENGINE=wasm3", `M3_INCLUDE=${M3_INCLUDE}`, `M3_LIB=${M3_LIB}`, `OBJ=${join(tmp, "wasm3-obj")}`, `BIN=${bin()}`]);
  }, 60000);

  it.skipIf(!HAS_WAT2WASM)("reports traps and keeps running", async () => {
    const wasm = join(tmp, "probe3.wasm");
    execFileSync("wat2wasm", [join(POSIX, "testdata", "pump-probe.wat"), "-o", wasm]);
    await probeBoard(bin(), [wasm, "--memory-limit", "49152", "--stack", "8192"]);
  }, 30000);

  it("runs the esp32 profile's module within its 48 KiB limit and answers HELLO", async () => {
    const p = loadProfile("esp32");
    const wasm = join(tmp, "esp32-w3", "edgeprop.wasm");
    const { bytes, buildId } = buildModule({ pages: p.pages, memoryLimit: p.memory_limit, out: wasm });
    const pattern = bannerPattern(bytes, p.memory_limit);
    expect(pattern).not.toBeNull();
    const b = new BoardProcess(bin(), [wasm, "--memory-limit", String(p.memory_limit), "--stack", String(p.wasm3_stack)]);
    try {
      await b.until((o) => pattern!.test(o.toString("latin1")), "the banner");
      b.send(Buffer.concat([Buffer.of(0), encodeFrame(0x01, 1), Buffer.of(0)]));
      await b.until((o) => framesIn(o).length > 0, "the HELLO reply");
      const [f] = framesIn(b.out);
      expect(f.type).toBe(0x81);
      const v = new DataView(f.payload.buffer, f.payload.byteOffset, f.payload.length);
      expect(v.getUint32(4, true)).toBe(buildId >>> 0);
      expect(v.getUint32(12, true)).toBe(p.memory_limit);
    } finally {
      expect(await b.close()).toBe(0);
    }
    // Building the profile's module (the AssemblyScript compiler) is most of the time: 28 s alone,
    // over 60 s when the whole suite shares two cores. A hang still ends the test.
  }, 180000);
});
