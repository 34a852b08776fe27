// edgeprop push MODEL.json --port PATH: puts a model file's model on a board
// (one trained on a PC, to be fine-tuned where the board is installed), with
// the optimizer the flags give; what they leave open keeps the board's (its
// sample store, its chunk). A firmware on the training API takes it over
// (examples/OnDeviceLearning); the plain pump simply holds it, as after
// `train --port`.
import { commandFlags, HELP_OPTION, wasGiven, type OptionSpec } from "../cli/args.js";
import { UsageError } from "../errors.js";
import { SerialLink } from "../transports/serial-link.js";
import { REPLY_OPTIONS, SERIAL_OPTIONS, explainNoAnswer, replyOptionsOf, serialLineOf } from "../cli/serial-flags.js";
import { hexId } from "../text/number-format.js";
import { readModel } from "../model/model-file.js";
import { MODEL_OPTIONS, OPTIMIZER_OPTIONS, TRAINING_OPTIONS, resolveRun } from "../cli/run-options.js";
import { pushModel } from "../firmware/push.js";
import { DEFAULT_CHUNK } from "../model/plan.js";

const TRAINING_FLAGS_USED = new Set(["chunk", "seed"]);

const OPTIONS: OptionSpec[] = [
  ...SERIAL_OPTIONS,
  ...MODEL_OPTIONS.filter((o) => o.name === "freeze"),
  ...OPTIMIZER_OPTIONS.filter((o) => o.name !== "schedule"),
  ...TRAINING_OPTIONS.filter((o) => TRAINING_FLAGS_USED.has(o.name)).map((o) =>
    o.name === "seed" ? { ...o, help: "seed of the board's shuffle when it trains the model" } :
    { ...o, help: "rows the board holds at once (default: the board's present model's, else " + DEFAULT_CHUNK + ")" }),
  { name: "store-rows", kind: "int", min: 0, help: "rows of the sample store the board trains from (default: the board's present model's, else 0)" },
  ...REPLY_OPTIONS,
  HELP_OPTION,
];

export async function pushCommand(argv: string[]): Promise<number> {
  const a = commandFlags(argv, { command: "push", synopsis: "MODEL.json --port PATH [--opt NAME --lr X ...] [--store-rows N]", options: OPTIONS, positionals: 1 });
  if (!a) return 0;
  const file = a._[0];
  if (!file) throw new UsageError("push needs a model file: edgeprop push MODEL.json --port PATH");
  if (!a.port) throw new UsageError("--port PATH is required (see 'edgeprop ports')");
  // Everything checked before the port is opened: the file, then the flags.
  const model = readModel(file);
  const { run } = resolveRun(a, null, model);
  const line = serialLineOf(a, String(a.port));
  const link = await SerialLink.open(line.port, line.baud);
  try {
    const pushed = await pushModel(link, {
      run: {
        ...run,
        chunk: wasGiven(a, "chunk") ? run.chunk : undefined,
        storeRows: a["store-rows"] !== undefined ? Number(a["store-rows"]) : undefined,
      },
      weights: model.weights,
      normalization: model.normalization,
    }, DEFAULT_CHUNK, replyOptionsOf(a)).catch(explainNoAnswer(line));
    const r = pushed.run;
    process.stdout.write(`push: ${r.sizes.join("-")} ${r.loss}, ${model.weights.length} parameters, ${r.optimizer.name} lr ${r.optimizer.lr}` +
      `${r.storeRows ? `, sample store ${r.storeRows} rows` : ""} to ${line.port} (build ${hexId(pushed.info.buildId)}, boot ${hexId(pushed.info.bootId)}): ` +
      `plan ${pushed.plan.total_bytes} of ${pushed.info.memoryLimit} bytes${pushed.kept.length ? `; kept the board's ${pushed.kept.join(", ")}` : ""}\n`);
    return 0;
  } finally {
    await link.close();
  }
}
