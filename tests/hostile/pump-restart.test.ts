// Issue 14, item 3: after a trap or an impossible buffer the pump restarts the
// module (fresh instance, banner with the next boot id) and keeps reading;
// it does not report the same impossible buffer forever (50 MB of ERROR frames
// in 3 s before), and it gives up on a module that traps at every boot
// instead of reloading it in a loop. Stand-in modules in probes/ make the
// traps happen on demand (the real module no longer traps).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import path from "node:path";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";
import { splitBoardOutput } from "./board-output";

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const CAN_BUILD = has("wasm2c") && has("wat2wasm") && has("make") && has("cc");
const ERROR = 0xff;
const TRAP = 10;
const LOAD_FAILED = 11;
let dir = "";
beforeAll(() => { dir = tmpDir("edgeprop-restart-"); });
afterAll(() => { if (dir) rmDir(dir); });

function probeBoard(name: string): string {
  const wasm = path.join(dir, `${name}.wasm`);
  execFileSync("wat2wasm", [path.join(repoRoot, "tests", "hostile", "probes", `${name}.wat`), "-o", wasm]);
  const bin = path.join(dir, `${name}-board`);
  execFileSync("make", ["-s", "-C", path.join(repoRoot, "boards", "posix"), "ENGINE=wasm2c", `WASM=${wasm}`,
    `OBJ=${path.join(dir, `${name}-obj`)}`, `BIN=${bin}`], { stdio: "pipe" });
  return bin;
}

class Proc {
  out = Buffer.alloc(0);
  exit: Promise<number | null>;
  readonly child;
  constructor(bin: string) {
    this.child = spawn(bin, [], { stdio: "pipe" });
    this.child.stdout.on("data", (d: Buffer) => { this.out = Buffer.concat([this.out, d]); });
    this.exit = new Promise((res) => this.child.on("exit", (c) => res(c)));
  }
  async until(pred: (s: string) => boolean, what: string, ms = 5000) {
    const t0 = Date.now();
    while (!pred(this.out.toString("latin1"))) {
      if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(this.out.toString("latin1").slice(-300))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

const banner = (id: number) => `probe boot=${(id >>> 0).toString(16).padStart(8, "0")}\r\n`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!CAN_BUILD)("the pump restarts the module (wasm2c)", () => {
  it("after an impossible rx buffer (the livelock) and after a trap: one report each, banner, reads on", async () => {
    const b = new Proc(probeBoard("restart-probe"));
    try {
      await b.until((s) => /^probe boot=[0-9a-f]{8}\r\n/.test(s), "the banner");
      const id = parseInt(b.out.toString("latin1").slice(11, 19), 16);
      b.child.stdin.write("C");
      await b.until((s) => s.includes(banner(id + 1)), "the restarted module's banner");
      await sleep(300); // a livelocked pump would be writing reports all this time
      // (The probe's banner has no 0x00 after it, so count the report lines as text.)
      expect(b.out.toString("latin1").split("edgeprop: trap: rx range outside memory\r\n")).toHaveLength(2);
      expect(splitBoardOutput(b.out).frames.map((f) => [f.type, f.payload[0]])).toEqual([[ERROR, TRAP]]);
      const at = b.out.length;
      b.child.stdin.write("abc");
      await b.until((s) => s.length >= at + 3, "the echo");
      expect(b.out.subarray(at).toString()).toBe("abc"); // the fresh instance's rx_capacity is 64 again
      b.child.stdin.write("T");
      await b.until((s) => s.includes(banner(id + 2)), "the banner after the trap");
      const at2 = b.out.length;
      b.child.stdin.write("xyz");
      await b.until((s) => s.length >= at2 + 3, "the echo after the trap");
      expect(b.out.subarray(at2).toString()).toBe("xyz");
      expect(b.out.toString("latin1").split("edgeprop: trap: ")).toHaveLength(3);
    } finally {
      b.child.stdin.end();
      expect(await b.exit).toBe(0);
    }
  }, 120000);

  it("a module that traps at every boot is restarted three times, then given up on (no reload loop)", async () => {
    const b = new Proc(probeBoard("boot-trap"));
    try {
      await b.until((s) => s.includes("edgeprop: load failed:"), "the give-up report");
      const size = b.out.length;
      b.child.stdin.write(Buffer.from([1, 2, 3, 0, 4, 5, 0]));
      await sleep(300);
      expect(b.out.length).toBe(size); // quiet: input is read and dropped
      const o = splitBoardOutput(b.out);
      expect(o.reports.filter((r) => r.startsWith("edgeprop: trap:"))).toHaveLength(4);
      expect(o.frames.map((f) => f.payload[0])).toEqual([TRAP, TRAP, TRAP, TRAP, LOAD_FAILED]);
    } finally {
      b.child.stdin.end();
      expect(await b.exit).toBe(0);
    }
  }, 120000);
});
