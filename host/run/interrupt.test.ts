import { describe, expect, it } from "vitest";
import { INTERRUPT_EXIT_CODE, Interrupt } from "./interrupt";

describe("Interrupt", () => {
  it("the first Ctrl-C asks the run to stop and says so; the second exits at once with 130", () => {
    const written: string[] = [];
    const exits: number[] = [];
    const i = new Interrupt({ write: (t) => written.push(t), exit: (c) => exits.push(c) });
    expect(i.stopRequested).toBe(false);
    i.request();
    expect(i.stopRequested).toBe(true);
    expect(exits).toEqual([]);
    expect(written.join("")).toMatch(/stopping after this batch \(Ctrl-C again to quit at once\)/);
    i.request();
    expect(exits).toEqual([INTERRUPT_EXIT_CODE]);
    expect(INTERRUPT_EXIT_CODE).toBe(130);
  });

  it("a run that can stop only between epochs says so", () => {
    const written: string[] = [];
    new Interrupt({ write: (t) => written.push(t), exit: () => {} }, "epoch").request();
    expect(written.join("")).toMatch(/interrupted: stopping before the next epoch \(the board in this process trains a whole epoch at once\) \(Ctrl-C again/);
  });
});
