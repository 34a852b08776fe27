// edgeprop compare: the same data trained several ways, from the same initial
// weights: several optimizers (--opt sgd,momentum,adam) or several batch sizes
// (--batch 1,32,full). Prints a table and writes one self-contained HTML
// report with every run's loss curve on shared axes.
import { commandFlags, HELP_OPTION, type OptionSpec } from "../cli/args.js";
import { DATA_OPTIONS, MODEL_OPTIONS, OPTIMIZER_OPTIONS, TRAINING_OPTIONS, runSpecOf, type RunVariant } from "../cli/run-options.js";
import { OPTIMIZER_CHOICES, isOptimizerChoice } from "../model/config.js";
import { checkOutputFile } from "../files/output-path.js";
import { stdoutOutput, trainOnBoard, describeRun, type Output } from "../run/training-run.js";
import { NO_OUTPUTS } from "../run/run-spec.js";
import { openSimulatedBoard } from "../boards/open.js";
import { LINK_OPTIONS, linkOptionsOf } from "../cli/link-flags.js";
import { UsageError } from "../errors.js";
import { closest } from "../text/closest.js";
import { progressMode } from "../progress/index.js";
import { writeReport, type RunRecord } from "../report/html.js";
import { accuracyText, runsTable } from "../report/table.js";

export const COMPARE_OPTIONS: OptionSpec[] = [
  ...DATA_OPTIONS,
  ...MODEL_OPTIONS,
  ...OPTIMIZER_OPTIONS.map((o) => o.name === "opt"
    ? { ...o, choices: undefined, value: "NAME[,NAME...]", help: `optimizer(s) to compare: ${OPTIMIZER_CHOICES.join(", ")}` }
    : o),
  ...TRAINING_OPTIONS.map((o) => o.name === "batch"
    ? { ...o, value: "N|full[,...]", help: "batch size(s) to compare: 1 = stochastic, full = batch gradient descent" }
    : o),
  { name: "load", kind: "string", value: "MODEL.json", help: "the initial weights of every run (default: --init/--seed, the same for every run)" },
  { name: "out", kind: "string", value: "FILE.html", default: "edgeprop-compare.html", help: "the HTML report (atomically)" },
  { name: "json", kind: "flag", help: "JSON events (each carries \"run\") and a last {\"event\":\"compare\"}" },
  { name: "quiet", kind: "flag", help: "print only the table and the report path" },
  ...LINK_OPTIONS,
  HELP_OPTION,
];

function list(text: string): string[] {
  return text.split(",").map((s) => s.trim()).filter(Boolean);
}

export async function compareCommand(argv: string[]): Promise<number> {
  const a = commandFlags(argv, {
    command: "compare", synopsis: "--data FILE.csv|--dataset NAME --opt A,B,... | --batch N,M,... [--out report.html]", options: COMPARE_OPTIONS,
    more:
      "\nexamples:\n  edgeprop compare --dataset spiral --opt sgd,momentum,adagrad,rmsprop,adam --epochs 50 --out optimizers.html\n" +
      "  edgeprop compare --dataset randn --batch 1,100,full --epochs 20 --out batches.html\n",
  });
  if (!a) return 0;
  const opts = list(String(a.opt));
  const batches = list(String(a.batch));
  for (const o of opts) {
    if (!isOptimizerChoice(o)) {
      const g = closest(o, OPTIMIZER_CHOICES);
      throw new UsageError(`--opt ${o}: expected one of ${OPTIMIZER_CHOICES.join(", ")}${g ? ` (did you mean ${g}?)` : ""}`);
    }
  }
  if (opts.length > 1 && batches.length > 1) throw new UsageError("compare either optimizers (--opt A,B) or batch sizes (--batch N,M), not both at once");
  if (opts.length === 0 || batches.length === 0) throw new UsageError("--opt and --batch need at least one value");
  checkOutputFile("--out", String(a.out));
  const variants: { label: string; variant: RunVariant }[] = opts.length > 1
    ? opts.map((o) => ({ label: o, variant: { opt: o } }))
    : batches.map((b) => ({ label: `batch ${b}`, variant: { batch: b } }));
  // Read and check everything before the first run; the runs write nothing of their own (the report is the comparison's).
  const prepared = variants.map((v) => ({ ...v, p: { ...runSpecOf(a, v.variant), outputs: { ...NO_OUTPUTS, json: Boolean(a.json) } } }));
  const mode = progressMode({ json: a.json, quiet: a.quiet });
  const w = (s: string) => { if (!a.json) process.stdout.write(s + "\n"); };
  const records: RunRecord[] = [];
  let initial: Float32Array | undefined;
  for (const [i, v] of prepared.entries()) {
    const label = `${v.label}`;
    const out: Output = {
      line: stdoutOutput.line,
      json: (o) => process.stdout.write(JSON.stringify({ run: label, ...o }) + "\n"),
    };
    if (!a.quiet) w(`run ${i + 1}/${prepared.length}: ${describeRun(v.p.settings)}, ${v.p.settings.epochs} epochs`);
    const board = await openSimulatedBoard(linkOptionsOf(a));
    try {
      const o = await trainOnBoard(board, v.p, out, undefined, {
        initialWeights: initial, captureInitial: !initial, label, accuracy: true, mode: a.json ? "json" : mode === "live" ? "live" : "quiet",
        warnLine: (t) => process.stderr.write(`${label}: ${t}\n`),
      });
      // Every later run starts from the first run's initial weights.
      initial ??= o.initial;
      records.push(o.record);
      if (!a.quiet) w(`  final loss ${o.record.finalLoss?.toPrecision(6)}${accuracyText(o.record)}, ${o.record.steps} steps`);
    } finally {
      await board.close();
    }
  }
  const data = prepared[0].p.data;
  writeReport(String(a.out), {
    title: `edgeprop compare: ${opts.length > 1 ? "optimizers" : "batch sizes"} on ${data.name}`,
    intro: `${data.rows} rows, ${prepared[0].p.settings.epochs} epochs per run, every run from the same initial weights; simulated board: ${records[0]?.board ?? "-"}.`,
    sections: [{ title: opts.length > 1 ? "Optimizers" : "Batch sizes", runs: records }],
  });
  if (a.json) process.stdout.write(JSON.stringify({ event: "compare", runs: records.map((r) => ({ run: r.label, final_loss: r.finalLoss, accuracy: r.accuracy ?? null,
    ...(r.valLoss != null ? { val_loss: r.valLoss, val_accuracy: r.valAccuracy ?? null } : {}), ...(r.bestEpoch !== undefined ? { best_epoch: r.bestEpoch } : {}), steps: r.steps, bytes_sent: r.bytesSent, plan_bytes: r.planBytes })), report: String(a.out) }) + "\n");
  else {
    w("");
    w(runsTable(records));
    w(`\nreport: ${a.out}`);
  }
  return 0;
}

