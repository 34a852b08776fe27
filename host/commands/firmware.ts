// edgeprop build --board NAME and edgeprop flash --board NAME --port PATH:
// the module built for a board profile, compiled into the ESP32 firmware.
import { commandFlags, HELP_OPTION, type OptionSpec } from "../cli/args.js";
import { loadProfile, listProfiles } from "../firmware/profiles.js";
import { BOARD_ENGINES, DEFAULT_BOARD_ENGINE, flash, firmwareHeaderPath, type BoardEngine } from "../firmware/flash.js";
import { rxBufferBytes } from "../firmware/rx-buffer.js";
import { MODEL_OPTIONS, TRAINING_OPTIONS, resolveRun } from "../cli/run-options.js";
import { UsageError } from "../errors.js";

const BOARD_OPTION: OptionSpec = { name: "board", kind: "string", value: "PROFILE", help: `board profile (${listProfiles().join(", ")})` };

function profileFrom(a: Record<string, unknown>) {
  if (!a.board) throw new UsageError(`--board is required: one of ${listProfiles().join(", ")}`);
  return loadProfile(String(a.board));
}

export async function buildCommand(argv: string[]): Promise<number> {
  const specs = [BOARD_OPTION, HELP_OPTION];
  const a = commandFlags(argv, { command: "build", synopsis: "--board PROFILE", options: specs });
  if (!a) return 0;
  const profile = profileFrom(a);
  const code = await flash(profile, undefined, { headerOnly: true, log: (l) => process.stdout.write(l + "\n") });
  if (code === 0) process.stdout.write(`${firmwareHeaderPath()}\n`);
  return code;
}

/** The model flags that size the board's UART receive buffer (the rest of a run's flags mean nothing to a firmware). */
const MODEL_SIZING = [...MODEL_OPTIONS, ...TRAINING_OPTIONS.filter((o) => o.name === "batch" || o.name === "chunk")];

export async function flashCommand(argv: string[]): Promise<number> {
  const specs: OptionSpec[] = [
    BOARD_OPTION,
    { name: "port", kind: "string", value: "PATH", help: "upload port (default: PlatformIO's guess)" },
    { name: "board-engine", kind: "string", choices: [...BOARD_ENGINES], default: DEFAULT_BOARD_ENGINE, help: "the firmware's engine: wasm2c (default: the module compiled into the firmware, 3-35x fewer instructions than wasm3, whole 64 KiB pages; the package ships its translation, WABT's wasm2c is needed only for an edited module) or wasm3 (interprets the module; docs/boards.md)" },
    ...MODEL_SIZING.map((o) => ({ ...o, help: `${o.help} (sizes the UART receive buffer for this model)` })),
    HELP_OPTION,
  ];
  const a = commandFlags(argv, { command: "flash", synopsis: "--board PROFILE [--port PATH] [--board-engine wasm2c|wasm3] [--layers N,N,... --loss L [--chunk N]]", options: specs });
  if (!a) return 0;
  const profile = profileFrom(a);
  // With a model, the receive buffer holds the host's window of that model's largest BATCH frames; without, the firmware estimates it.
  // (The optimizer does not change a frame: any will do for resolveRun.)
  const rxBuffer = a.layers !== undefined ? rxBufferBytes(resolveRun(a, null, null, { opt: "sgd" }).run) : undefined;
  return flash(profile, a.port as string | undefined, { engine: String(a["board-engine"] ?? DEFAULT_BOARD_ENGINE) as BoardEngine, rxBuffer });
}
