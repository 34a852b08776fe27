// Opens the simulated board a command trains on, as its link options say
// (link-flags.ts resolves them from --link, --engine, --board, --baud and
// --fault-rate). Every choice but `direct` goes through the serial protocol,
// so they all must give `direct`'s weights bit for bit.
import { spawnSync } from "node:child_process";
import type { Board } from "./board.js";
import type { ByteLink } from "../transports/byte-link.js";
import { DirectBoard } from "./in-process.js";
import { SimulatedFirmware } from "./simulated-firmware.js";
import { ThrottledLink } from "../transports/throttled-link.js";
import { FaultyLink } from "../transports/faulty-link.js";
import { ProcessLink, splitCommand } from "../transports/process-link.js";
import { SerialLink } from "../transports/serial-link.js";
import { ProtocolBoard } from "../protocol/protocol-board.js";
import { startPtyBoard } from "../transports/pty.js";
import { buildPath } from "./engine.js";
import { packagePath } from "../files/package-path.js";
import { UsageError } from "../errors.js";
import { loadProfile } from "../firmware/profiles.js";
import { openEmulatedBoard, type EmulateSpec } from "./emulated.js";


const edgepropBin = packagePath("bin", "edgeprop.js");

function onPath(cmd: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

/** The command that runs a board on stdin/stdout for --engine (or the in-process one). */
export function boardCommand(engine: string | undefined, memoryLimit: number): string[] {
  const wasiModule = buildPath("edgeprop-wasi.wasm");
  if (!engine) return [process.execPath, edgepropBin, "board", "--stdio", ...(memoryLimit ? ["--memory-limit", String(memoryLimit)] : [])];
  if (engine.startsWith("exec:")) {
    const cmd = splitCommand(engine.slice(5));
    if (cmd.length === 0) throw new UsageError("--engine exec: needs a command");
    return cmd;
  }
  if (!engine.startsWith("wasi:")) throw new UsageError(`--engine ${engine}: expected wasi:node|wasi:wasm3|wasi:wasmtime|wasi:PATH or exec:'CMD ARGS'`);
  const runtime = engine.slice(5);
  switch (runtime) {
    case "node": return [process.execPath, "--no-warnings", packagePath("bin", "wasi-node.js"), wasiModule];
    case "wasm3":
      if (!onPath("wasm3")) throw new UsageError("--engine wasi:wasm3: no wasm3 on the PATH (build wasm3 and put its CLI on the PATH, or give --engine wasi:/path/to/wasm3)");
      return ["wasm3", wasiModule];
    case "wasmtime":
      if (!onPath("wasmtime")) throw new UsageError("--engine wasi:wasmtime: no wasmtime on the PATH");
      return ["wasmtime", "run", wasiModule];
    default: {
      // A path to a runtime binary; wasmtime-like CLIs take `run`.
      const name = runtime.split("/").pop() ?? runtime;
      return name.startsWith("wasmtime") ? [runtime, "run", wasiModule] : [runtime, wasiModule];
    }
  }
}

/** How to reach the simulated board. */
export interface LinkOptions {
  /** memory (default), pty or direct. */
  link?: string;
  /** Run the board in another process (wasi:RUNTIME or exec:'CMD ARGS'). */
  engine?: string;
  /** A board profile: its memory limit and baud. */
  board?: string;
  /** Line rate; default the profile's, else unthrottled (0). */
  baud?: number;
  /** Probability of damaging each frame on the line. */
  faultRate?: number;
  /** Seed of the damage. */
  seed?: number;
  /** The emulated board instead of the simulated one (--emulate). */
  emulate?: EmulateSpec;
}

/**
 * Whether the board `openSimulatedBoard(o)` opens answers in this process
 * without waiting for anything (no process, pty, line rate or fault timer
 * between): then a whole epoch runs without the event loop turning, so a
 * signal (Ctrl-C) is seen only between epochs.
 */
export function answersWithoutWaiting(o: LinkOptions): boolean {
  const link = String(o.link ?? "memory");
  const baud = o.baud !== undefined ? Number(o.baud) : o.board ? loadProfile(String(o.board)).baud ?? 0 : 0;
  return !o.emulate && !o.engine && (link === "memory" || link === "direct") && baud === 0 && Number(o.faultRate ?? 0) === 0;
}

export async function openSimulatedBoard(o: LinkOptions): Promise<Board> {
  const profile = o.board ? loadProfile(String(o.board)) : null;
  const memoryLimit = profile?.memory_limit ?? 0;
  const baud = o.baud !== undefined ? Number(o.baud) : profile?.baud ?? 0;
  const faultRate = Number(o.faultRate ?? 0);
  const link = String(o.link ?? "memory");
  if (o.emulate) {
    const clash = [link !== "memory" && "--link", o.engine && "--engine", o.board && "--board", o.baud !== undefined && "--baud", faultRate > 0 && "--fault-rate"]
      .filter((f): f is string => typeof f === "string");
    if (clash.length > 0) throw new UsageError(`--emulate runs the real firmware under QEMU over its own UART: it takes no ${clash.join(", ")}`);
    return openEmulatedBoard(o.emulate);
  }
  if (link === "direct") {
    if (o.engine) throw new UsageError("--link direct runs the module in this process; it takes no --engine");
    if (faultRate > 0) throw new UsageError("--fault-rate needs a byte link (--link memory or pty)");
    return new DirectBoard(undefined, memoryLimit);
  }
  let bytes: ByteLink;
  if (link === "pty") {
    const pty = await startPtyBoard(boardCommand(o.engine, memoryLimit));
    const serial = await SerialLink.open(pty.path, baud || 115200, 0);
    const close = serial.close.bind(serial);
    serial.close = async () => { await close(); await pty.stop(); };
    bytes = serial;
  } else if (link === "memory") {
    bytes = o.engine ? processBoard(o.engine, memoryLimit) : new SimulatedFirmware({ memoryLimit });
  } else {
    throw new UsageError(`unknown --link ${link}`);
  }
  if (baud > 0) bytes = new ThrottledLink(bytes, baud);
  if (faultRate > 0) bytes = new FaultyLink(bytes, faultRate, Number(o.seed ?? 1));
  const board = new ProtocolBoard(bytes, faultRate > 0 ? { timeoutMs: 100, retries: 30 } : {});
  try {
    await board.hello();
  } catch (err) {
    await board.close(); // leave no board process or pty behind
    throw err;
  }
  return board;
}

function processBoard(engine: string, memoryLimit: number): ByteLink {
  const [cmd, ...args] = boardCommand(engine, memoryLimit);
  return new ProcessLink(cmd, args, `board process ${engine}`);
}
