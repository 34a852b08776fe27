// `edgeprop sim` in this process: the CLI's own flag parsing, run preparation
// and training loop on a DirectBoard, with the JSON events collected.
import { parseArgs } from "../../host/cli/args";
import { SIM_OPTIONS } from "../../host/commands/sim";
import { trainOnBoard, type Output, type RunOutcome } from "../../host/run/training-run";
import { runSpecOf } from "../../host/cli/run-options";
import { DirectBoard } from "../../host/boards/in-process";
import { wasmPath } from "./paths";

export interface SimResult {
  events: any[];
  epochs: any[];
  done: any;
  outcome: RunOutcome;
  board: DirectBoard;
}

export async function simInProcess(argv: string[], board = new DirectBoard(wasmPath)): Promise<SimResult> {
  const a = parseArgs([...argv, "--json"], SIM_OPTIONS, "sim");
  const spec = runSpecOf(a);
  const events: any[] = [];
  const out: Output = { line: () => {}, json: (o) => events.push(JSON.parse(JSON.stringify(o))) };
  try {
    const outcome = await trainOnBoard(board, spec, out);
    return {
      events, epochs: events.filter((e) => e.event === "epoch"), done: events.find((e) => e.event === "done"), outcome, board,
    };
  } finally {
    await board.close();
  }
}
