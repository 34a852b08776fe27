// The serial line of `train --port` and `monitor` (issue 10 bug 8): the baud
// comes from --board when given, a board that does not answer gets the likely
// causes instead of a bare "no reply", and monitor says what it waits for.
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { startPtyBoard } from "../../host/transports/pty";
import { cli, root, run } from "./util";

/** A pty whose other side reads everything and never answers: a board without the firmware. */
const silentBoard = () => startPtyBoard([process.execPath, "-e", "process.stdin.resume()"]);

const TRAIN = ["--dataset", "iris", "--epochs", "1", "--timeout", "10", "--retries", "2"];

describe("train --port on a board that does not answer", () => {
  it("with --board: the profile's baud, named with the likely causes; exit 4", async () => {
    const pty = await silentBoard();
    try {
      const r = run(["train", "--port", pty.path, "--board", "esp32", ...TRAIN]);
      expect(r.code).toBe(4);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/Nothing answers on .* at 921600 baud \(the esp32 profile's\)/);
      expect(r.stderr).toMatch(/the baud does not match the firmware's.*not flashed \(edgeprop flash.*another program .* has the port open/);
    } finally {
      await pty.stop();
    }
  });

  it("without --board or --baud: 115200, said to be the default", async () => {
    const pty = await silentBoard();
    try {
      const r = run(["train", "--port", pty.path, ...TRAIN]);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/at 115200 baud \(the default; give --board PROFILE or --baud\)/);
      const typed = run(["train", "--port", pty.path, "--board", "esp32", "--baud", "57600", ...TRAIN]);
      expect(typed.stderr).toMatch(/at 57600 baud \(--baud\)/);
    } finally {
      await pty.stop();
    }
  });

  it("the help says where the baud comes from", () => {
    const r = run(["train", "--help"]);
    expect(r.stdout).toMatch(/--baud INT\s+serial line rate \(default: the --board profile's, else 115200\)/);
    expect(r.stdout).toMatch(/--board PROFILE\s+the board's profile/);
  });
});

describe("monitor without --hello", () => {
  it("prints a line saying what it is waiting for", async () => {
    const pty = await silentBoard();
    const mon = spawn(process.execPath, [cli, "monitor", "--port", pty.path, "--board", "esp32-c3"], { cwd: root });
    try {
      let out = "";
      mon.stdout.on("data", (d) => { out += d; });
      const deadline = Date.now() + 10_000;
      while (!out.includes("\n") && mon.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      expect(out).toMatch(/^monitor: watching .* at 460800 baud \(the esp32-c3 profile's\) for the board's text lines and frames; nothing is sent \(--hello asks the board to answer\); Ctrl-C to stop\n/);
    } finally {
      if (mon.exitCode === null && mon.signalCode === null) {
        const exited = new Promise((r) => mon.once("exit", r));
        mon.kill("SIGINT");
        await exited;
      }
      await pty.stop();
    }
  });
});
