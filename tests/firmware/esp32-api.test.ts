// The ESP32 firmware compiled for real against the APIs it is pinned to
// (platform espressif32@6.13.0: Arduino-ESP32 2.0.17 on ESP-IDF 4.4.7), with
// this machine's gcc/g++: no Xtensa toolchain or PlatformIO is reachable here,
// so tests/fixtures/esp32-api/include holds declaration-only copies of the
// framework headers the code includes (each names its upstream file). Every
// translation unit PlatformIO builds for the esp32dev environments (the
// library: library.json srcDir src, *.c and *.cpp; the project's
// boards/esp32/src) is compiled to an object with the framework's defines and
// the environment's build_flags, plus the OnDeviceLearning sketch as the
// Arduino IDE builds it. A wrong call, a misspelt name or a wrong argument
// count fails here instead of on a board. The objects of each program are
// then checked as the linker would see them: every edgeprop symbol one object
// needs is defined by another, none twice, and setup()/loop() exist.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";
import { loadProfile } from "../../host/firmware/profiles.js";
import { buildModule } from "../../host/firmware/build-module.js";
import { moduleHeader } from "../../host/firmware/header.js";
import { findWasm2c, writeWasm2cSources } from "../../host/firmware/wasm2c-sources.js";

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const at = (...p: string[]) => path.join(repoRoot, ...p);
const HAS_CC = has("gcc") && has("g++") && has("nm");
const HAS_WASM2C = HAS_CC && findWasm2c() !== null;
// wasm3's headers are not in the repository (nor fetched by it): its engine
// file is compiled only when EDGEPROP_M3_INCLUDE names a wasm3 source dir.
const M3_INCLUDE = process.env.EDGEPROP_M3_INCLUDE ?? "";

const FIXTURE = at("tests", "fixtures", "esp32-api", "include");
/** The target's sdkconfig.h (the only header that differs between the chips, as far as this code reads them). */
const sdkconfigOf = (target: string) => at("tests", "fixtures", "esp32-api", "targets", target);
const PROJECT = at("boards", "esp32");

// What the framework's build script defines (tools/platformio-build-esp32.py
// of framework-arduinoespressif32: CPPDEFINES; the esp32dev board's
// extra_flags; PlatformIO's own PLATFORMIO), and its language flags.
const FRAMEWORK_DEFINES = [
  "-DHAVE_CONFIG_H", "-DUNITY_INCLUDE_CONFIG_H", "-DWITH_POSIX", "-D_GNU_SOURCE", '-DIDF_VER="v4.4.7"',
  "-DESP_PLATFORM", "-D_POSIX_READER_WRITER_LOCKS", "-DARDUINO_ARCH_ESP32", "-DESP32", "-DF_CPU=240000000L",
  "-DARDUINO=10812", '-DARDUINO_VARIANT="esp32"', '-DARDUINO_BOARD="Espressif ESP32 Dev Module"',
  "-DARDUINO_PARTITION_default", "-DARDUINO_ESP32_DEV",
  "-DPLATFORMIO=60118", // PlatformIO Core 6.1.18's; wasm3 and this code only test that it is defined
];
const C_FLAGS = ["-std=gnu99", "-Wno-old-style-declaration"];
const CXX_FLAGS = ["-std=gnu++11", "-fexceptions", "-fno-rtti"];
// Stricter than the framework (which adds no -Wall): our code is held to it.
const WARNINGS = ["-Wall", "-Wextra", "-Werror", "-Wwrite-strings"];

// boards/esp32/platformio.ini: [env] build_flags, then [wasm3] or [wasm2c], then [env:esp32dev*].
const ENV_FLAGS = ["-O3", "-ffp-contract=off", "-I", path.join(PROJECT, "src")];
const WASM3_FLAGS = [...ENV_FLAGS, "-Dd_m3MaxFunctionStackHeight=256", "-DEDGEPROP_PUMP_TASK_STACK=49152"];
const wasm2cFlags = (w2c: string) => [...ENV_FLAGS, "-DEDGEPROP_ENGINE_WASM2C=1", "-I", w2c, "-I", at("boards", "common"),
  "-I", at("boards", "common", "wasm2c-include"), "-DEDGEPROP_PUMP_TASK_STACK=24576"];

let work = "";
let moduleDir = "";
let w2cDir = "";

beforeAll(() => {
  if (!HAS_CC) return;
  work = tmpDir("edgeprop-esp32-api-");
  // src/edgeprop_module.h as `edgeprop flash --board esp32` writes it, but into
  // a temporary directory on the include path (it is not in a clone).
  const profile = loadProfile("esp32");
  const wasm = path.join(work, "boards", "esp32", "edgeprop.wasm");
  const { bytes, buildId } = buildModule({ pages: profile.pages, memoryLimit: profile.memory_limit, out: wasm });
  moduleDir = path.join(work, "module");
  mkdirSync(moduleDir);
  writeFileSync(path.join(moduleDir, "edgeprop_module.h"), moduleHeader(bytes, buildId, profile));
  if (HAS_WASM2C) {
    w2cDir = path.join(work, "w2c");
    writeWasm2cSources(wasm, w2cDir); // boards/esp32/src/w2c as `edgeprop flash --board-engine wasm2c` writes it
  }
}, 120_000);
afterAll(() => { if (work) rmDir(work); });

interface Unit { source: string; lang: "c" | "c++" }

/** library.json: srcDir src, srcFilter +<*.c> +<*.cpp>. */
function libraryUnits(): Unit[] {
  return readdirSync(at("src")).filter((n) => /\.(c|cpp)$/.test(n)).sort()
    .map((n) => ({ source: at("src", n), lang: n.endsWith(".c") ? "c" as const : "c++" as const }));
}

function compile(unit: Unit, envFlags: string[], obj: string, extra: string[], target: string): { status: number | null; stderr: string } {
  const lang = unit.lang === "c" ? ["gcc", C_FLAGS] as const : ["g++", CXX_FLAGS] as const;
  // The generated header's directory first: a stale boards/esp32/src/edgeprop_module.h
  // left by a local `edgeprop flash` (git ignores it) must not be the one compiled.
  const r = spawnSync(lang[0], [...lang[1], ...WARNINGS, ...FRAMEWORK_DEFINES, "-I", moduleDir, ...envFlags, ...extra,
    "-I", sdkconfigOf(target), "-I", FIXTURE, "-I", at("src"), "-x", unit.lang, "-c", unit.source, "-o", obj], { encoding: "utf8" });
  return { status: r.status, stderr: r.stderr };
}

function expectCompiles(unit: Unit, envFlags: string[], obj: string, extra: string[] = [], target = "esp32") {
  const r = compile(unit, envFlags, obj, extra, target);
  expect(r.stderr, path.relative(repoRoot, unit.source)).toBe("");
  expect(r.status).toBe(0);
}

interface Symbols { defined: Map<string, string[]>; undefined: Set<string> }

/** Global symbols of the objects, as the linker resolves them. */
function symbolsOf(objs: string[]): Symbols {
  const defined = new Map<string, string[]>();
  const undef = new Set<string>();
  for (const obj of objs) {
    const r = spawnSync("nm", ["-g", obj], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    for (const line of r.stdout.split("\n")) {
      const m = /^(?:[0-9a-f]+)?\s+([A-Za-z])\s+(\S+)$/.exec(line);
      if (!m) continue;
      if (m[1] === "U") undef.add(m[2]);
      else if (!/[vVwW]/.test(m[1])) defined.set(m[2], [...(defined.get(m[2]) ?? []), path.basename(obj)]);
    }
  }
  return { defined, undefined: undef };
}

/** The edgeprop symbols (C names ep_* / edgeprop_*) a program needs and nobody defines, and any defined twice. */
function linkProblems(objs: string[], mayBeMissing: RegExp | null): { missing: string[]; twice: string[] } {
  const { defined, undefined: undef } = symbolsOf(objs);
  const missing = [...undef].filter((s) => /^(ep_|edgeprop_)/.test(s) && !defined.has(s) && !(mayBeMissing && mayBeMissing.test(s)));
  const twice = [...defined].filter(([, where]) => where.length > 1).map(([s, where]) => `${s} (${where.join(", ")})`);
  return { missing: missing.sort(), twice };
}

/** A sketch as the Arduino IDE compiles it: <Arduino.h> first, then the .ino as C++. */
function sketchUnit(ino: string): Unit {
  const wrapper = path.join(work, path.basename(ino, ".ino") + ".ino.cpp");
  writeFileSync(wrapper, `#include <Arduino.h>\n#line 1 ${JSON.stringify(ino)}\n#include ${JSON.stringify(ino)}\n`);
  return { source: wrapper, lang: "c++" };
}

const SETUP_LOOP = ["_Z5setupv", "_Z4loopv"]; // void setup(), void loop(): Arduino's main task calls them

describe.skipIf(!HAS_CC)(`ESP32 firmware against the Arduino-ESP32 2.0.17 / ESP-IDF 4.4.7 declarations${HAS_CC ? "" : " (skipped: needs gcc, g++ and nm)"}`, () => {
  const objs = (dir: string) => readdirSync(dir).filter((n) => n.endsWith(".o")).map((n) => path.join(dir, n));

  describe("env esp32dev (wasm3)", () => {
    const dir = () => path.join(work, "esp32dev");
    beforeAll(() => { if (work) mkdirSync(dir(), { recursive: true }); });
    for (const unit of libraryUnits()) {
      const name = path.relative(repoRoot, unit.source);
      const needsWasm3 = name === path.join("src", "edgeprop_engine.c");
      it.skipIf(needsWasm3 && !M3_INCLUDE)(`library ${name}${needsWasm3 && !M3_INCLUDE ? " (needs EDGEPROP_M3_INCLUDE: wasm3's headers)" : ""}`, () => {
        expectCompiles(unit, WASM3_FLAGS, path.join(dir(), path.basename(unit.source) + ".o"), needsWasm3 ? ["-I", M3_INCLUDE] : []);
      });
    }
    it("project boards/esp32/src/main.cpp (the SerialTrainer sketch)", () => {
      expectCompiles({ source: path.join(PROJECT, "src", "main.cpp"), lang: "c++" }, WASM3_FLAGS, path.join(dir(), "main.cpp.o"));
    });
    it("links as far as edgeprop's own symbols go: each defined once, none missing; setup and loop defined", () => {
      const all = objs(dir());
      expect(all.length).toBe(libraryUnits().length + (M3_INCLUDE ? 1 : 0)); // every unit above compiled
      // Without wasm3's headers the engine's object is missing: its ep_engine_* are all it would add.
      const { missing, twice } = linkProblems(all, M3_INCLUDE ? null : /^ep_engine_/);
      expect(missing).toEqual([]);
      expect(twice).toEqual([]);
      const { defined } = symbolsOf([path.join(dir(), "main.cpp.o")]);
      for (const s of SETUP_LOOP) expect(defined.has(s), s).toBe(true);
    });
  });

  describe("the OnDeviceLearning sketch with the library (Arduino IDE build)", () => {
    const dir = () => path.join(work, "odl");
    it("compiles with the library, and links as far as edgeprop's symbols go", () => {
      mkdirSync(dir(), { recursive: true });
      for (const unit of libraryUnits()) {
        if (path.basename(unit.source) === "edgeprop_engine.c" && !M3_INCLUDE) continue;
        expectCompiles(unit, [], path.join(dir(), path.basename(unit.source) + ".o"), M3_INCLUDE ? ["-I", M3_INCLUDE] : []);
      }
      const sketch = sketchUnit(at("examples", "OnDeviceLearning", "OnDeviceLearning.ino"));
      expectCompiles(sketch, [], path.join(dir(), "OnDeviceLearning.ino.cpp.o"));
      const { missing, twice } = linkProblems(objs(dir()), M3_INCLUDE ? null : /^ep_engine_/);
      expect(missing).toEqual([]);
      expect(twice).toEqual([]);
      const { defined } = symbolsOf([path.join(dir(), "OnDeviceLearning.ino.cpp.o")]);
      for (const s of SETUP_LOOP) expect(defined.has(s), s).toBe(true);
    });
  });

  describe.skipIf(!HAS_WASM2C)(`env esp32dev-wasm2c (src/w2c generated by the real wasm2c)${HAS_WASM2C ? "" : " (skipped: needs wasm2c)"}`, () => {
    const dir = () => path.join(work, "esp32dev-wasm2c");
    it("the library, main.cpp and edgeprop_engine_wasm2c.c compile; edgeprop's symbols link", () => {
      mkdirSync(dir(), { recursive: true });
      const flags = wasm2cFlags(w2cDir);
      // build_src_filter = +<*> -<edgeprop_engine_wasm3.c>: main.cpp, the engine, and w2c/ (the generated module, not
      // compiled here, and edgeprop's wasm-rt, whose ep_wasm_* the engine uses).
      const project: Unit[] = [{ source: path.join(PROJECT, "src", "main.cpp"), lang: "c++" },
        { source: path.join(PROJECT, "src", "edgeprop_engine_wasm2c.c"), lang: "c" },
        { source: path.join(w2cDir, "wasm-rt-impl.c"), lang: "c" }];
      for (const unit of [...libraryUnits(), ...project]) {
        expectCompiles(unit, flags, path.join(dir(), path.basename(unit.source) + ".o"));
      }
      // The translated module (w2c/edgeprop.c) defines the rest.
      const { missing, twice } = linkProblems(objs(dir()), null);
      expect(missing).toEqual([]);
      expect(twice).toEqual([]);
    });
  });

  // The other boards' environments differ in what board_esp32.cpp compiles:
  // the S3 sets BOARD_HAS_PSRAM (psramFound), the C3 is single core without
  // PSRAM (CONFIG_FREERTOS_UNICORE, no CONFIG_SPIRAM_USE_MALLOC). The ESP32's
  // declarations serve for all three: the APIs used are the same on each.
  // ARDUINO_ESP32_DEV stays defined (nothing reads a board macro).
  for (const env of [
    { name: "esp32-s3-devkitc-1", target: "esp32s3", flags: ["-DBOARD_HAS_PSRAM", "-DEDGEPROP_PUMP_TASK_STACK=65536"] },
    { name: "esp32-c3-devkitm-1", target: "esp32c3", flags: ["-DEDGEPROP_PUMP_TASK_STACK=32768"] },
  ]) {
    it(`env ${env.name}: the library's board and storage and main.cpp compile for ${env.target}`, () => {
      const dir = path.join(work, env.name);
      mkdirSync(dir, { recursive: true });
      const flags = [...WASM3_FLAGS.filter((f) => !f.startsWith("-DEDGEPROP_PUMP_TASK_STACK=")), ...env.flags];
      const units = [...libraryUnits().filter((u) => u.lang === "c++"), { source: path.join(PROJECT, "src", "main.cpp"), lang: "c++" as const }];
      for (const unit of units) expectCompiles(unit, flags, path.join(dir, path.basename(unit.source) + ".o"), [], env.target);
    });
  }

  // The fixtures are strict enough to catch a wrong call: mutated copies of
  // board_esp32.cpp / storage_littlefs.cpp (compiled from stdin; -iquote finds
  // their ../common/ headers) must fail, naming the API.
  describe("a wrong call fails to compile", () => {
    const mutants: Array<{ file: string; from: RegExp; to: string; error: RegExp }> = [
      { file: "board_esp32.cpp", from: /&g_pump, core\)/, to: "&g_pump)", error: /xTaskCreatePinnedToCore/ },
      { file: "board_esp32.cpp", from: /esp_task_wdt_reset\(\);/, to: "esp_task_wdt_feed();", error: /esp_task_wdt_feed/ },
      { file: "board_esp32.cpp", from: /EDGEPROP_SERIAL\.setRxBufferSize\(/, to: "EDGEPROP_SERIAL.setRxBuffer(", error: /setRxBuffer/ },
      { file: "board_esp32.cpp", from: /heap_caps_get_largest_free_block\(MALLOC_CAP_INTERNAL \| MALLOC_CAP_8BIT\)/, to: "heap_caps_get_largest_free_block()", error: /heap_caps_get_largest_free_block/ },
      { file: "storage_littlefs.cpp", from: /LittleFS\.rename\(g_temp, g_path\)/, to: "LittleFS.rename(g_temp)", error: /rename/ },
      { file: "storage_littlefs.cpp", from: /g_file\.size\(\)/, to: "g_file.length()", error: /length/ },
    ];
    for (const m of mutants) {
      it(`${m.file}: ${m.to}`, () => {
        const original = readFileSync(path.join(PROJECT, m.file), "utf8");
        expect(original).toMatch(m.from);
        const r = spawnSync("g++", [...CXX_FLAGS, ...WARNINGS, ...FRAMEWORK_DEFINES, ...WASM3_FLAGS, "-iquote", PROJECT,
          "-I", sdkconfigOf("esp32"), "-I", FIXTURE, "-I", at("src"), "-x", "c++", "-fsyntax-only", "-"], { input: original.replace(m.from, m.to), encoding: "utf8" });
        expect(r.status).not.toBe(0);
        expect(r.stderr).toMatch(m.error);
      });
    }
    it("the unmutated copies compile the same way (the mutation is what fails)", () => {
      for (const file of ["board_esp32.cpp", "storage_littlefs.cpp"]) {
        const r = spawnSync("g++", [...CXX_FLAGS, ...WARNINGS, ...FRAMEWORK_DEFINES, ...WASM3_FLAGS, "-iquote", PROJECT,
          "-I", sdkconfigOf("esp32"), "-I", FIXTURE, "-I", at("src"), "-x", "c++", "-fsyntax-only", "-"], { input: readFileSync(path.join(PROJECT, file), "utf8"), encoding: "utf8" });
        expect(r.stderr, file).toBe("");
        expect(r.status).toBe(0);
      }
    });
  });
});
