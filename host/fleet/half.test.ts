import { describe, expect, it } from "vitest";
import { fromHalf, toHalf } from "./half";

describe("f16", () => {
  it("converts the landmarks", () => {
    expect(toHalf(1)).toBe(0x3c00);
    expect(toHalf(-2)).toBe(0xc000);
    expect(toHalf(65504)).toBe(0x7bff);
    expect(toHalf(65520)).toBe(0x7c00); // rounds to Inf
    expect(toHalf(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(toHalf(2 ** -26)).toBe(0x0000);
    expect(toHalf(NaN) & 0x7c00).toBe(0x7c00);
    expect(fromHalf(0x3555)).toBeCloseTo(0.33325195, 8);
    expect(fromHalf(0x7c00)).toBe(Infinity);
  });

  it("rounds to nearest, ties to even", () => {
    expect(toHalf(1 + 2 ** -11)).toBe(0x3c00); // halfway between 1 and the next: to even (1)
    expect(toHalf(1 + 3 * 2 ** -11)).toBe(0x3c02); // halfway, odd below: up
    expect(toHalf(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // past halfway: up
  });

  it("round-trips every f16 bit pattern that is a number", () => {
    for (let h = 0; h < 0x10000; h++) {
      const v = fromHalf(h);
      if (Number.isNaN(v)) continue;
      expect(toHalf(v)).toBe(h === 0x8000 ? 0x8000 : h);
    }
  });
});
