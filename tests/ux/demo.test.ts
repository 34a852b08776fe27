// `npm start` (= edgeprop demo) without a terminal: plain lines, 8 runs,
// a summary table and a report with a loss curve for each run.
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { curves, EXTERNAL, ok, tmp } from "./util";

describe("edgeprop demo (npm start) in CI", () => {
  it("completes, prints plain lines and a summary, and writes a report with 8 curves", () => {
    const dir = tmp();
    const out = join(dir, "report.html");
    const r = ok(["demo", "--out", out], { timeout: 170_000 });
    expect(r.stdout).not.toMatch(/\x1b/); // no ANSI codes without a TTY
    expect(r.stdout).toMatch(/Part 1/);
    expect(r.stdout).toMatch(/Part 2/);
    for (const name of ["batch GD", "stochastic GD", "mini-batch GD", "SGD", "Momentum", "AdaGrad", "RMSProp", "Adam"]) {
      expect(r.stdout).toContain(name);
    }
    // the summary table's header and the report path
    expect(r.stdout).toMatch(/final loss\s+accuracy\s+steps\s+bytes sent\s+board memory\s+board compute/);
    expect(r.stdout).toContain(`report: ${out}`);
    expect(existsSync(out)).toBe(true);
    expect(existsSync(`${out}.tmp-${process.pid}`)).toBe(false);
    const html = readFileSync(out, "utf8");
    const lin = curves(html, "lin");
    const names = lin.flat();
    expect(names).toHaveLength(8);
    expect(new Set(names).size).toBe(8);
    expect(lin.map((c) => c.length)).toEqual([3, 5]);
    expect(curves(html, "log").flat()).toHaveLength(8);
    expect(html).not.toMatch(EXTERNAL);
    // the table of runs: one row per run
    expect((html.match(/<tr>/g) ?? []).length).toBe(2 + 8);
  }, 180_000);
});
