// fleet sim --report FILE.html (and fleet serve's, the same writer): the
// page of `train --report` with the fleet's rounds: validation accuracy and
// loss per round beside the centralized run, clients sampled, answered and
// dropped, and the bytes, each row checked against the round's --json event.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { runCli, jsonLines } from "../helpers/cli";
import { rmDir, tmpDir } from "../helpers/paths";

describe("fleet sim --report", () => {
  it("draws accuracy and loss per round and tables every round's clients and bytes", () => {
    const dir = tmpDir("edgeprop-fleet-report-");
    try {
      const out = path.join(dir, "fleet.html");
      const r = runCli(["fleet", "sim", "--dataset", "iris", "--clients", "6", "--rounds", "4", "--drop-rate", "0.25", "--fraction", "0.5",
        "--opt", "adam", "--lr", "0.01", "--val-split", "0.2", "--json", "--report", out]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const rounds = jsonLines(r.stdout).filter((e) => e.event === "round");
      expect(rounds).toHaveLength(4);
      expect(rounds.some((e) => e.dropped > 0)).toBe(true);
      const html = readFileSync(out, "utf8");
      expect(html).toMatch(/^<!DOCTYPE html>/);
      expect(html).not.toMatch(/<script|https?:\/\//i); // self-contained, as train --report's
      expect(html).toContain("<title>edgeprop fleet sim: ");
      expect(html).toContain("<h2>Validation accuracy per round</h2>");
      expect(html).toContain("<h2>Validation loss per round</h2>");
      expect(html).toContain("<h2>Clients per round</h2>");
      expect(html.match(/<svg class="acc"/g)).toHaveLength(1);
      expect(html.match(/<svg class="lin"/g)).toHaveLength(1);
      expect(html.match(/<svg class="log"/g)).toHaveLength(1);
      expect(html).toContain("centralized (same rows, round x local epochs)");
      const table = html.slice(html.indexOf("<h2>Rounds</h2>"));
      const rows = [...table.matchAll(/<tr>((?:<td>[^<]*<\/td>)+)<\/tr>/g)].map((m) => [...(m[1] ?? "").matchAll(/<td>([^<]*)<\/td>/g)].map((c) => c[1]));
      expect(rows).toHaveLength(4);
      const n = (v: number) => v.toLocaleString("en-US");
      rows.forEach((cells, i) => {
        const e = rounds[i];
        expect(cells.slice(0, 9)).toEqual([String(e.round), String(e.lr), n(e.sampled), n(e.answered), n(e.dropped), n(e.refused), n(e.examples), n(e.bytes_sent), n(e.bytes_received)]);
        expect(cells[10]).toBe(`${(100 * e.val_accuracy).toFixed(1)}%`);
        expect(cells[12]).toBe(`${(100 * e.centralized.val_accuracy).toFixed(1)}%`);
      });
      const sent = rounds.reduce((s, e) => s + e.bytes_sent, 0);
      expect(table).toContain(`${n(sent)} bytes sent`);
    } finally {
      rmDir(dir);
    }
  });

  it("refuses a report path that is a directory, before any work, exit 2", () => {
    const dir = tmpDir("edgeprop-fleet-report-");
    try {
      const r = runCli(["fleet", "sim", "--dataset", "iris", "--report", dir]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/--report .*: is a directory, not a regular file/);
    } finally {
      rmDir(dir);
    }
  });
});
