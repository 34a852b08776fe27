import { describe, expect, it } from "vitest";
import { LIVE_NUMBERS, REPORT_NUMBERS, shortNumber } from "./number-format.js";

describe("shortNumber", () => {
  it("plain with a few significant digits, exponent notation outside [1e-3, large)", () => {
    expect(shortNumber(0.123456789, REPORT_NUMBERS)).toBe("0.12346");
    expect(shortNumber(0.123456789, LIVE_NUMBERS)).toBe("0.1235");
    expect(shortNumber(0.0001234, REPORT_NUMBERS)).toBe("1.234e-4");
    expect(shortNumber(123456, LIVE_NUMBERS)).toBe("1.23e+5");
    expect(shortNumber(123456, REPORT_NUMBERS)).toBe("123460");
    expect(shortNumber(0, LIVE_NUMBERS)).toBe("0");
    expect(shortNumber(NaN, REPORT_NUMBERS)).toBe("NaN");
  });
});
