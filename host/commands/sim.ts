// edgeprop sim: train on a simulated board, on this machine.
import { helpText, parseArgs, type OptionSpec } from "../args.js";
import { MODEL_OPTIONS, OPTIMIZER_OPTIONS, TRAINING_OPTIONS } from "../run-options.js";
import { prepareRun, stdoutOutput, trainOnBoard } from "../training-run.js";
import { openSimulatedBoard, LINK_OPTIONS } from "../boards/open.js";
import { DATA_OPTIONS } from "../datasets/index.js";
import { CHECKPOINT_OPTIONS } from "../checkpoint.js";

/** Output options every training command shares (sim, train). */
export const OUTPUT_OPTIONS: OptionSpec[] = [
  { name: "load", kind: "string", value: "MODEL.json", help: "start from these weights (edgeprop-model v1; also gives layers and activations)" },
  { name: "save", kind: "string", value: "MODEL.json", help: "write the trained model here (atomically)" },
  ...CHECKPOINT_OPTIONS,
  { name: "report", kind: "string", value: "FILE.html", help: "write a self-contained HTML report (loss curve, gradient norms, run table)" },
  { name: "json", kind: "flag", help: "print one JSON event per line (no live view)" },
  { name: "quiet", kind: "flag", help: "print only the final result line (no progress, no live view)" },
];

export const SIM_OPTIONS: OptionSpec[] = [
  ...DATA_OPTIONS,
  ...MODEL_OPTIONS, ...OPTIMIZER_OPTIONS, ...TRAINING_OPTIONS,
  ...OUTPUT_OPTIONS,
  ...LINK_OPTIONS,
  { name: "help", kind: "flag", help: "show this help" },
];

export async function simCommand(argv: string[]): Promise<number> {
  const a = parseArgs(argv, SIM_OPTIONS, "sim");
  if (a.help) {
    process.stdout.write(helpText("sim", "--data FILE.csv|--dataset NAME [--layers N,N,... --loss mse|ce|bce] [options]", SIM_OPTIONS) +
      "\nexamples:\n  edgeprop sim --dataset spiral --opt adam --epochs 50 --report spiral.html\n" +
      "  edgeprop sim --data my.csv --target y --layers 3,16,1 --loss mse --save model.json\n" +
      "  edgeprop sim --dataset iris --epochs 5 --checkpoint ck/ && edgeprop sim --resume ck/ --epochs 20\n");
    return 0;
  }
  const prepared = prepareRun(a);
  const board = await openSimulatedBoard(a);
  try {
    await trainOnBoard(board, a, prepared, stdoutOutput);
  } finally {
    await board.close();
  }
  return 0;
}
