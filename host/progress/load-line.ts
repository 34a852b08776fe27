// The line a large CSV's load shows on a terminal: rows read, how much of the
// file and how fast, rewritten in place at most a few times a second and
// cleared once the table is read, so the run's own output starts on a clean
// line. Nothing when stderr is not a terminal, or with --quiet or --json.
import { basename } from "node:path";
import type { ReadProgress } from "../data/csv.js";
import { interactive } from "./index.js";

/** How often the line is redrawn at most (ms). */
const REDRAW_MS = 100;

export interface LoadLine {
  /** After each chunk read (CsvOptions.onProgress). */
  update(p: ReadProgress): void;
  /** Clears the line (the load ended, well or not). */
  end(): void;
}

/** The line's text: "reading big.csv: 120,000 rows, 12.5 of 52.0 MB (24%), 41.7 MB/s". */
export function loadLineText(file: string, p: ReadProgress, seconds: number): string {
  const mb = (b: number) => (b / 1e6).toFixed(1);
  const percent = p.size > 0 ? ` (${Math.floor((100 * p.bytes) / p.size)}%)` : "";
  const rate = seconds > 0 ? `, ${(p.bytes / 1e6 / seconds).toFixed(1)} MB/s` : "";
  return `reading ${basename(file)}: ${p.rows.toLocaleString("en-US")} rows, ${mb(p.bytes)} of ${mb(p.size)} MB${percent}${rate}`;
}

/** The load line for `file` on `stream` when it is a terminal and `show` (not --quiet or --json); else one that draws nothing. */
export function loadLine(file: string, show: boolean, stream: NodeJS.WriteStream = process.stderr): LoadLine {
  if (!show || !interactive(stream)) return { update: () => {}, end: () => {} };
  const t0 = performance.now();
  let drawn = false, last = -Infinity;
  return {
    update(p) {
      const now = performance.now();
      if (now - last < REDRAW_MS) return;
      last = now;
      const width = Math.max(20, (stream.columns || 80) - 1); // a pty of no size says 0
      stream.write(`\r\x1b[2K${loadLineText(file, p, (now - t0) / 1000).slice(0, width)}`);
      drawn = true;
    },
    end() {
      if (drawn) stream.write("\r\x1b[2K");
      drawn = false;
    },
  };
}
