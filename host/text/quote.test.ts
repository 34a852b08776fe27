import { describe, expect, it } from "vitest";
import { cut, cutList, QUOTE_MAX } from "./quote.js";

describe("quote", () => {
  it("keeps text up to QUOTE_MAX characters, cuts longer text with ...", () => {
    expect(cut("x".repeat(QUOTE_MAX))).toBe("x".repeat(QUOTE_MAX));
    expect(cut("x".repeat(2_000_000))).toBe(`${"x".repeat(QUOTE_MAX)}...`);
    expect(cut("abcdef", 3)).toBe("abc...");
  });

  it("a list is joined with commas; a long one is cut and says how many there are", () => {
    expect(cutList(["a", "b", "c"])).toBe("a,b,c");
    const names = Array.from({ length: 100_001 }, (_, i) => `c${i}`);
    const shown = cutList(names);
    expect(shown.endsWith("... (100001 in all)")).toBe(true);
    expect(shown.length).toBeLessThan(QUOTE_MAX + 30);
  });
});
