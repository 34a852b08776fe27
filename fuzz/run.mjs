#!/usr/bin/env node
// `npm run fuzz -- --minutes N` (or --seconds N): builds the libFuzzer harness
// (fuzz/Makefile) and fuzzes the module as the pump runs it, starting from
// the seed corpus in fuzz/corpus (which it never writes: new inputs go to
// build/fuzz/corpus, crashes to build/fuzz/artifacts). Prints the executions,
// libFuzzer's coverage (cov: edges, ft: features) and the findings, writes
// them to build/fuzz/summary.json, and exits 1 if the harness found anything.
import { spawn, execFileSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const work = join(root, "build", "fuzz");
const bin = join(work, "edgeprop-fuzz");
const seeds = join(root, "fuzz", "corpus");
const corpus = join(work, "corpus");
const artifacts = join(work, "artifacts") + "/";
// Inputs are operation programs (fuzz/harness.c); 4 KiB makes hundreds of frames.
const MAX_LEN = 4096;

function usage(message) {
  process.stderr.write(`edgeprop fuzz: ${message}\nusage: npm run fuzz -- [--minutes N | --seconds N]\n`);
  process.exit(2);
}

function parseArgs(argv) {
  let seconds = 60;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a !== "--minutes" && a !== "--seconds") usage(`unexpected argument '${a}'`);
    const v = Number(argv[++i]);
    if (!Number.isFinite(v) || v <= 0) usage(`${a} needs a positive number`);
    seconds = Math.max(1, Math.round(a === "--minutes" ? v * 60 : v));
  }
  return { seconds };
}

const { seconds } = parseArgs(process.argv.slice(2));
if (!existsSync(join(root, "build", "edgeprop.wasm"))) execFileSync(process.execPath, [join(root, "scripts", "build.mjs"), "wasm"], { stdio: "inherit" });
execFileSync("make", ["-s", "-C", join(root, "fuzz")], { stdio: "inherit" });
mkdirSync(corpus, { recursive: true });
mkdirSync(artifacts, { recursive: true });

const args = [`-max_total_time=${seconds}`, `-max_len=${MAX_LEN}`, "-print_final_stats=1", "-timeout=20",
  `-artifact_prefix=${artifacts}`, corpus, seeds];
const log = createWriteStream(join(work, "fuzz.log"));
const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
let text = "";
const onData = (d) => {
  const s = d.toString();
  log.write(s);
  text += s;
  if (text.length > 1 << 20) text = text.slice(-(1 << 19));
  for (const line of s.split("\n")) {
    if (/^#\d+\s+(INITED|pulse|DONE)/.test(line)) process.stdout.write(`${line}\n`);
  }
};
child.stdout.on("data", onData);
child.stderr.on("data", onData);
const code = await new Promise((res) => child.on("exit", (c, sig) => res(c ?? (sig ? 128 : 1))));
log.end();

const stat = (name) => Number((text.match(new RegExp(`stat::${name}:\\s+(\\d+)`)) ?? [])[1] ?? NaN);
const progress = text.match(/^#\d+\s.*cov: .*$/gm) ?? [];
const lastLine = progress[progress.length - 1] ?? "";
const num = (re) => Number((lastLine.match(re) ?? [])[1] ?? NaN);
const findings = readdirSync(artifacts).filter((f) => /^(crash|leak|timeout|oom)-/.test(f)).map((f) => join(artifacts, f));
const failure = (text.match(/edgeprop fuzz: [^\n]+/g) ?? []).concat(text.match(/ERROR: (AddressSanitizer|libFuzzer)[^\n]*/g) ?? []);
const summary = {
  seconds, executions: stat("number_of_executed_units"), execs_per_sec: stat("average_exec_per_sec"),
  cov: num(/cov: (\d+)/), ft: num(/ft: (\d+)/), corpus: num(/corp: (\d+)/), new_units: stat("new_units_added"),
  exit_code: code, findings, failure: [...new Set(failure)],
};
writeFileSync(join(work, "summary.json"), JSON.stringify(summary, null, 2) + "\n");
process.stdout.write(`fuzz: ${summary.executions} executions in ${seconds} s (${summary.execs_per_sec}/s), cov ${summary.cov}, ft ${summary.ft}, ` +
  `corpus ${summary.corpus}; ${findings.length ? `FOUND ${findings.length}: ${findings.join(", ")}` : "no findings"}\n`);
for (const f of summary.failure) process.stdout.write(`  ${f}\n`);
process.exit(code === 0 && findings.length === 0 ? 0 : 1);
