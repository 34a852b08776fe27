// The Arduino/PlatformIO library at the repository root: library.json and
// library.properties carry what PlatformIO and the Arduino IDE require, agree
// with each other (and with the Wasm3 version boards/esp32 pins), and every
// path and source glob they name exists; the library's src/ includes only
// files that exist; boards/esp32 builds from it; and the SerialTrainer
// example builds for the POSIX board and answers a HELLO.
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";
import { encodeFrame, framesIn } from "../helpers/spec-frames";

const at = (...p: string[]) => path.join(repoRoot, ...p);
const json = JSON.parse(readFileSync(at("library.json"), "utf8"));
const properties = new Map<string, string>();
readFileSync(at("library.properties"), "utf8").split("\n").forEach((line, i) => {
  if (line.trim() === "" || line.startsWith("#")) return;
  const eq = line.indexOf("=");
  if (eq <= 0) throw new Error(`library.properties:${i + 1}: not key=value: ${line}`);
  const key = line.slice(0, eq);
  if (properties.has(key)) throw new Error(`library.properties:${i + 1}: ${key} twice`);
  properties.set(key, line.slice(eq + 1));
});
const SEMVER = /^\d+\.\d+\.\d+$/;

/** Files under `dir` (relative to it) a PlatformIO srcFilter of "+<PATTERN>" entries selects (only * wildcards, no directories). */
function filtered(dir: string, filter: string[]): string[] {
  const names = readdirSync(dir).filter((f) => statSync(path.join(dir, f)).isFile());
  const keep = new Set<string>();
  for (const entry of filter) {
    const m = /^([+-])<([^<>]+)>$/.exec(entry);
    if (!m) throw new Error(`srcFilter entry '${entry}' is not +<glob> or -<glob>`);
    const re = new RegExp("^" + m[2].split("*").map((s) => s.replace(/[.?+^$()[\]{}|\\]/g, "\\$&")).join("[^/]*") + "$");
    for (const n of names) if (re.test(n)) { if (m[1] === "+") keep.add(n); else keep.delete(n); }
  }
  return [...keep].sort();
}

describe("library.json (PlatformIO)", () => {
  it("has the fields PlatformIO's registry requires, consistent with package.json", () => {
    const pkg = JSON.parse(readFileSync(at("package.json"), "utf8"));
    expect(json.name).toMatch(/^[a-z0-9_-]+$/);
    expect(json.version).toMatch(SEMVER);
    expect(json.version).toBe(pkg.version);
    expect(json.license).toBe(pkg.license);
    expect(typeof json.description).toBe("string");
    expect(json.frameworks).toContain("arduino");
    expect(json.platforms).toContain("espressif32");
    expect(json.keywords.length).toBeGreaterThan(0);
    expect(json.authors.length).toBeGreaterThan(0);
  });

  it("names a source directory, headers, a source filter and examples that exist", () => {
    const src = at(json.build.srcDir);
    expect(statSync(src).isDirectory()).toBe(true);
    for (const h of json.headers) expect(existsSync(at(json.build.includeDir, h)), h).toBe(true);
    const selected = filtered(src, json.build.srcFilter);
    expect(selected).toEqual(["edgeprop_api.c", "edgeprop_engine.c", "edgeprop_error_frame.c", "edgeprop_esp32_board.cpp",
      "edgeprop_esp32_storage.cpp", "edgeprop_pump.c", "edgeprop_storage_key.c"]);
    for (const ex of json.examples) {
      for (const f of ex.files) expect(existsSync(at(ex.base, f)), `${ex.base}/${f}`).toBe(true);
    }
    for (const p of json.export.include) expect(existsSync(at(p)), p).toBe(true);
  });

  it("depends on the Wasm3 version boards/esp32 pins", () => {
    const ini = readFileSync(at("boards", "esp32", "platformio.ini"), "utf8");
    const pinned = /wasm3\/Wasm3@(\S+)/.exec(ini)![1];
    const dep = json.dependencies.find((d: { name: string }) => d.name === "Wasm3");
    expect(dep).toEqual({ owner: "wasm3", name: "Wasm3", version: pinned });
    expect(properties.get("depends")).toBe(`Wasm3 (=${pinned})`);
  });
});

describe("library.properties (Arduino IDE)", () => {
  it("has every field the Arduino library specification requires", () => {
    for (const key of ["name", "version", "author", "maintainer", "sentence", "paragraph", "category", "url", "architectures"]) {
      expect(properties.get(key)?.trim(), key).toBeTruthy();
    }
    expect(properties.get("name")).toBe(json.name);
    expect(properties.get("version")).toBe(json.version);
    expect(["Display", "Communication", "Signal Input/Output", "Sensors", "Device Control", "Timing", "Data Storage",
      "Data Processing", "Other", "Uncategorized"]).toContain(properties.get("category"));
    expect(properties.get("url")).toMatch(/^https?:\/\/\S+$/);
    for (const h of properties.get("includes")!.split(",")) expect(existsSync(at("src", h.trim())), h).toBe(true);
  });

  it("has the 1.5 layout: sources in src/, each example a folder holding FOLDER.ino", () => {
    expect(statSync(at("src")).isDirectory()).toBe(true);
    const examples = readdirSync(at("examples"));
    expect(examples.sort()).toEqual(["OnDeviceLearning", "SerialTrainer"]);
    for (const ex of examples) expect(existsSync(at("examples", ex, `${ex}.ino`)), ex).toBe(true);
  });
});

describe("the library's sources", () => {
  it("include only files that exist (src/ includes boards/ by relative path)", () => {
    const files = [...readdirSync(at("src")).map((f) => at("src", f)), at("boards", "esp32", "board_esp32.cpp"),
      at("boards", "esp32", "storage_littlefs.cpp"), at("boards", "esp32", "src", "main.cpp")];
    let relative = 0;
    for (const file of files) {
      for (const m of readFileSync(file, "utf8").matchAll(/^#include "(\.\.\/[^"]+)"/gm)) {
        relative++;
        expect(existsSync(path.resolve(path.dirname(file), m[1])), `${path.relative(repoRoot, file)}: ${m[1]}`).toBe(true);
      }
    }
    expect(relative).toBeGreaterThanOrEqual(8);
  });

  it("boards/esp32 builds from the library at the repository root", () => {
    const ini = readFileSync(at("boards", "esp32", "platformio.ini"), "utf8");
    const m = /^lib_deps = edgeprop=symlink:\/\/(\S+)$/m.exec(ini);
    expect(m).not.toBeNull();
    expect(path.resolve(at("boards", "esp32"), m![1])).toBe(repoRoot);
    expect(readFileSync(at("boards", "esp32", "src", "main.cpp"), "utf8")).toMatch(/examples\/SerialTrainer\/SerialTrainer\.ino/);
  });
});

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;

describe.skipIf(!has("gcc"))("the library's C sources compile as Arduino compiles them (one translation unit each)", () => {
  // The ESP32 .cpp files need the Arduino core and the engine wasm3's headers; the rest is plain C.
  for (const f of readdirSync(at("src")).filter((n) => n.endsWith(".c") && n !== "edgeprop_engine.c")) {
    it(f, () => {
      const r = spawnSync("gcc", ["-std=gnu99", "-Wall", "-Wextra", "-Werror", "-fsyntax-only", at("src", f)], { encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    });
  }
});

describe.skipIf(!(has("wasm2c") && has("gcc") && has("g++") && has("make")))("SerialTrainer on the POSIX board", () => {
  const work = tmpDir("edgeprop-serial-trainer-");
  afterAll(() => rmDir(work));
  it("builds and answers a HELLO like the plain board", async () => {
    const obj = path.join(work, "obj");
    execFileSync("make", ["-s", "-C", at("boards", "posix"), "ENGINE=wasm2c", `OBJ=${obj}`, "example", "EXAMPLE=SerialTrainer"], { stdio: "pipe" });
    const child = spawn(path.join(obj, "SerialTrainer"), [], { stdio: "pipe" });
    let out = Buffer.alloc(0);
    child.stdout.on("data", (b: Buffer) => { out = Buffer.concat([out, b]); });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.stdin.write(encodeFrame(0x01, 7));
    const end = Date.now() + 10_000;
    while (!framesIn(out).some((f) => f.type === 0x81)) {
      if (Date.now() > end) throw new Error(`no HELLO reply: ${JSON.stringify(out.toString("latin1"))}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const reply = framesIn(out).find((f) => f.type === 0x81)!;
    expect(reply.seq).toBe(7);
    expect(reply.payload[1]).toBe(0); // not configured: SerialTrainer waits for the host
    expect(out.toString("latin1")).toMatch(/^edgeprop \S+ pr=1 /);
    child.stdin.end();
    expect(await exited).toBe(0);
  }, 300_000);
});
