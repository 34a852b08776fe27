#!/usr/bin/env node
// Issue 23's large-file figure: the peak memory (max RSS, from GNU time's -v)
// of `edgeprop sim` on a generated CSV of ROWS rows (default 500,000) of 10
// inputs and 1 target, next to its numeric data as float32. The peak is given
// over node alone and over the same run on 1,000 rows (what the data costs,
// without the CLI's own code and the engine), for the in-process board
// (--link direct) and the default protocol link (--link memory).
// A measurement, not a test (tests/data/large-file.test.ts holds the bound):
// run it by hand (needs /usr/bin/time and a built dist/: npm run build).
//
//   node bench/csv-load-memory.mjs [ROWS]
//
// Measured (2 cores, node 20, 500,000 rows: file 52 MB, float32 data 22 MB):
//   before issue 23's loader (float64 table, csv-parse for every row, a
//   shuffled copy per epoch): 383 MB peak, 15.5x the data over node alone.
//   now (3 runs): --link direct 119-120 MB, 1.7-1.8x the data over the
//   1,000-row run (3.5-3.6x over node alone); --link memory 123-126 MB,
//   1.8-2.0x (3.7-3.8x over node alone). Before the protocol's frames were made
//   as the window reaches them (an epoch's every chunk encoded ahead, its
//   frames and replies kept to the epoch's end), --link memory peaked at about
//   247 MB, 8.5x; before the epoch's requests were described per batch instead
//   of listed per request (five JS arrays of 62,500: about 5 MB live, and V8
//   grew its nursery to 31.7 MB against direct's 26.7, per --trace-gc), at
//   125-129 MB, 2.1-2.2x.
//   The test's setting (--max-semi-space-size=1, a bounded nursery) gives
//   1.4x direct and 1.6x memory on these 500,000 rows.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LARGE_TABLE_COLUMNS, writeLargeTable } from "./large-table.mjs";

const rows = Number(process.argv[2] ?? 500_000);
const cols = LARGE_TABLE_COLUMNS;
const dir = mkdtempSync(join(tmpdir(), "edgeprop-bench-csv-"));


try {
  const big = join(dir, "big.csv"), small = join(dir, "small.csv");
  writeLargeTable(big, rows);
  writeLargeTable(small, 1000);
  const cli = fileURLToPath(new URL("../bin/edgeprop.js", import.meta.url));
  const peak = (args) => {
    const r = spawnSync("/usr/bin/time", ["-v", process.execPath, ...args], { encoding: "utf8" });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`${args.join(" ")}: exit ${r.status}\n${r.stderr}`);
    const m = r.stderr.match(/Maximum resident set size \(kbytes\): (\d+)/);
    if (!m) throw new Error(`no peak in /usr/bin/time's output:\n${r.stderr}`);
    return Number(m[1]) * 1024;
  };
  const sim = (file, link) => [cli, "sim", "--data", file, "--layers", `${cols - 1},1`, "--loss", "mse", "--epochs", "1", "--batch", "1000", "--quiet", "--link", link];
  const mb = (b) => `${(b / 1e6).toFixed(0)} MB`;
  const numeric = rows * cols * 4;
  const base = peak(["-e", "0"]);
  console.log(`${rows} rows x ${cols} columns: file ${mb(statSync(big).size)}, numeric data (float32) ${mb(numeric)}; node alone ${mb(base)}`);
  for (const link of ["direct", "memory"]) {
    const run = peak(sim(big, link)), own = peak(sim(small, link));
    console.log(`--link ${link}: peak RSS ${mb(run)}; over the 1,000-row run (${mb(own)}) ${((run - own) / numeric).toFixed(1)}x the numeric data, ` +
      `over node alone ${((run - base) / numeric).toFixed(1)}x`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
