// edgeprop pull --port PATH --save MODEL.json: the model a board holds (one
// it trained on data it collected itself, or one a host trained), saved as a
// model file; the board is only read, never changed.
import { commandFlags, HELP_OPTION, type OptionSpec } from "../cli/args.js";
import { UsageError } from "../errors.js";
import { SerialLink } from "../transports/serial-link.js";
import { SERIAL_OPTIONS, explainNoAnswer, serialLineOf } from "../cli/serial-flags.js";
import { hexId } from "../text/number-format.js";
import { checkOutputFile } from "../files/output-path.js";
import { writeModel } from "../model/model-file.js";
import { pullModel } from "../firmware/pull.js";

const OPTIONS: OptionSpec[] = [
  ...SERIAL_OPTIONS,
  { name: "save", kind: "string", value: "MODEL.json", help: "where to write the model (edgeprop-model v1, written atomically)" },
  HELP_OPTION,
];

export async function pullCommand(argv: string[]): Promise<number> {
  const a = commandFlags(argv, { command: "pull", synopsis: "--port PATH --save MODEL.json [--baud N | --board PROFILE]", options: OPTIONS });
  if (!a) return 0;
  if (!a.port) throw new UsageError("--port PATH is required");
  if (!a.save) throw new UsageError("--save MODEL.json is required");
  const save = String(a.save);
  checkOutputFile("--save", save);
  const line = serialLineOf(a, String(a.port));
  const link = await SerialLink.open(line.port, line.baud);
  try {
    const pulled = await pullModel(link).catch(explainNoAnswer(line));
    // The model file's JSON names it {"kind": "zscore", "mean", "std"} (docs/model-format.md).
    const normalization = pulled.normalization ? { kind: "zscore", ...pulled.normalization } : undefined;
    writeModel(save, pulled.model, pulled.weights, normalization ? { normalization } : {});
    process.stdout.write(`pull: ${pulled.model.sizes.join("-")} ${pulled.model.loss}, ${pulled.weights.length} parameters at step ${pulled.step} ` +
      `from ${line.port} (build ${hexId(pulled.buildId)}, boot ${hexId(pulled.bootId)}) -> ${save}\n`);
    return 0;
  } finally {
    await link.close();
  }
}
