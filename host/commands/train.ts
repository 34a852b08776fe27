// edgeprop train --port PATH: the same run as `sim`, on a real board (or
// anything that speaks the protocol on a serial device).
import { commandFlags, type OptionSpec } from "../cli/args.js";
import { SIM_OPTIONS } from "./sim.js";
import { stdoutOutput, trainOnBoard } from "../run/training-run.js";
import { runSpecOf } from "../cli/run-options.js";
import { SerialLink } from "../transports/serial-link.js";
import { ReportingBoard } from "../boards/reporting-board.js";
import { withBoard } from "../boards/board.js";
import { LinkError, UsageError } from "../errors.js";
import { BoardError } from "../protocol/status.js";
import { REPLY_OPTIONS, SERIAL_OPTIONS, noAnswerHint, replyOptionsOf, serialLineOf } from "../cli/serial-flags.js";
import { hexId } from "../text/number-format.js";
import { withInterrupt } from "../run/interrupt.js";

// (--board and --baud are SERIAL_OPTIONS' here: a real board's profile, not a simulated one.)
const SIM_ONLY = new Set(["link", "engine", "board", "fault-rate", "baud", "emulate"]);
/** How long to wait after the last reply for a board that reports its stats line (board-stats.ts) to go idle and print it. */
const STATS_WAIT_MS = 1000;

export const TRAIN_OPTIONS: OptionSpec[] = [
  ...SERIAL_OPTIONS,
  ...REPLY_OPTIONS,
  ...SIM_OPTIONS.filter((o) => !SIM_ONLY.has(o.name)),
];

export async function trainCommand(argv: string[]): Promise<number> {
  const a = commandFlags(argv, { command: "train", synopsis: "--port PATH --data FILE.csv --layers N,N,... --loss mse|ce|bce [options]", options: TRAIN_OPTIONS });
  if (!a) return 0;
  if (!a.port) throw new UsageError("--port PATH is required (see 'edgeprop ports')");
  const spec = runSpecOf(a);
  const line = serialLineOf(a, String(a.port));
  const link = await SerialLink.open(line.port, line.baud);
  const board = new ReportingBoard(link, replyOptionsOf(a), STATS_WAIT_MS);
  await withBoard(board, async () => {
    const info = await board.hello().catch((err) => {
      // The first request: no answer says nothing about training, everything about the line.
      if (err instanceof LinkError && !(err instanceof BoardError)) err.message += noAnswerHint(line);
      throw err;
    });
    if (!a.json && !a.quiet) {
      process.stdout.write(`board on ${a.port}: protocol ${info.protocol}, build ${hexId(info.buildId)}, ` +
        `boot ${hexId(info.bootId)}, memory limit ${info.memoryLimit} bytes\n`);
    }
    await withInterrupt((ctrlC) => trainOnBoard(board, spec, stdoutOutput, undefined, { stopRequested: () => ctrlC.stopRequested }));
  });
  return 0;
}
