// edgeprop datasets: the built-in data sets --dataset NAME accepts, with the
// model that suits each; --write NAME --out FILE.csv saves one as CSV.
import { commandFlags, HELP_OPTION, type OptionSpec } from "../cli/args.js";
import { DATASETS, datasetCsv, findDataset } from "../data/datasets.js";
import { writeFileAtomic } from "../files/atomic-write.js";
import { checkOutputFile } from "../files/output-path.js";
import { UsageError } from "../errors.js";

export const DATASETS_OPTIONS: OptionSpec[] = [
  { name: "write", kind: "string", value: "NAME", help: "write this data set as CSV (to --out, or stdout)" },
  { name: "out", kind: "string", value: "FILE.csv", help: "where --write puts the CSV (atomically)" },
  { name: "data-seed", kind: "int", min: 0, default: 1, help: "seed of the generators" },
  { name: "json", kind: "flag", help: "list as JSON lines" },
  HELP_OPTION,
];

export async function datasetsCommand(argv: string[]): Promise<number> {
  const a = commandFlags(argv, { command: "datasets", synopsis: "[--write NAME [--out FILE.csv]] [--json]", options: DATASETS_OPTIONS });
  if (!a) return 0;
  if (a.out && !a.write) throw new UsageError("--out needs --write NAME");
  if (a.out !== undefined) checkOutputFile("--out", String(a.out));
  if (a.write) {
    const csv = datasetCsv(findDataset(String(a.write)).make(Number(a["data-seed"])));
    if (a.out) writeFileAtomic(String(a.out), csv);
    else process.stdout.write(csv);
    return 0;
  }
  if (a.json) {
    for (const d of DATASETS) {
      process.stdout.write(JSON.stringify({
        name: d.name, summary: d.summary, rows: d.rows, inputs: d.inputs, task: d.task, source: d.source,
        suggested: { layers: d.layers, act: d.act, loss: d.loss, opt: d.opt, lr: d.lr, batch: d.batch, epochs: d.epochs },
      }) + "\n");
    }
    return 0;
  }
  const w = (s: string) => process.stdout.write(s + "\n");
  w("built-in data sets (use with --dataset NAME in sim, train, compare, predict, eval):\n");
  for (const d of DATASETS) {
    w(`  ${d.name.padEnd(8)}${d.summary}`);
    w(`  ${"".padEnd(8)}${d.rows} rows, ${d.inputs} inputs, ${d.task}; ${d.source}`);
    w(`  ${"".padEnd(8)}try: edgeprop sim --dataset ${d.name} --layers ${d.layers} --loss ${d.loss} --opt ${d.opt} --lr ${d.lr} --batch ${d.batch} --epochs ${d.epochs}\n`);
  }
  w("Generated sets are deterministic for a given --data-seed (default 1); --layers and --loss default to the suggested model.");
  return 0;
}
