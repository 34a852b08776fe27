// edgeprop sim: train on a simulated board, on this machine.
import { helpText, parseArgs, type OptionSpec } from "../args.js";
import { MODEL_OPTIONS, OPTIMIZER_OPTIONS, TRAINING_OPTIONS } from "../run-options.js";
import { prepareRun, stdoutOutput, trainOnBoard } from "../training-run.js";
import { openSimulatedBoard, LINK_OPTIONS } from "../links/open.js";

export const SIM_OPTIONS: OptionSpec[] = [
  { name: "data", kind: "string", value: "FILE.csv", help: "training data: CSV with a header row" },
  { name: "target", kind: "string", value: "COLS", help: "target column name(s), comma-separated (default: the last column)" },
  ...MODEL_OPTIONS, ...OPTIMIZER_OPTIONS, ...TRAINING_OPTIONS,
  { name: "load", kind: "string", value: "MODEL.json", help: "start from these weights (edgeprop-model v1; also gives layers and activations)" },
  { name: "save", kind: "string", value: "MODEL.json", help: "write the trained model here (atomically)" },
  { name: "json", kind: "flag", help: "print one JSON event per line" },
  { name: "quiet", kind: "flag", help: "print only the summary" },
  ...LINK_OPTIONS,
  { name: "help", kind: "flag", help: "show this help" },
];

export async function simCommand(argv: string[]): Promise<number> {
  const a = parseArgs(argv, SIM_OPTIONS, "sim");
  if (a.help) { process.stdout.write(helpText("sim", "--data FILE.csv --layers N,N,... --loss mse|ce|bce [options]", SIM_OPTIONS)); return 0; }
  const prepared = prepareRun(a);
  const board = await openSimulatedBoard(a);
  try {
    await trainOnBoard(board, a, prepared, stdoutOutput);
  } finally {
    await board.close();
  }
  return 0;
}
