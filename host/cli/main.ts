// The edgeprop command line: one function per command, errors mapped to exit
// codes (2 bad input, 3 diverged, 4 link failure) with one clear line.
import { simCommand } from "../commands/sim.js";
import { planCommand } from "../commands/plan.js";
import { demoCommand } from "../commands/demo.js";
import { compareCommand } from "../commands/compare.js";
import { predictCommand, evalCommand } from "../commands/predict.js";
import { exportCommand } from "../commands/export.js";
import { datasetsCommand } from "../commands/datasets.js";
import { trainCommand } from "../commands/train.js";
import { boardCommandMain } from "../commands/board.js";
import { monitorCommand } from "../commands/monitor.js";
import { portsCommand } from "../commands/ports.js";
import { buildCommand, flashCommand } from "../commands/firmware.js";
import { closest } from "../text/closest.js";
import { readFileSync } from "node:fs";
import { packagePath } from "../files/package-path.js";

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, [Command, string]> = {
  sim: [simCommand, "train on a simulated board on this machine"],
  plan: [planCommand, "show the memory a model needs on the board"],
  demo: [demoCommand, "the course's story on a simulated ESP32, with an HTML report (npm start)"],
  compare: [compareCommand, "train with several optimizers or batch sizes; one HTML report"],
  predict: [predictCommand, "a saved model's outputs for the rows of a CSV (accuracy/loss with targets)"],
  eval: [evalCommand, "the same as predict, computed by a (simulated) board"],
  export: [exportCommand, "a saved model as a C99 header (edgeprop_predict) or JSON"],
  datasets: [datasetsCommand, "list the built-in data sets for --dataset"],
  train: [trainCommand, "train on a board over a serial port"],
  board: [boardCommandMain, "serve a simulated board on a pseudo-terminal (--pty) or stdio"],
  monitor: [monitorCommand, "show a board's text lines and frames live"],
  pull: [async (argv) => (await import("../commands/pull.js")).pullCommand(argv), "save the model a board holds (e.g. one it trained itself) as a model file"],
  push: [async (argv) => (await import("../commands/push.js")).pushCommand(argv), "put a model file's model on a board (e.g. to fine-tune it there on its own data)"],
  fleet: [async (argv) => (await import("../commands/fleet.js")).fleetCommand(argv), "many boards train one model through an MQTT broker (federated averaging): fleet sim | serve | join"],
  ports: [portsCommand, "list serial ports"],
  build: [buildCommand, "build the module for a board profile into the ESP32 firmware's header"],
  flash: [flashCommand, "build the module and the firmware and upload it with PlatformIO"],
};

export function usage(): string {
  return "usage: edgeprop <command> [options]   (edgeprop help <command> or edgeprop <command> --help for its options)\n" +
    "       edgeprop --version\n\ncommands:\n" +
    Object.entries(COMMANDS).map(([n, [, h]]) => `  ${n.padEnd(10)}${h}`).join("\n") + "\n";
}

/** The version in the package's package.json. */
export function packageVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(packagePath("package.json"), "utf8"));
  const v = typeof pkg === "object" && pkg !== null ? (pkg as Record<string, unknown>).version : undefined;
  return typeof v === "string" ? v : "unknown";
}

export async function main(argv: string[]): Promise<number> {
  let [name, ...rest] = argv;
  if (name === "--version" || name === "-V") {
    process.stdout.write(`edgeprop ${packageVersion()}\n`);
    return 0;
  }
  // edgeprop help CMD: the command's own --help.
  if (name === "help" && rest.length > 0) {
    const [cmd, ...more] = rest;
    if (more.length > 0) {
      process.stderr.write(`edgeprop help: one command at a time (edgeprop help ${cmd})\n`);
      return 2;
    }
    [name, rest] = [cmd, ["--help"]];
  }
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    const guess = closest(name, Object.keys(COMMANDS));
    process.stderr.write(`edgeprop: unknown command '${name}'${guess ? ` (did you mean '${guess}'?)` : ""}\n${usage()}`);
    return 2;
  }
  try {
    return await entry[0](rest);
  } catch (err) {
    const code = (err as { exitCode?: number }).exitCode;
    if (code !== undefined) {
      process.stderr.write(`edgeprop ${name}: ${(err as Error).message}\n`);
      return code;
    }
    process.stderr.write(`edgeprop ${name}: internal error: ${(err as Error).stack ?? err}\n`);
    return 1;
  }
}

export * from "../library.js";
