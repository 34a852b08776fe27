// The documentation's examples are tests: every `edgeprop ...` command in a
// shell block of README.md and docs/usage.md (and every inline `edgeprop
// --flag ...` example in their prose) runs through the built CLI
// (bin/edgeprop.js), in document order, in a temporary folder holding the
// files the examples name (small generated CSVs, the CSVs of data/). An example
// that crashes fails the suite. Long runs are cut to a few epochs; the
// serial-port examples run against the README's own simulated board
// (`edgeprop board --pty`). What cannot run here is listed in EXCLUDED with
// the reason; what a known host bug breaks is in KNOWN_BROKEN and runs as
// it.fails, so the fix flips it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { mulberry32 } from "../host/data/rng";
import { cliPath, repoRoot, rmDir, tmpDir } from "./helpers/paths";
import { unavailable as emulatorUnavailable } from "./emulated/emulated-board";

const DOCS = ["README.md", "docs/usage.md"];

/** Examples that cannot run here, by their exact text, with the reason. */
const EXCLUDED: Record<string, string> = {
  "npx edgeprop <command> --help": "a pattern (<command>), not a command; tests/ux/help.test.ts runs every command's --help",
  "npx edgeprop flash --board esp32 --port /dev/ttyUSB0": "needs PlatformIO and an ESP32 on a USB port",
  "edgeprop train --port PATH": "a pattern (PATH); the README's train --port examples run against a simulated pty board",
  "edgeprop monitor --port PATH": "a pattern (PATH), and runs until Ctrl-C; tests/serial-commands.test.ts runs monitor on a pty",
  "edgeprop pull --port PATH --save model.json": "a pattern (PATH); tests/firmware/on-device-learning.test.ts runs pull over a pty against the OnDeviceLearning board",
  "edgeprop push model.json --port PATH --opt adam --lr 0.005": "a pattern (PATH); tests/firmware/push.test.ts pushes to a simulated board on a pty, tests/emulated/on-device-learning.test.ts to the OnDeviceLearning sketch, which fine-tunes it",
  "npx edgeprop fleet serve --broker mqtt://localhost:1883 --fleet line1 --layers 4,16,3 --loss ce --opt adam --lr 0.01 --rounds 20 --min-clients 2 --save global.json":
    "needs an MQTT broker on localhost:1883 and its clients; tests/fleet/commands.test.ts runs fleet serve and two fleet join as processes against a mosquitto it starts",
  "npx edgeprop fleet join --broker mqtt://localhost:1883 --fleet line1 --id press-07 --data flowers.csv --layers 4,16,3 --loss ce --opt adam --lr 0.01 --resident":
    "runs until Ctrl-C and needs a broker and a coordinator; tests/fleet/commands.test.ts runs it",
  "edgeprop board --pty": "runs until Ctrl-C; README.md's `board --pty --board esp32` example is run (and its train --port examples use it)",
};

/** Examples a known host bug breaks: they run, and are expected to fail until it is fixed. */
const KNOWN_BROKEN: Record<string, string> = {
  // (none: issue 10 bug 1, --checkpoint with plain SGD, is fixed; its two examples run as normal tests)
};

/** Examples that need a program the machine may not have. */
const NEEDS: Record<string, { ok: () => boolean; why: string }> = {
  "npx edgeprop sim --data data.csv --layers 10,1 --loss mse --engine wasi:wasm3": {
    ok: () => onPath("wasm3"), why: "wasm3 on the PATH (no Debian package ships it; see tests/firmware-golden.test.ts)",
  },
};

/** Long runs are cut to this many epochs; a run that writes a checkpoint to fewer, so its resume has work left. */
const EPOCHS = 3;
const CHECKPOINT_EPOCHS = 2;

interface Example { doc: string; line: number; text: string; args: string[] }

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? "").split(path.delimiter).some((d) => d && existsSync(path.join(d, cmd)));
}

/** Shell words of one command line (quotes, no expansion); a trailing `# comment` dropped. */
function words(line: string): string[] {
  const out: string[] = [];
  let cur = "", quote = "", inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) { if (c === quote) quote = ""; else cur += c; continue; }
    if (c === "'" || c === '"') { quote = c; inWord = true; continue; }
    if (c === "#" && !inWord) break;
    if (/\s/.test(c)) { if (inWord) out.push(cur); cur = ""; inWord = false; continue; }
    cur += c; inWord = true;
  }
  if (inWord) out.push(cur);
  return out;
}

/** The edgeprop commands of a Markdown file: sh blocks (with `\` continuations) and inline examples with flags. */
function extract(doc: string): Example[] {
  const lines = readFileSync(path.join(repoRoot, doc), "utf8").split("\n");
  const found: Example[] = [];
  let fence: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const f = /^```\s*(\S*)/.exec(l);
    if (f) { fence = fence === null ? f[1] : null; continue; }
    if (fence !== null) {
      if (fence !== "sh" || !/^(npx )?edgeprop /.test(l)) continue;
      let cmd = l, j = i;
      while (cmd.trimEnd().endsWith("\\") && j + 1 < lines.length) cmd = cmd.trimEnd().slice(0, -1) + " " + lines[++j].trim();
      const args = words(cmd);
      found.push({ doc, line: i + 1, text: args.join(" "), args: args.slice(args[0] === "npx" ? 2 : 1) });
      i = j;
      continue;
    }
    for (const m of l.matchAll(/`((?:npx )?edgeprop [^`]*--[^`]*)`/g)) {
      const args = words(m[1]);
      found.push({ doc, line: i + 1, text: args.join(" "), args: args.slice(args[0] === "npx" ? 2 : 1) });
    }
  }
  return found;
}

/** The emulated board's examples: `board --emulate`, `sim --emulate`, and `train --port` on the pty it printed (a /dev/pts path). */
const EMULATED_BOARD = ["board", "--emulate", "esp32-c3"];
function onEmulator(args: string[]): boolean {
  const p = args.indexOf("--port");
  return args.includes("--emulate") || (p >= 0 && args[p + 1].startsWith("/dev/pts/"));
}

/** The example as run here: epochs cut, serial ports pointed at the simulated (or the emulated) board. */
function adapt(args: string[], port: () => string, emulatedPort: () => string = port): string[] {
  const out = [...args];
  const checkpoint = out.includes("--checkpoint");
  const e = out.indexOf("--epochs");
  if (e >= 0) out[e + 1] = String(Math.min(Number(out[e + 1]), checkpoint ? CHECKPOINT_EPOCHS : EPOCHS));
  const p = out.indexOf("--port");
  if (p >= 0 && out[0] === "train") out[p + 1] = out[p + 1].startsWith("/dev/pts/") ? emulatedPort() : port();
  if (out[0] === "demo" && !out.includes("--fast")) out.push("--fast"); // the throttled line only adds waiting
  return out;
}

// ---- the files the examples name ---------------------------------------------

function csv(header: string[], rows: number[][]): string {
  return [header.join(","), ...rows.map((r) => r.join(","))].join("\n") + "\n";
}

/** Rows of n inputs in [-1, 1) and a target from `target` (seeded: the same files every run). */
function table(seed: number, rows: number, n: number, target: ((x: number[]) => number) | null): number[][] {
  const r = mulberry32(seed);
  return Array.from({ length: rows }, () => {
    const x = Array.from({ length: n }, () => Number((r() * 2 - 1).toFixed(4)));
    return target ? [...x, target(x)] : x;
  });
}

const linear = (x: number[]) => Number(x.reduce((s, v, k) => s + v * (k % 3 - 1), 0.25).toFixed(4));
const threeClasses = (x: number[]) => (x[0] + x[1] > 0.3 ? 2 : x[2] - x[3] > 0 ? 1 : 0);

function writeFixtures(dir: string): void {
  const names = (n: number) => Array.from({ length: n }, (_, k) => `x${k}`);
  writeFileSync(path.join(dir, "data.csv"), csv([...names(10), "y"], table(1, 200, 10, linear)));
  writeFileSync(path.join(dir, "my.csv"), csv([...names(5), "price"], table(2, 120, 5, linear)));
  writeFileSync(path.join(dir, "test.csv"), csv([...names(5), "price"], table(3, 40, 5, linear)));
  writeFileSync(path.join(dir, "new.csv"), csv(names(5), table(4, 10, 5, null)));
  writeFileSync(path.join(dir, "flowers.csv"), csv([...names(4), "label"], table(5, 90, 4, threeClasses)));
  mkdirSync(path.join(dir, "data"));
  for (const f of readdirSync(path.join(repoRoot, "data")).filter((n) => n.endsWith(".csv"))) {
    copyFileSync(path.join(repoRoot, "data", f), path.join(dir, "data", f));
  }
}

// ---- running -------------------------------------------------------------------

interface Run { code: number | null; stdout: string; stderr: string }

function cli(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "", stderr = "";
    child.stdout.on("data", (b) => { stdout += b; });
    child.stderr.on("data", (b) => { stderr += b; });
    const killer = setTimeout(() => child.kill("SIGKILL"), 100_000);
    child.on("error", reject);
    child.on("close", (code) => { clearTimeout(killer); resolve({ code, stdout, stderr }); });
  });
}

/** The files an example says it writes. */
function outputs(args: string[]): string[] {
  const files: string[] = [];
  for (const flag of ["--save", "--report", "--out", "--checkpoint"]) {
    const k = args.indexOf(flag);
    if (k >= 0) files.push(args[k + 1]);
  }
  return files;
}

/** `edgeprop board --pty ...` as the README runs it: started, its port read from its first line. */
class PtyBoardCommand {
  child: ChildProcess | null = null;
  port = "";
  async start(args: string[], cwd: string, timeoutMs = 20_000): Promise<string> {
    this.child = spawn(process.execPath, [cliPath, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    this.port = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${args.join(" ")} printed no port in ${timeoutMs} ms: ${out}`)), timeoutMs);
      const onData = (b: Buffer) => {
        out += b;
        const m = /^(\/\S+)$/m.exec(out);
        if (m) { clearTimeout(timer); resolve(m[1]); }
      };
      this.child!.stdout!.on("data", onData);
      this.child!.stderr!.on("data", (b) => { out += b; });
      this.child!.on("exit", (code) => { clearTimeout(timer); reject(new Error(`${args.join(" ")} exited (${code}): ${out}`)); });
    });
    return this.port;
  }
  stop(): void {
    if (this.child && this.child.exitCode === null) this.child.kill("SIGTERM");
  }
}

const PTY_BOARD = ["board", "--pty", "--board", "esp32"];

for (const doc of DOCS) {
  const examples = extract(doc);

  describe(`${doc}: every edgeprop example runs`, () => {
    const dir = tmpDir("edgeprop-examples-");
    const board = new PtyBoardCommand();
    const port = () => {
      if (!board.port) throw new Error("no simulated board is running");
      return board.port;
    };
    const emulated = new PtyBoardCommand();
    const emulatedPort = () => {
      if (!emulated.port) throw new Error("no emulated board is running");
      return emulated.port;
    };
    const noEmulator = examples.some((e) => onEmulator(e.args) || e.args.join(" ") === EMULATED_BOARD.join(" ")) ? emulatorUnavailable() : "";

    beforeAll(async () => {
      writeFixtures(dir);
      // The pump the `--engine exec:boards/posix/edgeprop-board` example names,
      // built as the README's `make -C boards/posix ENGINE=wasm2c` does, but into
      // the temporary folder instead of the repository.
      if (examples.some((e) => e.args.some((a) => a.includes("exec:boards/posix/edgeprop-board")))) {
        mkdirSync(path.join(dir, "boards", "posix"), { recursive: true });
        execFileSync("make", ["-s", "-C", path.join(repoRoot, "boards", "posix"), "ENGINE=wasm2c",
          `OBJ=${path.join(dir, "obj")}`, `BIN=${path.join(dir, "boards", "posix", "edgeprop-board")}`], { stdio: "pipe" });
      }
      if (examples.some((e) => e.args[0] === "train" && e.args.includes("--port") && !onEmulator(e.args))) await board.start(PTY_BOARD, dir);
      // The first boot builds the firmware (about a minute on a busy machine).
      if (!noEmulator && examples.some((e) => e.args[0] === "train" && onEmulator(e.args))) await emulated.start(EMULATED_BOARD, dir, 240_000);
    }, 300_000);

    afterAll(() => {
      emulated.stop();
      board.stop();
      rmDir(dir);
    });

    it("has examples, and every excluded or known-broken one is still in a document", () => {
      expect(examples.length).toBeGreaterThan(5);
      const all = DOCS.flatMap((d) => extract(d).map((e) => e.text));
      for (const k of [...Object.keys(EXCLUDED), ...Object.keys(KNOWN_BROKEN), ...Object.keys(NEEDS)]) {
        expect(all, `listed example no longer in the docs: ${k}`).toContain(k);
      }
    });

    for (const ex of examples) {
      const name = `${doc}:${ex.line}: ${ex.text}`;
      if (EXCLUDED[ex.text]) { it.skip(`${name} (excluded: ${EXCLUDED[ex.text]})`, () => {}); continue; }
      const isEmulatedBoard = ex.args.join(" ") === EMULATED_BOARD.join(" ");
      const needs = NEEDS[ex.text] ?? (onEmulator(ex.args) || isEmulatedBoard ? { ok: () => !noEmulator, why: noEmulator } : undefined);
      const test = KNOWN_BROKEN[ex.text] ? it.fails : needs && !needs.ok() ? it.skip : it;
      const label = KNOWN_BROKEN[ex.text] ? `${name} (known broken: ${KNOWN_BROKEN[ex.text]})`
        : needs && !needs.ok() ? `${name} (needs ${needs.why})` : name;
      test(label, async () => {
        if (ex.args.join(" ") === PTY_BOARD.join(" ")) {
          // The board example itself: it is running (started before the train examples); it printed a pty path.
          if (!board.port) await board.start(PTY_BOARD, dir);
          expect(existsSync(board.port), `board --pty printed ${board.port}`).toBe(true);
          return;
        }
        if (isEmulatedBoard) {
          // Like board --pty: it is running (started before its train example); it printed its pty.
          if (!emulated.port) await emulated.start(EMULATED_BOARD, dir, 240_000);
          expect(existsSync(emulated.port), `board --emulate printed ${emulated.port}`).toBe(true);
          return;
        }
        const args = adapt(ex.args, port, emulatedPort);
        const r = await cli(args, dir);
        const said = `edgeprop ${args.join(" ")} (exit ${r.code})\nstdout: ${r.stdout.slice(-2000)}\nstderr: ${r.stderr.slice(-2000)}`;
        expect(r.code, said).toBe(0);
        expect(r.stderr, said).not.toMatch(/internal error|\n\s+at \S+ \(/);
        for (const f of outputs(args)) expect(existsSync(path.join(dir, f)), `${f} not written; ${said}`).toBe(true);
      });
    }
  });
}
