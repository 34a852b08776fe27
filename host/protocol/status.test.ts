// The host's frame types and status codes are the module's and the firmware's:
// reads assembly/status.ts, assembly/protocol/frame.ts and
// boards/common/error_frame.h and names any code that one side lacks or
// numbers differently.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Status } from "./status.js";
import { Type } from "./frame.js";
import { ConfigOffset } from "./config-block.js";

const repo = (p: string) => readFileSync(fileURLToPath(new URL(`../../${p}`, import.meta.url)), "utf8");

/** `export const NAME: type = value;` inside `export namespace <ns> { ... }`. */
function namespaceConstants(source: string, ns: string): Map<string, number> {
  const body = new RegExp(`export namespace ${ns} \\{([\\s\\S]*?)\\n\\}`).exec(source);
  if (!body) throw new Error(`no namespace ${ns}`);
  return constants(body[1], /export const (\w+)\s*(?::\s*\w+)?\s*=\s*(0x[0-9a-fA-F]+|\d+)\s*;/g);
}

function constants(source: string, re: RegExp): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of source.matchAll(re)) out.set(m[1], Number(m[2]));
  return out;
}

/** Every difference between the host's table and another's, as readable lines. */
function mismatches(host: Record<string, number>, other: Map<string, number>, where: string, onlyShared = false): string[] {
  const out: string[] = [];
  for (const [name, code] of other) {
    if (!(name in host)) out.push(`${where} has ${name} = ${code}, the host does not`);
    else if (host[name] !== code) out.push(`${name} is ${code} in ${where}, ${host[name]} on the host`);
  }
  if (!onlyShared) {
    for (const name of Object.keys(host)) if (!other.has(name)) out.push(`the host has ${name} = ${host[name]}, ${where} does not`);
  }
  return out;
}

describe("one table of codes", () => {
  it("status codes: host/protocol/status.ts equals assembly/status.ts", () => {
    const engine = namespaceConstants(repo("assembly/status.ts"), "Status");
    expect(engine.size).toBeGreaterThan(0);
    expect(mismatches(Status, engine, "assembly/status.ts")).toEqual([]);
  });

  it("frame types: host/protocol/frame.ts equals assembly/protocol/frame.ts", () => {
    const engine = namespaceConstants(repo("assembly/protocol/frame.ts"), "Type");
    expect(engine.size).toBeGreaterThan(0);
    expect(mismatches(Type, engine, "assembly/protocol/frame.ts")).toEqual([]);
  });

  it("the firmware's ERROR frame (boards/common/error_frame.h) uses the host's type and status codes", () => {
    const header = repo("boards/common/error_frame.h");
    const statuses = constants(header, /#define EP_ERR_(\w+)\s+(0x[0-9a-fA-F]+|\d+)\b/g);
    const types = constants(header, /#define EP_FRAME_(\w+)\s+(0x[0-9a-fA-F]+|\d+)\b/g);
    expect(statuses.size + types.size).toBeGreaterThan(0);
    expect([
      ...mismatches(Status, statuses, "boards/common/error_frame.h (EP_ERR_*)", true),
      ...mismatches(Type, types, "boards/common/error_frame.h (EP_FRAME_*)", true),
    ]).toEqual([]);
  });

  it("configuration block offsets: host/protocol/config-block.ts equals assembly/config.ts", () => {
    const engine = constants(repo("assembly/config.ts"), /export const C_(\w+)\s*(?::\s*\w+)?\s*=\s*(\d+)\s*;/g);
    // The engine's short names for the host's.
    const names: Record<string, string> = {
      OPT: "OPTIMIZER", ACTS: "ACTIVATIONS", INITIAL_ACC: "INITIAL_ACCUMULATOR",
    };
    const renamed = new Map([...engine].map(([n, v]) => [names[n] ?? n, v]));
    expect(renamed.size).toBeGreaterThan(0);
    expect(mismatches(ConfigOffset, renamed, "assembly/config.ts (C_*)")).toEqual([]);
  });
});
