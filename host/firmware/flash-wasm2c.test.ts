// edgeprop flash --board-engine wasm2c: the module translated into
// boards/esp32/src/w2c (adapted to edgeprop's own wasm-rt, its sources,
// w2c-api.h), the -wasm2c PlatformIO environment, and the header's
// EDGEPROP_RX_BUFFER for the model being flashed.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { flash, firmwareHeaderPath, pioArgs, wasm2cDir } from "./flash.js";
import { parseModuleHeader } from "./header.js";
import { loadProfile } from "./profiles.js";
import { HOST_WINDOW, rxBufferBytes } from "./rx-buffer.js";
import { computePlan, encodedFrameBytes, TX_PAYLOAD } from "../model/plan.js";
import { findWasm2c, shippedTranslationFits, writeWasm2cSources } from "./wasm2c-sources.js";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync } from "node:fs";
import { packagePath } from "../files/package-path.js";
import { UsageError } from "../errors.js";
import { tmpdir } from "node:os";

const haveWasm2c = spawnSync("sh", ["-c", "command -v wasm2c"]).status === 0 && findWasm2c() !== null;

describe("the UART receive buffer for a model", () => {
  it("is the host's window times the module's own receive frame for that plan", () => {
    const run = { sizes: [16, 32, 32, 4], loss: "ce" as const, chunk: 16, activations: [], optimizer: { name: "sgd" } } as never;
    const plan = computePlan(run, 0);
    expect(rxBufferBytes(run)).toBe(HOST_WINDOW * (plan.buffers_bytes - encodedFrameBytes(TX_PAYLOAD)));
    expect(rxBufferBytes({ sizes: [16, 32, 4], loss: "ce", chunk: 64 })).toBeGreaterThan(HOST_WINDOW * 64 * 17 * 4);
  });
});

describe("flash --board-engine wasm2c without WABT", () => {
  it("says to install WABT (exit 2) and writes nothing", () => {
    const dir = join(tmpdir(), `edgeprop-w2c-${process.pid}`);
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      let err: unknown;
      try { writeWasm2cSources("unused.wasm", dir); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toContain("needs wasm2c (this module is not the package's own translation): install WABT >= 1.0.32");
      expect(existsSync(dir)).toBe(false);
    } finally {
      process.env.PATH = path;
    }
  });
});

describe.skipIf(!haveWasm2c)("flash --board-engine wasm2c", () => {
  it("is flash's default engine: writes the translated module and the header, and without PlatformIO names the -wasm2c environment and returns 2", async () => {
    const p = loadProfile("esp32");
    const header = firmwareHeaderPath(), dir = wasm2cDir();
    const before = existsSync(header) ? readFileSync(header) : null;
    const hadDir = existsSync(dir);
    const lines: string[] = [];
    try {
      const code = await flash(p, "/dev/ttyUSB7", { pio: null, rxBuffer: 4448, log: (l) => lines.push(l) });
      expect(code).toBe(2);
      expect(lines.join("\n")).toContain("-e esp32dev-wasm2c -t upload --upload-port /dev/ttyUSB7");
      expect(parseModuleHeader(readFileSync(header, "utf8")).defines.EDGEPROP_RX_BUFFER).toBe(4448);
      for (const f of ["edgeprop.c", "edgeprop.h", "wasm-rt.h", "wasm-rt-impl.c", "w2c-api.h"]) expect(existsSync(join(dir, f)), f).toBe(true);
      for (const f of ["wasm-rt-impl.h", "ep-wasm-memory.h"]) expect(existsSync(join(dir, f)), f).toBe(true);
      // edgeprop's runtime, and the generated C on its loads and stores, masked into the profile's one page.
      expect(readFileSync(join(dir, "wasm-rt-impl.c"), "utf8")).toContain("edgeprop's runtime");
      const c = readFileSync(join(dir, "edgeprop.c"), "utf8");
      expect(c).toContain('#include "ep-wasm-memory.h"');
      expect(c).toMatch(/^#define EP_WASM_MEMORY_BYTES 65536u$/m);
      expect(c).not.toContain('wasm_asm("" ::"r"(result))');
      expect(readFileSync(join(dir, "w2c-api.h"), "utf8")).toMatch(/^#define EP_W2C_API [12]$/m);
    } finally {
      if (before) writeFileSync(header, before); else rmSync(header, { force: true });
      if (!hadDir) rmSync(dir, { recursive: true, force: true });
    }
    expect(pioArgs(p)).toEqual(["run", "-d", join(wasm2cDir(), "..", ".."), "-e", "esp32dev-wasm2c", "-t", "upload"]);
  }, 60_000);
});

describe.skipIf(!haveWasm2c)("the package's own translation (build/w2c/<profile>, scripts/build.mjs)", () => {
  it("is used without wasm2c when it was made from the same module bytes, refused when not", () => {
    const work = mkdtempSync(join(tmpdir(), "edgeprop-w2c-shipped-"));
    const wasm = packagePath("build", "edgeprop.wasm");
    const path = process.env.PATH;
    try {
      // A translation as scripts/build.mjs ships it: wasm2c's output adapted, and the module's hash.
      const fresh = join(work, "fresh"), shipped = join(work, "shipped");
      writeWasm2cSources(wasm, fresh);
      mkdirSync(shipped);
      for (const f of ["edgeprop.c", "edgeprop.h"]) copyFileSync(join(fresh, f), join(shipped, f));
      writeFileSync(join(shipped, "module.sha256"), createHash("sha256").update(readFileSync(wasm)).digest("hex") + "\n");
      expect(shippedTranslationFits(shipped, readFileSync(wasm))).toBe(true);
      process.env.PATH = "/nonexistent";
      const out = join(work, "out");
      writeWasm2cSources(wasm, out, shipped);
      expect(readFileSync(join(out, "edgeprop.c")).equals(readFileSync(join(fresh, "edgeprop.c")))).toBe(true);
      for (const f of ["wasm-rt.h", "wasm-rt-impl.c", "wasm-rt-impl.h", "ep-wasm-memory.h", "w2c-api.h"]) expect(existsSync(join(out, f)), f).toBe(true);
      // Another module (one byte changed): the shipped C is not its translation, and without wasm2c that is exit 2.
      const other = join(work, "other.wasm");
      const bytes = readFileSync(wasm);
      bytes[bytes.length - 1] ^= 1;
      writeFileSync(other, bytes);
      expect(shippedTranslationFits(shipped, bytes)).toBe(false);
      expect(() => writeWasm2cSources(other, join(work, "out2"), shipped)).toThrow(UsageError);
      expect(existsSync(join(work, "out2"))).toBe(false);
    } finally {
      process.env.PATH = path;
      rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);
});
