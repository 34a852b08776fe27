// Chooses the simulated board a command trains on from --link / --engine.
import type { OptionSpec, Parsed } from "../args.js";
import type { Board } from "../board.js";
import { DirectBoard } from "./direct.js";
import { UsageError } from "../errors.js";

export const LINK_OPTIONS: OptionSpec[] = [
  { name: "link", kind: "string", choices: ["direct"], default: "direct", help: "how the host reaches the simulated board: direct (in-process calls)" },
];

export async function openSimulatedBoard(a: Parsed): Promise<Board> {
  switch (a.link) {
    case "direct": return new DirectBoard();
    default: throw new UsageError(`unknown --link ${a.link}`);
  }
}
