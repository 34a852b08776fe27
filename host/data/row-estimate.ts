// How many rows a CSV file holds at least, from its size and its first rows,
// without reading it (--resident refuses a data set the board cannot hold
// before a large file is read): the bytes after the header over the longest of
// the first rows. Lines are counted outside quotes, as the reader counts them.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

/** How much of the file's start is looked at. */
const SAMPLE_BYTES = 64 * 1024;

export interface RowEstimate {
  /** At least this many data rows, if no later row is longer than the longest of the first ones. */
  rows: number;
  /** How many rows (after the header) the estimate looked at. */
  sampled: number;
  /** The file's size in bytes. */
  size: number;
}

/** The estimate for `file`, or null when it cannot be made (not a regular file, no complete row in the sample). */
export function estimateRows(file: string): RowEstimate | null {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return null; // the reader says why
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return null;
    const buf = Buffer.alloc(Math.min(SAMPLE_BYTES, st.size));
    const got = readSync(fd, buf, 0, buf.length, 0);
    const sample = buf.subarray(0, got);
    const ends: number[] = []; // the end (exclusive) of each line outside quotes
    let quoted = false;
    for (let i = 0; i < sample.length; i++) {
      if (sample[i] === 0x22) quoted = !quoted;
      else if (sample[i] === 0x0a && !quoted) ends.push(i + 1);
    }
    const whole = got === st.size;
    if (whole && (ends.length === 0 || ends[ends.length - 1] !== got)) ends.push(got);
    // Blank lines (before the header too) are not rows.
    const lines = ends.map((end, k) => ({ start: k === 0 ? 0 : ends[k - 1], end }))
      .filter(({ start, end }) => sample.subarray(start, end).toString("latin1").trim() !== "");
    const header = lines.shift();
    if (!header || lines.length === 0) return null;
    if (whole) return { rows: lines.length, sampled: lines.length, size: st.size };
    const longest = Math.max(...lines.map(({ start, end }) => end - start));
    return { rows: Math.floor((st.size - header.end) / longest), sampled: lines.length, size: st.size };
  } finally {
    closeSync(fd);
  }
}
