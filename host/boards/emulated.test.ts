// --emulate PROFILE[:ENGINE] and --board-engine: wasm2c (the firmware flash
// builds by default) unless one of them says wasm3; both at once must agree.
import { describe, expect, it } from "vitest";
import { parseEmulate } from "./emulated.js";
import { UsageError } from "../errors.js";

describe("the emulated board's engine", () => {
  it("is wasm2c by default, wasm3 when --emulate's suffix or --board-engine says so", () => {
    expect(parseEmulate("esp32-c3")).toMatchObject({ profile: "esp32-c3", isa: "rv32imc", engine: "wasm2c" });
    expect(parseEmulate("esp32-s3", undefined)).toMatchObject({ isa: "rv32imfc", engine: "wasm2c" });
    expect(parseEmulate("esp32-c3:wasm3").engine).toBe("wasm3");
    expect(parseEmulate("esp32-c3", "wasm3").engine).toBe("wasm3");
    expect(parseEmulate("esp32-c3:wasm3", "wasm3").engine).toBe("wasm3");
    expect(parseEmulate("esp32-c3", "wasm2c").engine).toBe("wasm2c");
  });

  it("runs the esp8266 on its own core (lx106), with wasm2c only (wasm3's runtime is over its RAM)", () => {
    expect(parseEmulate("esp8266")).toMatchObject({ profile: "esp8266", isa: "lx106", engine: "wasm2c" });
    expect(() => parseEmulate("esp8266:wasm3")).toThrow(/--emulate esp8266:wasm3: the emulated esp8266 runs wasm2c only, not wasm3/);
    expect(() => parseEmulate("esp8266", "wasm3")).toThrow(UsageError);
  });

  it("refuses engines that disagree or do not exist, naming what was given (exit 2)", () => {
    expect(() => parseEmulate("esp32-c3:wasm2c", "wasm3")).toThrow(UsageError);
    expect(() => parseEmulate("esp32-c3:wasm2c", "wasm3")).toThrow(/--emulate esp32-c3:wasm2c and --board-engine wasm3 name different engines/);
    expect(() => parseEmulate("esp32-c3", "wamr")).toThrow(/engine must be wasm2c or wasm3, not 'wamr'/);
  });
});
