import { describe, expect, it } from "vitest";
import { BadStatsLine, doneFields, parseStatsLine } from "./board-stats.js";

// A line the rv32imc wasm2c firmware printed after training xor (boards/qemu).
const LINE = "edgeprop: stats engine=wasm2c isa=rv32imc instructions=174790287 poll_instructions=2951541 load_instructions=3441711 " +
  "heap_peak=67084 heap_limit=294032 stack_peak=1124 stack_limit=32768 ram=327680 watchdog_feeds=0 traps=0 rx_bytes=17631";

describe("the board's stats line", () => {
  it("parses the firmware's line", () => {
    const s = parseStatsLine(LINE);
    expect(s).toMatchObject({ engine: "wasm2c", isa: "rv32imc", instructions: 174790287, heapPeakBytes: 67084, stackPeakBytes: 1124, rxBytes: 17631 });
    expect(doneFields(s)).toEqual({ board_instructions: 174790287, board_heap_peak_bytes: 67084, board_stack_peak_bytes: 1124 });
  });
  it.each([
    ["a field missing", LINE.replace(" stack_peak=1124", "")],
    ["a field twice", `${LINE} traps=0`],
    ["a count that is not one", LINE.replace("heap_peak=67084", "heap_peak=6.7e4")],
    ["a negative count", LINE.replace("traps=0", "traps=-1")],
    ["a count too long to be exact", LINE.replace("instructions=174790287", "instructions=12345678901234567")],
    ["a peak over its limit", LINE.replace("stack_peak=1124", "stack_peak=40000")],
    ["limits over the RAM", LINE.replace("ram=327680", "ram=1000")],
    ["a field without a value", LINE.replace("traps=0", "traps=")],
    ["a cut line", LINE.slice(0, 60)],
  ])("refuses %s", (_, line) => {
    expect(() => parseStatsLine(line)).toThrow(BadStatsLine);
  });
  it("accepts fields it does not know (newer firmware)", () => {
    expect(parseStatsLine(`${LINE} flash_bytes=1`).traps).toBe(0);
  });
});
