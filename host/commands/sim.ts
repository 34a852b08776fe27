// edgeprop sim: train on a simulated board, on this machine.
import { commandFlags } from "../cli/args.js";
import { SIM_OPTIONS, runSpecOf } from "../cli/run-options.js";
import { stdoutOutput, trainOnBoard } from "../run/training-run.js";
import { answersWithoutWaiting, openSimulatedBoard } from "../boards/open.js";
import { withBoard } from "../boards/board.js";
import { linkOptionsOf } from "../cli/link-flags.js";
import { withInterrupt } from "../run/interrupt.js";

export { OUTPUT_OPTIONS, SIM_OPTIONS } from "../cli/run-options.js";

export async function simCommand(argv: string[]): Promise<number> {
  const a = commandFlags(argv, {
    command: "sim", synopsis: "--data FILE.csv|--dataset NAME [--layers N,N,... --loss mse|ce|bce] [options]", options: SIM_OPTIONS,
    more:
      "\nexamples:\n  edgeprop sim --dataset spiral --opt adam --epochs 50 --report spiral.html\n" +
      "  edgeprop sim --data my.csv --target y --layers 3,16,1 --loss mse --save model.json\n" +
      "  edgeprop sim --dataset iris --epochs 5 --checkpoint ck/ && edgeprop sim --resume ck/ --epochs 20\n",
  });
  if (!a) return 0;
  const spec = runSpecOf(a);
  const link = linkOptionsOf(a);
  await withInterrupt(async (ctrlC) => withBoard(await openSimulatedBoard(link), (board) =>
    trainOnBoard(board, spec, stdoutOutput, undefined, { stopRequested: () => ctrlC.stopRequested })),
  answersWithoutWaiting(link) ? "epoch" : "batch");
  return 0;
}
