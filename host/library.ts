// The host as a library: what a program embedding edgeprop imports.
export { DirectBoard } from "./boards/in-process.js";
export type { Board, BoardInfo, BatchResult, TrainJob, LinkStats } from "./boards/board.js";
export { runSession } from "./run/session.js";
export { optimizerDefaults } from "./model/config.js";
export { encodeConfig } from "./protocol/config-block.js";
export { computePlan } from "./model/plan.js";
export { readModel, writeModel, modelToJson } from "./model/model-file.js";
export { readCsv, parseCsv } from "./data/csv.js";
export { splitTable } from "./data/dataset.js";
export { openSimulatedBoard } from "./boards/open.js";
export { trainOnBoard, configureBoard } from "./run/training-run.js";
export type { RunSpec, RunSettings, RunOutputs } from "./run/run-spec.js";
export { parseArgs } from "./cli/args.js";
export { SIM_OPTIONS, prepareRun, runSpecOf } from "./cli/run-options.js";
