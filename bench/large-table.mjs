// @ts-check
// The generated table of issue 23's large-file figure, written by
// bench/csv-load-memory.mjs and tests/data/large-file.test.ts alike, so the
// bench measures the same file the test holds to its bound: ROWS rows of 10
// inputs in [-1, 1) and a target (0.3 x their sum), 6 decimals each, from a
// seeded mulberry32: the same bytes on every run.
import { writeFileSync } from "node:fs";

/** Columns of the table: 10 inputs (x0..x9), then the target y. */
export const LARGE_TABLE_COLUMNS = 11;

/**
 * Writes the table of `rows` rows to `file`.
 * @param {string} file
 * @param {number} rows
 */
export function writeLargeTable(file, rows) {
  const cols = LARGE_TABLE_COLUMNS;
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
}
