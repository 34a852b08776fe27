// edgeprop build --board NAME and edgeprop flash --board NAME --port PATH:
// the module built for a board profile, compiled into the ESP32 firmware.
import { helpText, parseArgs, type OptionSpec } from "../args.js";
import { loadProfile, listProfiles } from "../firmware/profiles.js";
import { flash, firmwareHeaderPath } from "../firmware/flash.js";
import { UsageError } from "../errors.js";

const BOARD_OPTION: OptionSpec = { name: "board", kind: "string", value: "PROFILE", help: `board profile (${listProfiles().join(", ")})` };
const HELP: OptionSpec = { name: "help", kind: "flag", help: "show this help" };

function profileFrom(a: Record<string, unknown>) {
  if (!a.board) throw new UsageError(`--board is required: one of ${listProfiles().join(", ")}`);
  return loadProfile(String(a.board));
}

export async function buildCommand(argv: string[]): Promise<number> {
  const specs = [BOARD_OPTION, HELP];
  const a = parseArgs(argv, specs, "build");
  if (a.help) { process.stdout.write(helpText("build", "--board PROFILE", specs)); return 0; }
  const profile = profileFrom(a);
  const code = await flash(profile, undefined, { headerOnly: true, log: (l) => process.stdout.write(l + "\n") });
  if (code === 0) process.stdout.write(`${firmwareHeaderPath()}\n`);
  return code;
}

export async function flashCommand(argv: string[]): Promise<number> {
  const specs: OptionSpec[] = [BOARD_OPTION, { name: "port", kind: "string", value: "PATH", help: "upload port (default: PlatformIO's guess)" }, HELP];
  const a = parseArgs(argv, specs, "flash");
  if (a.help) { process.stdout.write(helpText("flash", "--board PROFILE [--port PATH]", specs)); return 0; }
  return flash(profileFrom(a), a.port as string | undefined);
}
