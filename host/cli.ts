// The edgeprop command line: one function per command, errors mapped to exit
// codes (2 bad input, 3 diverged, 4 link failure) with one clear line.
import { simCommand } from "./commands/sim.js";
import { planCommand } from "./commands/plan.js";
import { trainCommand } from "./commands/train.js";
import { boardCommandMain } from "./commands/board.js";
import { monitorCommand } from "./commands/monitor.js";
import { portsCommand } from "./commands/ports.js";
import { closest } from "./args.js";

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, [Command, string]> = {
  sim: [simCommand, "train on a simulated board on this machine"],
  plan: [planCommand, "show the memory a model needs on the board"],
  train: [trainCommand, "train on a board over a serial port"],
  board: [boardCommandMain, "serve a simulated board on a pseudo-terminal (--pty) or stdio"],
  monitor: [monitorCommand, "show a board's text lines and frames live"],
  ports: [portsCommand, "list serial ports"],
};

export function usage(): string {
  return "usage: edgeprop <command> [options]   (edgeprop <command> --help for its options)\n\ncommands:\n" +
    Object.entries(COMMANDS).map(([n, [, h]]) => `  ${n.padEnd(10)}${h}`).join("\n") + "\n";
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
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

export * from "./library.js";
