// The serial commands a user runs by hand: `board --pty` serving a simulated
// board that `train --port` trains on (to the bits of --link direct),
// `monitor` showing a board's banner and frames, `ports` never crashing
// where serialport's listing cannot run (no udevadm in a container).
import { afterAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { cliPath, tmpDir, rmDir } from "./helpers/paths";
import { runCli } from "./helpers/cli";
import { goldenCases, caseArgs } from "./helpers/golden";
import { startPtyBoard } from "../host/transports/pty";

const work = tmpDir("edgeprop-serial-");
afterAll(() => rmDir(work));

function start(args: string[]): { child: ChildProcess; out: () => string } {
  const child = spawn(process.execPath, [cliPath, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (b) => { out += b.toString(); });
  return { child, out: () => out };
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) { resolve(child.exitCode); return; }
    child.once("exit", (code) => resolve(code));
    child.kill("SIGINT");
  });
}

describe("edgeprop board --pty + edgeprop train --port", () => {
  it("trains a golden case over the pty to --link direct's bits, then stops on Ctrl-C with exit 0", async () => {
    const c = goldenCases().find((g) => g.name === "momentum-spiral-ce") ?? goldenCases()[0];
    const board = start(["board", "--pty", "--board", "esp32"]);
    try {
      await until(() => board.out().includes("\n"), 10_000);
      const port = board.out().trim().split("\n")[0];
      expect(port).toMatch(/^\//);
      const args = caseArgs(c);
      const direct = runCli(["sim", ...args, "--link", "direct", "--json", "--save", path.join(work, "direct.json")]);
      expect(direct.code, direct.stderr).toBe(0);
      const viaPort = runCli(["train", "--port", port, ...args, "--json", "--save", path.join(work, "port.json")]);
      expect(viaPort.code, viaPort.stderr).toBe(0);
      expect(readFileSync(path.join(work, "port.json")).equals(readFileSync(path.join(work, "direct.json")))).toBe(true);
    } finally {
      expect(await stop(board.child)).toBe(0);
    }
  });
});

describe("edgeprop monitor", () => {
  it("shows the board's replies as decoded frames (--hello asks for its identity)", async () => {
    const pty = await startPtyBoard([process.execPath, cliPath, "board", "--stdio"]);
    const mon = start(["monitor", "--port", pty.path, "--hello"]);
    try {
      await until(() => /frame\s+HELLO_REPLY/.test(mon.out()), 10_000);
      expect(mon.out()).toMatch(/HELLO_REPLY\s+seq\s+0\s+32 bytes\s+protocol 1, build [0-9a-f]{8}, boot [0-9a-f]{8}, memory limit \d+, not configured/);
    } finally {
      await stop(mon.child);
      await pty.stop();
    }
  });
});

describe("edgeprop ports", () => {
  it("lists ports (or says there are none) without crashing, also as JSON", () => {
    const plain = runCli(["ports"]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout.length).toBeGreaterThan(0);
    const json = runCli(["ports", "--json"]);
    expect(json.code, json.stderr).toBe(0);
    for (const line of json.stdout.split("\n").filter(Boolean)) expect(JSON.parse(line).path).toMatch(/^\/dev\//);
  });
});
