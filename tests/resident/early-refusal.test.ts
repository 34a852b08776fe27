// `sim --resident` on a CSV too large for the board's sample store is refused
// (exit 2, with the store's share, in CONFIGURE's words) from the file's size
// and first rows, before the file is read: the file's last row is broken, and
// the refusal is what is said, not that row's error. A file that fits trains.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { runCli } from "../helpers/cli";
import { rmDir, tmpDir } from "../helpers/paths";

/** `rows` rows of 10 inputs and a target; `brokenLast`: the file ends with a row of two fields. */
function table(rows: number, brokenLast: boolean): string {
  const lines = ["x0,x1,x2,x3,x4,x5,x6,x7,x8,x9,y"];
  for (let r = 0; r < rows; r++) lines.push(Array.from({ length: 11 }, (_, c) => ((r * 7 + c * 13) % 100 / 50 - 1).toFixed(4)).join(","));
  if (brokenLast) lines.push("0.5,0.25");
  return lines.join("\n") + "\n";
}

const SIM = ["sim", "--layers", "10,1", "--loss", "mse", "--board", "esp32-c3", "--epochs", "1"];

describe("--resident on a CSV the board cannot hold", () => {
  let dir = "", big = "", fits = "";
  beforeAll(() => {
    dir = tmpDir();
    big = path.join(dir, "big.csv");
    fits = path.join(dir, "fits.csv");
    writeFileSync(big, table(20_000, true));
    writeFileSync(fits, table(200, false));
  });
  afterAll(() => rmDir(dir));

  it("is refused from the file's size and first rows, exit 2, before the broken last row is read", () => {
    const streamed = runCli([...SIM, "--data", big]);
    expect(streamed.code).toBe(2);
    expect(streamed.stderr).toMatch(/:20002: too few columns/); // the file's end: reading it all finds this
    const r = runCli([...SIM, "--data", big, "--resident"]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/too few columns/);
    expect(r.stderr).toMatch(new RegExp(`--resident: .*big\\.csv holds about \\d+ training rows or more \\(estimated from its [\\d.]+ MB and its first \\d+ rows, before reading it\\): ` +
      `the model does not fit the board's memory: needs \\d+ bytes, the board allows 40960 \\(the sample store of \\d+ rows takes \\d+ of them\\)`));
    const rows = Number(r.stderr.match(/holds about (\d+) training rows/)![1]);
    expect(rows).toBeGreaterThan(15_000); // an estimate near the file's 20,000 rows, never above them
    expect(rows).toBeLessThanOrEqual(20_001);
  });

  it("with --val-split, counts the training rows only; a file that fits trains", () => {
    const r = runCli([...SIM, "--data", big, "--resident", "--val-split", "0.5"]);
    expect(r.code).toBe(2);
    const rows = Number(r.stderr.match(/holds about (\d+) training rows/)![1]);
    expect(rows).toBeLessThanOrEqual(10_001);
    const ok = runCli([...SIM, "--data", fits, "--resident", "--quiet"]);
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
  });
});
