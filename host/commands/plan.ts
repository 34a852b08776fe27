// edgeprop plan: the bytes a model needs on the board, before training.
import { commandFlags, HELP_OPTION, type OptionSpec } from "../cli/args.js";
import { MODEL_OPTIONS, OPTIMIZER_OPTIONS, resolveRun } from "../cli/run-options.js";
import { computePlan } from "../model/plan.js";
import { moduleStaticBytes } from "../boards/engine.js";
import { INT16_HIDDEN_ACTIVATIONS, paramCount, type RunConfig } from "../model/config.js";
import { UsageError } from "../errors.js";
import { loadProfile } from "../firmware/profiles.js";

export const PLAN_OPTIONS: OptionSpec[] = [
  ...MODEL_OPTIONS,
  ...OPTIMIZER_OPTIONS.filter((o) => ["opt", "momentum", "centered", "amsgrad", "lr"].includes(o.name)),
  { name: "batch", kind: "string", value: "N", default: "32", help: "rows per optimizer step" },
  { name: "chunk", kind: "int", min: 1, help: "rows the board holds at once (default: min(batch, 8); with --board the most that fit, up to its max_chunk)" },
  { name: "normalize", kind: "flag", help: "the model z-scores its inputs on the board (as sim/train --normalize)" },
  { name: "resident", kind: "flag", help: "with --rows: a sample store for the data on the board (as sim/train --resident)" },
  { name: "rows", kind: "int", min: 1, value: "N", help: "rows of the data set (for --resident, and --batch full)" },
  { name: "board", kind: "string", value: "PROFILE", help: "check the model against a board profile's memory (esp32, esp32-s3, esp32-c3)" },
  { name: "json", kind: "flag", help: "print the plan as one JSON object" },
  HELP_OPTION,
];

export async function planCommand(argv: string[]): Promise<number> {
  const a = commandFlags(argv, { command: "plan", synopsis: "--layers N,N,... --loss mse|ce|bce --opt NAME --batch N [--chunk N] [--json]", options: PLAN_OPTIONS });
  if (!a) return 0;
  const rows = a.rows !== undefined ? Number(a.rows) : null;
  if (a.batch === "full" && rows === null) throw new UsageError("--batch full needs the data: give its row count with --rows N");
  if (a.resident && rows === null) throw new UsageError("--resident stores the data on the board: give its row count with --rows N");
  const s = resolveRun(a, rows, null);
  if (a.normalize) s.run.normalizeInputs = true;
  const plan = computePlan(s.run, moduleStaticBytes());
  // Both precisions side by side (docs/int16.md): int16 only where its hidden activations allow it.
  const f32Run: RunConfig = { ...s.run, precision: "f32" }, int16Run: RunConfig = { ...s.run, precision: "int16" };
  const int16Allowed = s.run.activations.slice(0, -1).every((x) => INT16_HIDDEN_ACTIVATIONS.includes(x));
  const side = { f32: computePlan(f32Run, moduleStaticBytes()), int16: int16Allowed ? computePlan(int16Run, moduleStaticBytes()) : null };
  const profile = a.board ? loadProfile(String(a.board)) : null;
  const fits = !profile || plan.total_bytes <= profile.memory_limit;
  if (a.json) {
    const json = { ...plan, precision: s.run.precision ?? "f32", by_precision: side };
    process.stdout.write(JSON.stringify(profile ? { ...json, board: profile.name, memory_limit: profile.memory_limit, fits } : json) + "\n");
  } else {
    const r = s.run;
    type Row = [string, (p: typeof plan) => number];
    const rows: Row[] = [
      ["parameters", (p) => p.params_bytes], ["gradients", (p) => p.grads_bytes], [`optimizer state (${r.optimizer.name})`, (p) => p.optimizer_bytes],
      [`activations (chunk of ${plan.chunk} rows)`, (p) => p.activations_bytes],
      ...(plan.input_stats_bytes > 0 ? [["input statistics (--normalize)", (p) => p.input_stats_bytes] as Row] : []),
      ...(plan.store_bytes > 0 ? [[`sample store (${r.storeRows} rows)`, (p) => p.store_bytes] as Row] : []),
      ["int16 weights, deltas, scratch", (p) => p.int16_bytes ?? 0],
      ["serial buffers (rx + tx)", (p) => p.buffers_bytes],
      ["module static data", (p) => p.static_bytes], ["total", (p) => p.total_bytes],
    ];
    const cell = (v: number | null) => (v === null ? "-" : v.toLocaleString("en-US")).padStart(10);
    process.stdout.write(`${r.sizes.join("-")} ${r.loss}, ${paramCount(r.sizes)} parameters, ${r.optimizer.name}, batch ${s.batch}, --precision ${r.precision ?? "f32"}\n`);
    process.stdout.write(`  ${"bytes".padEnd(34)}${"f32".padStart(10)}${"int16".padStart(10)}\n`);
    for (const [k, f] of rows) process.stdout.write(`  ${k.padEnd(34)}${cell(f(side.f32))}${cell(side.int16 ? f(side.int16) : null)}\n`);
    process.stdout.write(`  ${"wasm pages (64 KiB)".padEnd(34)}${cell(side.f32.pages)}${cell(side.int16 ? side.int16.pages : null)}\n`);
    if (!side.int16) process.stdout.write(`  int16: hidden activation ${r.activations.slice(0, -1).find((x) => !INT16_HIDDEN_ACTIVATIONS.includes(x))} is not exact on integers (identity or relu)\n`);
    if (profile && fits) process.stdout.write(`  fits ${profile.name}: ${plan.total_bytes.toLocaleString("en-US")} of ${profile.memory_limit.toLocaleString("en-US")} bytes\n`);
  }
  if (!fits) {
    throw new UsageError(`the model needs ${plan.total_bytes} bytes (chunk ${plan.chunk}), the ${profile!.name} board allows ${profile!.memory_limit}: ` +
      "use fewer or smaller layers, an optimizer with less state (sgd), or a board with more memory");
  }
  return 0;
}
