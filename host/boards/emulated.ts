// The emulated board (boards/qemu, boards/xtensa): the real firmware,
// cross-compiled for a board profile's ISA, booted under qemu-system-riscv32
// (or, for the esp8266, qemu-system-xtensa with its LX106 core) with its UART behind
// a pty, and reached exactly as `train --port` reaches a real board (the
// serialport package, the serial protocol). Used by `sim --emulate` and
// `board --emulate`. QEMU dies with this process, even on kill -9. It runs
// under -icount, so the instructions the board reports are instructions.
import { buildFirmware, missingTools, startEmulatedBoard, type EmulatedBoard as Qemu, type Engine, type Isa } from "../../boards/qemu/launch.mjs";
import { loadProfile } from "../firmware/profiles.js";
import { SerialLink } from "../transports/serial-link.js";
import { UsageError } from "../errors.js";
import { ReportingBoard } from "./reporting-board.js";

/** The ISA each profile runs on the emulated CPU: the C3's and the ESP8266's own, or an FPU stand-in for the Xtensa boards with one. */
const ISA_OF: Record<string, { isa: Isa; note: string; engines?: readonly Engine[] }> = {
  "esp32-c3": { isa: "rv32imc", note: "rv32imc, soft-float: the ESP32-C3's own ISA" },
  esp32: { isa: "rv32imfc", note: "rv32imfc with a single-precision FPU, standing in for the ESP32's Xtensa LX6 and its FPU" },
  "esp32-s3": { isa: "rv32imfc", note: "rv32imfc with a single-precision FPU, standing in for the ESP32-S3's Xtensa LX7 and its FPU" },
  // wasm3's runtime alone needs more RAM than the ESP8266's 80 KiB.
  esp8266: { isa: "lx106", note: "lx106, the ESP8266's own Xtensa core (call0, soft-float, alignment traps)", engines: ["wasm2c"] },
};
const ENGINES: readonly Engine[] = ["wasm2c", "wasm3"];
/** How long the run waits, after its last reply, for the firmware's idle line (it goes idle after one empty 20 ms poll). */
const STATS_WAIT_MS = 5000;
/** Reply timeout on the emulated UART: QEMU's real time, on a machine that may be busy. */
const TIMEOUT_MS = 2000;

export interface EmulateSpec {
  profile: string;
  isa: Isa;
  engine: Engine;
  /** What the ISA stands for, for the user. */
  note: string;
}

/**
 * Parses --emulate PROFILE[:ENGINE] with --board-engine ENGINE (either names
 * the engine; wasm2c, the firmware `flash` builds by default, when neither
 * does); exit 2 on anything else.
 */
export function parseEmulate(text: string, boardEngine?: string): EmulateSpec {
  const [profile, suffix, ...rest] = text.split(":");
  const known = Object.keys(ISA_OF);
  if (rest.length > 0 || !profile) throw new UsageError(`--emulate ${text}: expected PROFILE[:ENGINE], e.g. esp32-c3 or esp32-c3:wasm3`);
  if (suffix !== undefined && boardEngine !== undefined && suffix !== boardEngine) {
    throw new UsageError(`--emulate ${text} and --board-engine ${boardEngine} name different engines: give one`);
  }
  const engine = boardEngine ?? suffix ?? "wasm2c";
  const target = ISA_OF[profile];
  if (!target) throw new UsageError(`--emulate ${text}: no emulated board for profile '${profile}' (one of ${known.join(", ")})`);
  if (!ENGINES.includes(engine as Engine)) throw new UsageError(`--emulate ${text}: engine must be ${ENGINES.join(" or ")}, not '${engine}'`);
  if (target.engines && !target.engines.includes(engine as Engine)) {
    throw new UsageError(`--emulate ${text}: the emulated ${profile} runs ${target.engines.join(", ")} only, not ${engine} (its runtime does not fit the board's RAM)`);
  }
  loadProfile(profile); // the profile file must exist and be valid
  return { profile, isa: target.isa, engine: engine as Engine, note: target.note };
}

/** wasm3's build inputs from the environment (the names boards/qemu and its tests use), or why they are missing. */
function wasm3Build(isa: Isa): { m3Include: string; m3Lib: string; m3Flags?: string } {
  const libVar = `EDGEPROP_M3_${isa.toUpperCase()}_LIB`;
  const m3Include = process.env.EDGEPROP_M3_INCLUDE, m3Lib = process.env[libVar];
  if (!m3Include || !m3Lib) {
    throw new UsageError(`the emulated board's wasm3 engine needs a wasm3 cross-built for ${isa}: set EDGEPROP_M3_INCLUDE=<wasm3>/source and ` +
      `${libVar}=<that build>/libm3.a (and EDGEPROP_M3_FLAGS to the d_m3 flags it was built with); docs/boards.md says how to build one`);
  }
  return { m3Include, m3Lib, m3Flags: process.env.EDGEPROP_M3_FLAGS };
}

/** Checks the tools, builds the firmware if missing or stale and boots it; exit 2 (before any work) when something is missing. */
export async function bootEmulatedBoard(spec: EmulateSpec): Promise<Qemu> {
  const missing = missingTools(spec.isa);
  if (missing.length > 0) {
    throw new UsageError(`the emulated board needs ${missing.join(", ")}; scripts/deps.sh installs them all`);
  }
  const m3 = spec.engine === "wasm3" ? wasm3Build(spec.isa) : {};
  let elf: string;
  try {
    elf = buildFirmware({ isa: spec.isa, engine: spec.engine, profile: spec.profile, ...m3 });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  // -icount shift=0: the board's minstret counts instructions (without it,
  // QEMU answers with the host's clock ticks), so board_instructions is what
  // bench/board.mjs measures, exactly and reproducibly.
  return startEmulatedBoard({ elf, icount: true });
}

/** A Board on the emulated firmware: the protocol over its pty; close() also powers QEMU off. */
export async function openEmulatedBoard(spec: EmulateSpec): Promise<ReportingBoard> {
  const qemu = await bootEmulatedBoard(spec);
  try {
    const link = await SerialLink.open(qemu.path, loadProfile(spec.profile).baud, 0);
    const board = new ReportingBoard(link, { timeoutMs: TIMEOUT_MS }, STATS_WAIT_MS,
      `the emulated ${spec.profile} (${spec.isa}, ${spec.engine}) on ${qemu.path}`);
    const close = board.close.bind(board);
    board.close = async () => { try { await close(); } finally { await qemu.stop(); } };
    try {
      await board.hello();
    } catch (err) {
      await board.close();
      throw err;
    }
    return board;
  } catch (err) {
    await qemu.stop();
    throw err;
  }
}
