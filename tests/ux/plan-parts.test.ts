// `edgeprop plan` shows every part a run configures: frozen layers shrink the
// gradients and optimizer state, --normalize adds the input statistics,
// --resident --rows N the sample store, and the lines add up to the total.
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli";

const P2 = ["plan", "--layers", "16,32,32,4", "--act", "relu", "--loss", "ce", "--opt", "adam", "--batch", "32"];

/** The byte rows of plan's table (f32 and int16 side by side), for one precision's column. */
function lines(args: string[], column: 0 | 1 = 0): Map<string, number> {
  const r = runCli(args);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  const parts = new Map<string, number>();
  for (const m of r.stdout.matchAll(/^ {2}(.+?)\s+([\d,]+)\s+([\d,]+)$/gm)) {
    if (m[1].startsWith("wasm pages")) continue; // a page count, not bytes
    parts.set(m[1], Number(m[column + 2].replace(/,/g, "")));
  }
  return parts;
}

describe("plan: the parts of a run", () => {
  it("--normalize --resident --rows 500 --freeze 1: the parts add up to the JSON total", () => {
    const args = [...P2, "--normalize", "--resident", "--rows", "500", "--freeze", "1"];
    const parts = lines(args);
    expect(parts.get("input statistics (--normalize)")).toBe(128); // 2 x 16 f32
    expect(parts.get("sample store (500 rows)")).toBe(500 * 4 * (16 + 1) + 500 * 4); // rows (inputs, label) + the epoch's order
    const total = parts.get("total")!;
    parts.delete("total");
    expect([...parts.values()].reduce((a, b) => a + b, 0)).toBe(total);
    const json = JSON.parse(runCli([...args, "--json"]).stdout);
    expect(json.total_bytes).toBe(total);
    expect(json.store_bytes).toBe(parts.get("sample store (500 rows)"));
    // The int16 column: the same parts plus its integer copies, adding up to its own total.
    const int16 = lines(args, 1);
    const int16Total = int16.get("total")!;
    int16.delete("total");
    expect([...int16.values()].reduce((a, b) => a + b, 0)).toBe(int16Total);
    expect(json.by_precision.int16.total_bytes).toBe(int16Total);
    expect(int16.get("int16 weights, deltas, scratch")).toBe(json.by_precision.int16.int16_bytes);
  });
  it("--resident without --rows, and --batch full without --rows, are refused with what to add", () => {
    const r = runCli([...P2, "--resident"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("edgeprop plan: --resident stores the data on the board: give its row count with --rows N\n");
    const f = runCli(["plan", "--layers", "4,3", "--loss", "ce", "--batch", "full"]);
    expect(f.code).toBe(2);
    expect(f.stderr).toBe("edgeprop plan: --batch full needs the data: give its row count with --rows N\n");
  });
});
