// edgeprop export: a trained model for shipping without the trainer: a C99
// header (weights + edgeprop_predict) or the normalized model JSON.
import { basename } from "node:path";
import { commandFlags, HELP_OPTION, type OptionSpec } from "../cli/args.js";
import { UsageError } from "../errors.js";
import { modelToJson, readModel } from "../model/model-file.js";
import { exportC } from "../model/export-c.js";
import { writeFileAtomic } from "../files/atomic-write.js";
import { checkOutputFile } from "../files/output-path.js";

export const EXPORT_OPTIONS: OptionSpec[] = [
  { name: "load", kind: "string", value: "MODEL.json", help: "the model to export (or give it as the first argument)" },
  { name: "format", kind: "string", choices: ["c", "json"], default: "c", help: "c: a C99 header with static const float weights and edgeprop_predict(); json: edgeprop-model v1" },
  { name: "out", kind: "string", value: "FILE", help: "where to write it (atomically); default: stdout" },
  { name: "guard", kind: "string", value: "NAME", default: "EDGEPROP_MODEL_H", help: "include guard of the C header" },
  HELP_OPTION,
];

export async function exportCommand(argv: string[]): Promise<number> {
  const a = commandFlags(argv, {
    command: "export", synopsis: "MODEL.json [--format c|json] [--out FILE]", options: EXPORT_OPTIONS, positionals: 1,
    more:
      "\nexample:\n  edgeprop export model.json --format c --out model.h\n" +
      "  then in C: #include \"model.h\"  ...  float out[EDGEPROP_OUTPUTS]; edgeprop_predict(in, out);\n",
  });
  if (!a) return 0;
  const file = (a.load as string | undefined) ?? a._[0];
  if (!file) throw new UsageError("export: give the model file: edgeprop export MODEL.json --format c --out model.h");
  if (a._.length > (a.load ? 0 : 1)) throw new UsageError(`export: unexpected argument '${a._[a.load ? 0 : 1]}'`);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(String(a.guard))) throw new UsageError(`--guard ${a.guard}: expected a C identifier`);
  if (a.out !== undefined) checkOutputFile("--out", String(a.out));
  const model = readModel(String(file));
  const text = a.format === "c"
    ? exportC(model, basename(String(file)), String(a.guard))
    : JSON.stringify(modelToJson(model, model.weights, model)) + "\n";
  if (a.out) {
    writeFileAtomic(String(a.out), text);
    process.stderr.write(`edgeprop export: wrote ${a.out} (${a.format === "c" ? "C99 header" : "edgeprop-model v1 JSON"}, ${model.weights.length} parameters)\n`);
  } else {
    process.stdout.write(text);
  }
  return 0;
}
