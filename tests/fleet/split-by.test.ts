// fleet sim --split by:COLUMN: one client per value of a column (a natural
// partition), here data/penguins.csv's island, a text column the model leaves
// out (--drop), with --missing drop leaving out the rows whose measurements
// are NA. Each client's rows are checked against the CSV read independently
// here: every row of client "Dream" is a Dream row of the file, with the
// validation rows held out as sim holds them out.
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "../../host/cli/args";
import { FLEET_SIM_OPTIONS, fleetSimSpecOf } from "../../host/cli/fleet-options";
import { runFleetSim } from "../../host/fleet/simulation";
import { repoRoot } from "../helpers/paths";
import { runCli } from "../helpers/cli";

const PENGUINS = path.join(repoRoot, "data", "penguins.csv");
const RUN = ["--data", PENGUINS, "--target", "species", "--drop", "island,sex,year", "--missing", "drop", "--loss", "ce", "--hidden", "8", "--opt", "adam", "--lr", "0.01", "--batch", "8"];

/** The file's rows with all four measurements, as [island, the four measurements]. */
function penguinRows(): { island: string; inputs: number[] }[] {
  const [header, ...lines] = readFileSync(PENGUINS, "utf8").trim().split("\n");
  const cols = (header ?? "").split(",");
  const at = (name: string) => cols.indexOf(name);
  const measured = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"];
  return lines.map((l) => l.split(",")).filter((f) => measured.every((c) => f[at(c)] !== "NA"))
    .map((f) => ({ island: f[at("island")] ?? "", inputs: measured.map((c) => Number(f[at(c)])) }));
}

describe("fleet sim --split by:COLUMN", () => {
  for (const held of [false, true]) {
    it(`one client per island, each with exactly that island's rows${held ? " (--val-split 0.2)" : ""}`, async () => {
      const argv = [...RUN, "--split", "by:island", "--rounds", "2", "--no-centralized", "--fleet", `by${process.pid}${held ? "v" : ""}`, ...(held ? ["--val-split", "0.2"] : [])];
      const spec = fleetSimSpecOf(parseArgs(argv, FLEET_SIM_OPTIONS, "fleet sim"), () => {});
      const file = penguinRows();
      const islands = [...new Set(file.map((r) => r.island))].sort();
      expect(spec.clients).toBe(islands.length);
      // Every training row's island, as the file says for the row with those measurements.
      const d = spec.prepared.data;
      expect(spec.rowValues).toHaveLength(d.rows);
      for (let r = 0; r < d.rows; r++) {
        const x = Array.from(d.x.subarray(r * d.nIn, (r + 1) * d.nIn));
        const match = file.filter((f) => f.inputs.every((v, i) => Math.fround(v) === x[i]));
        expect(match).toHaveLength(1);
        expect(spec.rowValues?.[r]).toBe(match[0]?.island);
      }
      const result = await runFleetSim(spec);
      expect(result.clientIds).toEqual(islands);
      expect(result.shardSizes).toEqual(islands.map((i) => spec.rowValues?.filter((v) => v === i).length));
      if (!held) expect(result.shardSizes).toEqual(islands.map((i) => file.filter((f) => f.island === i).length));
      expect(result.history.map((h) => [h.sampled, h.answered])).toEqual([[3, 3], [3, 3]]);
      expect(result.history[1]?.examples).toBe(d.rows);
    });
  }

  it("names a column the file does not have, with its columns, exit 2", () => {
    const r = runCli(["fleet", "sim", ...RUN, "--split", "by:isle"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--split by:isle: .*penguins\.csv has no column 'isle' \(its columns: species,island/);
  });

  it("needs a data file", () => {
    const r = runCli(["fleet", "sim", "--dataset", "iris", "--split", "by:species"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--split by:species deals out rows by a column of a data file: give --data FILE.csv/);
  });
});
