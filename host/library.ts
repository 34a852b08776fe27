// The host as a library: what a program embedding edgeprop imports.
export { DirectBoard } from "./boards/in-process.js";
export type { Board, BoardInfo, BatchResult, TrainJob, LinkStats } from "./boards/board.js";
export { runSession } from "./session.js";
export { optimizerDefaults } from "./config.js";
export { encodeConfig } from "./protocol/config-block.js";
export { computePlan } from "./plan.js";
export { readModel, writeModel, modelToJson } from "./model-file.js";
export { readCsv, parseCsv } from "./csv.js";
export { splitTable } from "./dataset.js";
export { openSimulatedBoard } from "./boards/open.js";
export { trainOnBoard, configureBoard } from "./training-run.js";
export type { RunSpec, RunSettings, RunOutputs } from "./run-spec.js";
export { parseArgs } from "./args.js";
export { SIM_OPTIONS, prepareRun, runSpecOf } from "./run-options.js";
