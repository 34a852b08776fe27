#!/usr/bin/env node
// Issue 23's large-file figure: the peak memory (max RSS, from GNU time's -v)
// of `edgeprop sim` on a generated CSV of ROWS rows (default 500,000) of 10
// inputs and 1 target, next to the file's size and its numeric data as float32.
// A measurement, not a test: run it by hand (needs /usr/bin/time).
//
//   node bench/csv-load-memory.mjs [ROWS]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const rows = Number(process.argv[2] ?? 500_000);
const cols = 11;
const dir = mkdtempSync(join(tmpdir(), "edgeprop-bench-csv-"));
const file = join(dir, "big.csv");
try {
  // A seeded generator (mulberry32): the same file on every run.
  let a = 23;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const lines = [[...Array.from({ length: cols - 1 }, (_, i) => `x${i}`), "y"].join(",")];
  for (let r = 0; r < rows; r++) {
    const x = Array.from({ length: cols - 1 }, () => next() * 2 - 1);
    lines.push([...x, x.reduce((s, v) => s + v, 0) * 0.3].map((v) => v.toFixed(6)).join(","));
  }
  writeFileSync(file, lines.join("\n") + "\n");
  const cli = fileURLToPath(new URL("../bin/edgeprop.js", import.meta.url));
  const peak = (args) => {
    const r = spawnSync("/usr/bin/time", ["-v", process.execPath, ...args], { encoding: "utf8" });
    if (r.error) throw r.error;
    const m = r.stderr.match(/Maximum resident set size \(kbytes\): (\d+)/);
    if (!m) throw new Error(`no peak in /usr/bin/time's output:\n${r.stderr}`);
    return Number(m[1]) * 1024;
  };
  const base = peak(["-e", "0"]);
  const run = peak([cli, "sim", "--data", file, "--layers", `${cols - 1},1`, "--loss", "mse", "--epochs", "1", "--batch", "1000", "--quiet"]);
  const mb = (b) => `${(b / 1e6).toFixed(0)} MB`;
  const numeric = rows * cols * 4;
  console.log(`${rows} rows x ${cols} columns: file ${mb(statSync(file).size)}, numeric data (float32) ${mb(numeric)}`);
  console.log(`edgeprop sim peak RSS ${mb(run)} (node alone ${mb(base)}): ${((run - base) / numeric).toFixed(1)}x the numeric data above node's own`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
