// The flags that choose the simulated board (sim, compare, eval), and their
// resolution into LinkOptions: the board layer never sees parsed flags.
import type { OptionSpec, Parsed } from "./args.js";
import type { LinkOptions } from "../boards/open.js";
import { UsageError } from "../errors.js";
import { parseEmulate } from "../boards/emulated.js";

export const LINK_OPTIONS: OptionSpec[] = [
  { name: "link", kind: "string", choices: ["memory", "pty", "direct"], default: "memory", help: "how the host reaches the simulated board: memory (the protocol over an in-memory byte link), pty (a real pseudo-terminal via socat), direct (in-process calls, no protocol)" },
  { name: "engine", kind: "string", value: "wasi:node|wasi:wasm3|wasi:wasmtime|wasi:PATH|exec:'CMD ARGS'", help: "run the board in another process: the WASI build under a runtime, or any command speaking the protocol on stdin/stdout" },
  { name: "board", kind: "string", value: "PROFILE", help: "simulate this board profile's memory limit and baud (boards/profiles: esp32, esp32-s3, esp32-c3)" },
  { name: "baud", kind: "int", min: 0, help: "throttle the simulated line to this rate, 10 bits a byte (default: the --board profile's, else unthrottled; 0 = unthrottled)" },
  { name: "emulate", kind: "string", value: "PROFILE[:ENGINE]", help: "train on the emulated board: the real firmware for PROFILE (esp32-c3; esp32, esp32-s3 as an FPU stand-in) under qemu-system-riscv32, or esp8266 on its own LX106 core under qemu-system-xtensa, over its emulated UART; ENGINE wasm2c (default) or wasm3 (RISC-V only: EDGEPROP_M3_INCLUDE and EDGEPROP_M3_RV32IMC_LIB / _RV32IMFC_LIB)" },
  { name: "board-engine", kind: "string", choices: ["wasm2c", "wasm3"], help: "with --emulate: the firmware's engine, wasm2c (default: the module compiled into the firmware) or wasm3 (interpreted)" },
  { name: "fault-rate", kind: "number", min: 0, max: 1, help: "damage each frame on the simulated line with this probability (flip, drop or duplicate a byte)", default: 0 },
];
/** LinkOptions from the flags; flags that contradict each other are refused here, naming both. */
export function linkOptionsOf(a: Parsed): LinkOptions {
  if (a.engine !== undefined && a.link !== undefined && a.link !== "memory") {
    throw new UsageError(`--link ${a.link} and --engine ${a.engine} contradict each other: --engine runs the board in another process ` +
      `on its stdin/stdout instead of a --link (to put such a board behind a pty: 'edgeprop board --pty --engine ...' and 'edgeprop train --port')`);
  }
  if (a["board-engine"] !== undefined && a.emulate === undefined) {
    throw new UsageError(`--board-engine ${a["board-engine"]} chooses the emulated board's firmware: it goes with --emulate PROFILE`);
  }
  return {
    link: a.link === undefined ? undefined : String(a.link),
    engine: a.engine === undefined ? undefined : String(a.engine),
    board: a.board === undefined ? undefined : String(a.board),
    baud: a.baud === undefined ? undefined : Number(a.baud),
    faultRate: a["fault-rate"] === undefined ? undefined : Number(a["fault-rate"]),
    seed: a.seed === undefined ? undefined : Number(a.seed),
    emulate: a.emulate === undefined ? undefined : parseEmulate(String(a.emulate), a["board-engine"] === undefined ? undefined : String(a["board-engine"])),
  };
}
