// edgeprop export: a trained model for shipping without the trainer: a C99
// header (weights + edgeprop_predict) or the normalized model JSON.
import { basename } from "node:path";
import { commandFlags, HELP_OPTION, type OptionSpec } from "../cli/args.js";
import { UsageError } from "../errors.js";
import { modelToJson, readModel } from "../model/model-file.js";
import { exportC } from "../model/export-c.js";
import { checkPrefix, DEFAULT_PREFIX, guardOf, prefixSymbols } from "../model/c-prefix.js";
import { writeFileAtomic } from "../files/atomic-write.js";
import { checkOutputFile } from "../files/output-path.js";

export const EXPORT_OPTIONS: OptionSpec[] = [
  { name: "load", kind: "string", value: "MODEL.json", help: "the model to export (or give it as the first argument)" },
  { name: "format", kind: "string", choices: ["c", "json"], default: "c", help: "c: a C99 header with static const float weights and edgeprop_predict(); json: edgeprop-model v1" },
  { name: "out", kind: "string", value: "FILE", help: "where to write it (atomically); default: stdout" },
  { name: "prefix", kind: "string", value: "NAME", default: DEFAULT_PREFIX, help: "the C header's symbol prefix: NAME_predict(), NAME_w1, NAME_INPUTS ...; one per model, so several headers go into one firmware" },
  { name: "guard", kind: "string", value: "NAME", help: "include guard of the C header (default: the prefix's, PREFIX_MODEL_H)" },
  HELP_OPTION,
];

export async function exportCommand(argv: string[]): Promise<number> {
  const a = commandFlags(argv, {
    command: "export", synopsis: "MODEL.json [--format c|json] [--out FILE]", options: EXPORT_OPTIONS, positionals: 1,
    more:
      "\nexample:\n  edgeprop export model.json --format c --out model.h\n" +
      "  then in C: #include \"model.h\"  ...  float out[EDGEPROP_OUTPUTS]; edgeprop_predict(in, out);\n" +
      "  two models in one firmware: edgeprop export iris.json --prefix iris --out iris.h   (iris_predict, IRIS_OUTPUTS)\n",
  });
  if (!a) return 0;
  const file = (a.load as string | undefined) ?? a._[0];
  if (!file) throw new UsageError("export: give the model file: edgeprop export MODEL.json --format c --out model.h");
  if (a._.length > (a.load ? 0 : 1)) throw new UsageError(`export: unexpected argument '${a._[a.load ? 0 : 1]}'`);
  const prefix = checkPrefix(String(a.prefix));
  const guard = a.guard === undefined ? guardOf(prefix) : String(a.guard);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(guard)) throw new UsageError(`--guard ${guard}: expected a C identifier`);
  if (a.out !== undefined) checkOutputFile("--out", String(a.out));
  const model = readModel(String(file));
  const text = a.format === "c"
    ? prefixSymbols(exportC(model, basename(String(file)), guard), prefix, guard)
    : JSON.stringify(modelToJson(model, model.weights, model)) + "\n";
  if (a.out) {
    writeFileAtomic(String(a.out), text);
    process.stderr.write(`edgeprop export: wrote ${a.out} (${a.format === "c" ? "C99 header" : "edgeprop-model v1 JSON"}, ${model.weights.length} parameters)\n`);
  } else {
    process.stdout.write(text);
  }
  return 0;
}
