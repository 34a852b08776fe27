// Issue 23's large files: a numeric CSV trains within twice its float32 data
// in memory (the peak RSS over a run of the same command on a small file, so
// node's own and the CLI's fixed cost are not counted; 1.4-1.5x measured), on
// the default link (--link memory: the protocol's frames, COBS and CRC to the
// simulated board in this process; it loads the file as --link direct does,
// and adds the frames: 6.5x when a whole epoch was encoded ahead), and a terminal shows
// a progress line while it loads, cleared before the run's output (nothing on
// a pipe or with --quiet). Memory, never time, is what is asserted.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { cliPath, repoRoot, rmDir, tmpDir } from "../helpers/paths";
import { runCli } from "../helpers/cli";
import { LARGE_TABLE_COLUMNS, writeLargeTable } from "../../bench/large-table.mjs";

const COLS = LARGE_TABLE_COLUMNS; // 10 inputs, 1 target (bench/large-table.mjs)
const ROWS = 400_000;


const SIM = ["sim", "--layers", `${COLS - 1},1`, "--loss", "mse", "--epochs", "1", "--batch", "4000", "--link", "direct", "--quiet"];
/** The same run on the default link (no --link): the real protocol. */
const SIM_DEFAULT_LINK = SIM.filter((f, i) => f !== "--link" && SIM[i - 1] !== "--link");

/** The peak RSS (bytes) of `edgeprop sim` on `file`, on the default link. */
function peakRss(file: string): number {
  // A 1 MB young generation: how large V8 lets its nursery grow depends on the machine's load, the data's memory does not.
  const r = spawnSync(process.execPath, ["--max-semi-space-size=1", "-r", path.join(repoRoot, "tests", "helpers", "max-rss.cjs"), cliPath, ...SIM_DEFAULT_LINK, "--data", file],
    { encoding: "utf8", timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  const m = r.stderr.match(/max-rss-kb=(\d+)/);
  expect(m, r.stderr).not.toBeNull();
  return Number(m![1]) * 1024;
}

/** `args` run under a real pseudo-terminal (script(1)): what the terminal shows, stdout and stderr together. */
function onTerminal(args: string[]): { code: number | null; screen: string } {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const command = [process.execPath, cliPath, ...args].map(quote).join(" ");
  const r = spawnSync("script", ["-q", "-e", "-c", command, "/dev/null"], {
    encoding: "utf8", timeout: 120_000, env: { ...process.env, CI: "", NO_COLOR: "1" },
  });
  if (r.error) throw r.error;
  return { code: r.status, screen: r.stdout };
}

describe("a large CSV", () => {
  let dir = "", big = "", medium = "", small = "";
  beforeAll(() => {
    dir = tmpDir();
    big = path.join(dir, "big.csv");
    medium = path.join(dir, "medium.csv"); // 5 MB: a few chunks to show
    small = path.join(dir, "small.csv");
    writeLargeTable(big, ROWS);
    writeLargeTable(medium, 50_000);
    writeLargeTable(small, 1000);
  });
  afterAll(() => rmDir(dir));

  it(`trains on ${ROWS} rows within twice its float32 data in memory on the default link (peak RSS over the same run on 1,000 rows)`, () => {
    const numeric = ROWS * COLS * 4;
    const over = peakRss(big) - peakRss(small);
    expect(over / numeric, `${(over / 1e6).toFixed(1)} MB over the small run for ${(numeric / 1e6).toFixed(1)} MB of data`).toBeLessThanOrEqual(2);
  });

  it("shows rows read and how much of the file on a terminal, rewritten in place and cleared before the result", () => {
    const r = onTerminal([...SIM.filter((f) => f !== "--quiet"), "--data", medium]);
    expect(r.code).toBe(0);
    expect(r.screen).toMatch(/\r\x1b\[2Kreading medium\.csv: [\d,]+ rows, [\d.]+ of [\d.]+ MB \(\d+%\)/);
    // The last thing drawn on the line is its clearing: the run's output starts on a clean line.
    const cleared = r.screen.lastIndexOf("\r\x1b[2K");
    expect(r.screen.lastIndexOf("reading medium.csv")).toBeLessThan(cleared);
    expect(r.screen.slice(cleared)).toMatch(/^\r\x1b\[2Kedgeprop: 10-1 mse/);
  });

  it("shows nothing with --quiet or --json on a terminal, nor on a pipe", () => {
    const quiet = onTerminal([...SIM, "--data", medium]);
    expect(quiet.code).toBe(0);
    expect(quiet.screen).not.toContain("reading");
    expect(onTerminal([...SIM.filter((f) => f !== "--quiet"), "--json", "--data", medium]).screen).not.toContain("reading");
    const piped = runCli([...SIM.filter((f) => f !== "--quiet"), "--data", medium]);
    expect(piped.code).toBe(0);
    expect(piped.stderr + piped.stdout).not.toContain("reading");
  });
});
