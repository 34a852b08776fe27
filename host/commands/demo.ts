// edgeprop demo (what `npm start` runs): the course's story on a simulated
// ESP32. Part 1: the course's regression trained with batch, stochastic and
// mini-batch gradient descent; part 2: a spiral classifier trained with SGD,
// Momentum, AdaGrad, RMSProp and Adam. Every run of a part starts from the
// same weights. Progress while it runs, a summary table, an HTML report.
import { resolve } from "node:path";
import { commandFlags, HELP_OPTION, parseArgs, type OptionSpec } from "../cli/args.js";
import type { Board } from "../boards/board.js";
import { UsageError } from "../errors.js";
import { openSimulatedBoard } from "../boards/open.js";
import { checkOutputFile } from "../files/output-path.js";
import { describeRun, stdoutOutput, trainOnBoard } from "../run/training-run.js";
import { SIM_OPTIONS, runSpecOf } from "../cli/run-options.js";
import { NO_OUTPUTS, type RunSpec } from "../run/run-spec.js";
import type { Dataset } from "../data/dataset.js";
import { interactive } from "../progress/index.js";
import { makeRandn, makeSpiral } from "../data/datasets.js";
import { writeReport, type RunRecord } from "../report/html.js";
import { accuracyText, runsTable } from "../report/table.js";

export const DEMO_OPTIONS: OptionSpec[] = [
  { name: "fast", kind: "flag", help: "no baud throttling: run the simulated line as fast as the host can" },
  { name: "baud", kind: "int", min: 0, help: "the simulated line rate, 10 bits a byte (default: the esp32 profile's, 921600; 0 or --fast: unthrottled)" },
  { name: "out", kind: "string", value: "FILE.html", default: "edgeprop-report.html", help: "where to write the HTML report (atomically)" },
  { name: "regression-epochs", kind: "int", min: 1, default: 10, help: "epochs of each part-1 run (the course's regression)" },
  { name: "classify-epochs", kind: "int", min: 1, default: 40, help: "epochs of each part-2 run (spiral classification)" },
  { name: "seed", kind: "int", min: 0, default: 1, help: "seed for the data and the initial weights" },
  HELP_OPTION,
];

/**
 * The demo's board: a simulated ESP32 behind the in-memory protocol link at
 * the profile's baud; the in-process engine where that link is not available.
 */
export async function openDemoBoard(baud: number | undefined): Promise<Board> {
  try {
    return await openSimulatedBoard({ link: "memory", board: "esp32", baud });
  } catch (err) {
    if (err instanceof UsageError) return openSimulatedBoard({ link: "direct" });
    throw err;
  }
}

/** Part 2 holds out this fraction of each spiral arm (--val-split) and reports the accuracy on it. */
const VAL_SPLIT = 0.2;

interface DemoRun {
  part: number;
  label: string;
  p: RunSpec;
}

export async function demoCommand(argv: string[]): Promise<number> {
  const a = commandFlags(argv, {
    command: "demo", synopsis: "[--fast] [--out FILE.html]", options: DEMO_OPTIONS,
    more:
      "\nTrains 8 small networks on a simulated ESP32 (the course's story) and writes an HTML report.\n",
  });
  if (!a) return 0;
  checkOutputFile("--out", String(a.out));
  const live = interactive();
  const w = (s: string) => process.stdout.write(s + "\n");
  const seed = Number(a.seed);
  const regEpochs = Number(a["regression-epochs"]), clsEpochs = Number(a["classify-epochs"]);
  const reg = makeRandn(seed), spiral = makeSpiral(seed);
  // Each run is what `edgeprop sim` would train with this command line, on the rows given here; the runs write nothing of their own.
  const simRun = (data: Dataset, argv: string[]): RunSpec => ({
    ...runSpecOf(parseArgs([...argv, "--act", "relu", "--init", "pytorch", "--seed", String(seed)], SIM_OPTIONS, "demo"), {}, { data }),
    outputs: NO_OUTPUTS,
  });
  const runs: DemoRun[] = [
    ...([["batch GD (batch = all 1000 rows)", "full"], ["stochastic GD (batch 1)", "1"], ["mini-batch GD (batch 100)", "100"]] as const).map(([label, batch]) => ({
      part: 1, label,
      p: simRun(reg, ["--layers", "10,1", "--loss", "mse", "--opt", "sgd", "--lr", "0.01", "--batch", batch, "--epochs", String(regEpochs), "--no-shuffle"]),
    })),
    ...([["SGD", "sgd"], ["Momentum (0.9)", "momentum"], ["AdaGrad", "adagrad"], ["RMSProp", "rmsprop"], ["Adam", "adam"]] as const).map(([label, opt]) => ({
      part: 2, label,
      p: simRun(spiral, ["--layers", "2,32,3", "--loss", "ce", "--opt", opt, "--lr", "0.01", "--batch", "32", "--epochs", String(clsEpochs), "--shuffle", "--val-split", String(VAL_SPLIT)]),
    })),
  ];
  const prepared = runs;
  const baud = a.fast ? 0 : a.baud === undefined ? undefined : Number(a.baud);
  const probe = await openDemoBoard(baud);
  const boardName = probe.description;
  await probe.close();

  w(`edgeprop demo: on-device training, simulated on ${boardName}${a.fast ? " (--fast: no baud throttling)" : ""}.`);
  w(`Part 1: the course's regression (10 inputs -> 1 output, ${reg.rows} rows, y = x.w_true + noise), MSE, SGD lr 0.01,`);
  w(`        ${regEpochs} epochs each of batch, stochastic and mini-batch gradient descent, from the same initial weights.`);
  w(`Part 2: a 3-class spiral (${spiral.rows} points, ${100 * VAL_SPLIT}% held out for validation), a 2-32-3 ReLU network with cross-entropy, ${clsEpochs} epochs each`);
  w(`        of SGD, Momentum, AdaGrad, RMSProp and Adam (lr 0.01, batch 32, shuffled), from the same initial weights.`);
  w("");
  const records: RunRecord[] = [];
  const initial: Record<number, Float32Array | undefined> = {};
  const t0 = performance.now();
  for (const [i, r] of prepared.entries()) {
    const tag = `[${i + 1}/${prepared.length}] ${r.part === 1 ? "part 1" : "part 2"}: ${r.label}`;
    w(`${tag}: ${describeRun(r.p.settings)}, ${r.p.settings.epochs} epochs`);
    const epochs = r.p.settings.epochs;
    const every = Math.max(1, Math.floor(epochs / 4));
    const board = await openDemoBoard(baud);
    try {
      const o = await trainOnBoard(board, r.p, stdoutOutput, live ? undefined : (e) => {
        if (e.epoch % every === 0 || e.epoch === epochs) {
          w(`    epoch ${String(e.epoch).padStart(String(epochs).length)}/${epochs}  loss ${e.loss.toPrecision(6)}  (${e.steps} steps this epoch)`);
        }
      }, {
        label: r.label, mode: live ? "live" : "quiet", initialWeights: initial[r.part], captureInitial: !initial[r.part],
        accuracy: r.part === 2, warnLine: (t) => process.stderr.write(`    ${t}\n`),
      });
      initial[r.part] ??= o.initial;
      records.push(o.record);
      const acc = accuracyText(o.record);
      w(`    done: final loss ${o.record.finalLoss?.toPrecision(6)}${acc}, ${o.record.steps.toLocaleString("en-US")} optimizer steps, ` +
        `${o.record.bytesSent.toLocaleString("en-US")} bytes sent, ${o.record.wallSeconds.toFixed(2)} s`);
    } finally {
      await board.close();
    }
  }
  const part1 = records.slice(0, 3), part2 = records.slice(3);
  w("");
  w(runsTable(records));
  w("");
  const [gd, sgd, mb] = part1;
  w(`Part 1: per epoch, batch GD takes 1 step, stochastic ${sgd.steps / regEpochs}, mini-batch ${mb.steps / regEpochs}: ` +
    `after ${regEpochs} epochs the losses are ${gd.finalLoss?.toPrecision(3)}, ${sgd.finalLoss?.toPrecision(3)} and ${mb.finalLoss?.toPrecision(3)}.`);
  const best = [...part2].sort((x, y) => (x.finalLoss ?? Infinity) - (y.finalLoss ?? Infinity))[0];
  w(`Part 2: lowest final loss: ${best.label} (${best.finalLoss?.toPrecision(3)}${best.valAccuracy != null ? `, ${(100 * best.valAccuracy).toFixed(1)}% of the held-out points right` : ""}).`);
  const out = resolve(String(a.out));
  writeReport(out, {
    title: "edgeprop demo: training on a simulated ESP32",
    intro: `Eight small networks trained by the edgeprop engine on ${boardName}${a.fast ? " without baud throttling" : ""}; ` +
      `the host streams the data, the board runs forward pass, backpropagation and the optimizer in a fixed memory plan. Total ${((performance.now() - t0) / 1000).toFixed(1)} s.`,
    sections: [
      {
        title: "Part 1: batch, stochastic and mini-batch gradient descent", runs: part1, yLabel: "MSE (epoch mean)",
        text: `The course's regression: 10 inputs, 1 output, ${reg.rows} rows, y = x&middot;w_true + noise, MSE, SGD with lr 0.01, ${regEpochs} epochs, ` +
          `the same initial weights. Batch GD averages all rows into one step per epoch; stochastic GD steps after every row ` +
          `(${reg.rows} steps an epoch, noisy but fast); mini-batch GD (batch 100) sits between, with 10 steps an epoch.`,
      },
      {
        title: "Part 2: optimizers on a spiral", runs: part2, yLabel: "cross-entropy (epoch mean)",
        text: `Three interleaved spiral arms (${spiral.rows} points, ${100 * VAL_SPLIT}% of each arm held out for validation), a 2-32-3 ReLU network, ` +
          `softmax cross-entropy, batch 32 (shuffled each epoch), lr 0.01 for every optimizer, ${clsEpochs} epochs, the same initial weights. ` +
          `Accuracy is on the training points; validation loss (dashed) and accuracy on the held-out ones.`,
      },
    ],
    footer: "Reproduce: npm start (or edgeprop demo --fast). Single runs: edgeprop sim --dataset spiral --opt adam --report FILE.html.",
  });
  w(`report: ${out}`);
  return 0;
}
