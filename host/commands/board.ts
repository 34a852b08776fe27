// edgeprop board: serve a simulated board. --stdio speaks the protocol on
// stdin/stdout (what runs behind a pty); --pty makes a pseudo-terminal,
// prints its path and serves until stopped, for a serial monitor or
// `edgeprop train --port`. --emulate boots the real firmware under QEMU
// (boards/qemu) and prints its serial port the same way.
import { commandFlags, HELP_OPTION, type OptionSpec } from "../cli/args.js";
import { SimulatedFirmware } from "../boards/simulated-firmware.js";
import { boardCommand } from "../boards/open.js";
import { startPtyBoard } from "../transports/pty.js";
import { loadProfile } from "../firmware/profiles.js";
import { LinkError, UsageError } from "../errors.js";
import { bootEmulatedBoard, parseEmulate, type EmulateSpec } from "../boards/emulated.js";
import type { ChildProcess } from "node:child_process";

export const BOARD_OPTIONS: OptionSpec[] = [
  { name: "pty", kind: "flag", help: "serve on a new pseudo-terminal (needs socat) and print its path" },
  { name: "stdio", kind: "flag", help: "serve on stdin/stdout" },
  { name: "path", kind: "string", value: "PATH", help: "with --pty: where to make a link to the pty (default: a link in a new private folder under TMPDIR)" },
  { name: "board", kind: "string", value: "PROFILE", help: "the board profile whose memory limit to simulate (esp32, esp32-s3, esp32-c3)" },
  { name: "memory-limit", kind: "int", min: 0, help: "bytes of linear memory the module may use (default: the profile's, else all)" },
  { name: "engine", kind: "string", value: "wasi:RUNTIME|exec:'CMD ARGS'", help: "with --pty: run this board process behind the pty instead of the in-process module" },
  { name: "emulate", kind: "string", value: "PROFILE[:ENGINE]", help: "boot the emulated board (the real firmware for PROFILE under qemu-system-riscv32, esp8266 under qemu-system-xtensa; ENGINE wasm2c or wasm3) and print its serial port" },
  { name: "board-engine", kind: "string", choices: ["wasm2c", "wasm3"], help: "with --emulate: the firmware's engine, wasm2c (default) or wasm3" },
  HELP_OPTION,
];

export async function boardCommandMain(argv: string[]): Promise<number> {
  const a = commandFlags(argv, { command: "board", synopsis: "--pty | --stdio [--board PROFILE] | --emulate PROFILE[:ENGINE]", options: BOARD_OPTIONS });
  if (!a) return 0;
  const limit = a["memory-limit"] !== undefined ? Number(a["memory-limit"]) : a.board ? loadProfile(String(a.board)).memory_limit : 0;
  if (a.emulate !== undefined) {
    const clash = ["pty", "stdio", "path", "board", "memory-limit", "engine"].filter((f) => a[f] !== undefined && a[f] !== false);
    if (clash.length > 0) throw new UsageError(`--emulate boots the real firmware with its profile's limits: it takes no ${clash.map((f) => `--${f}`).join(", ")}`);
    return serveEmulated(parseEmulate(String(a.emulate), a["board-engine"] === undefined ? undefined : String(a["board-engine"])));
  }
  if (a["board-engine"] !== undefined) throw new UsageError(`--board-engine chooses the emulated board's firmware: it goes with --emulate PROFILE`);
  if (a.stdio) return serveStdio(limit);
  if (!a.pty) throw new UsageError("edgeprop board: give --pty (a pseudo-terminal) or --stdio");
  // Announced only once the board process runs and its pty is up (startPtyBoard
  // waits for both); if the board ends on its own later, so does this command, exit 4.
  const pty = await startPtyBoard(boardCommand(a.engine as string | undefined, limit), a.path as string | undefined);
  // Ctrl-C is caught before the path is announced: whoever reads the path may
  // signal at once, and until a listener exists SIGINT kills the process (no
  // clean stop, no exit 0).
  const signalled = untilSignalled();
  process.stdout.write(`${pty.path}\n`);
  process.stderr.write(`edgeprop board: a simulated board${a.board ? ` (${a.board})` : ""} is on ${pty.path}; ` +
    `try 'edgeprop train --port ${pty.path} ...' or a serial monitor. Ctrl-C stops it.\n`);
  const ended = await Promise.race([signalled, pty.ended]);
  await pty.stop();
  if (ended !== null) throw new LinkError(`the board on ${pty.path} stopped: ${ended}`);
  return 0;
}

/** Resolves with null on Ctrl-C or SIGTERM. */
function untilSignalled(): Promise<null> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve(null));
    process.once("SIGTERM", () => resolve(null));
  });
}

/** Resolves on Ctrl-C, SIGTERM or the exit of `child` (whatever serves the board). */
function untilStopped(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    child.once("exit", stop);
  });
}

/** Boots the emulated board and serves until stopped; QEMU goes with this process however it ends. */
async function serveEmulated(spec: EmulateSpec): Promise<number> {
  const qemu = await bootEmulatedBoard(spec);
  const stopped = untilStopped(qemu.qemu); // listening before the path is announced, as for --pty
  process.stdout.write(`${qemu.path}\n`);
  process.stderr.write(`edgeprop board: the emulated ${spec.profile} (${spec.note}; ${spec.engine}) is on ${qemu.path}; ` +
    `try 'edgeprop train --port ${qemu.path} ...'. Ctrl-C stops it.\n`);
  await stopped;
  await qemu.stop();
  return 0;
}

/** The firmware's job in JavaScript: bytes from stdin to the module, replies to stdout. */
function serveStdio(memoryLimit: number): Promise<number> {
  const board = new SimulatedFirmware({ memoryLimit });
  board.onData((b) => process.stdout.write(b));
  return new Promise((resolve) => {
    process.stdin.on("data", (b: Buffer) => board.write(new Uint8Array(b.buffer, b.byteOffset, b.length)));
    process.stdin.on("end", () => { void board.close().then(() => resolve(0)); });
  });
}
