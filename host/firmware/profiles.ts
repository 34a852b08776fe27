// Board profiles: boards/profiles/<name>.json, one per supported board. A
// profile says how much linear memory the module may use on that board, how
// the engine and the serial link are set up, and which PlatformIO env builds
// its firmware. See docs/boards.md for the table and the reasons.
import { readdirSync, readFileSync } from "node:fs";
import { UsageError } from "../errors.js";
import { packagePath } from "../files/package-path.js";

export interface BoardProfile {
  name: string;
  description: string;
  /** Bytes of linear memory the module may use (wasm3 runtime->memoryLimit). */
  memory_limit: number;
  /** Linear memory pages (64 KiB) the module is built with. */
  pages: number;
  /** wasm3 value stack, bytes. */
  wasm3_stack: number;
  baud: number;
  /** Largest chunk (rows per call) the host should send. */
  max_chunk: number;
  /** PlatformIO environment in boards/esp32/platformio.ini. */
  pio_env: string;
  psram: boolean;
}

export function profilesDir(): string {
  return packagePath("boards", "profiles");
}

/** Known profile names, sorted. */
export function listProfiles(dir = profilesDir()): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith(".json")).map((n) => n.slice(0, -5)).sort();
}

const INT_FIELDS = ["memory_limit", "pages", "wasm3_stack", "baud", "max_chunk"] as const;

function check(p: Record<string, unknown>, file: string): BoardProfile {
  const bad = (what: string): never => { throw new UsageError(`${file}: ${what}`); };
  for (const k of ["name", "description", "pio_env"]) {
    if (typeof p[k] !== "string" || p[k] === "") bad(`"${k}" must be a non-empty string`);
  }
  for (const k of INT_FIELDS) {
    const v = p[k];
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) bad(`"${k}" must be a positive integer`);
  }
  if (typeof p.psram !== "boolean") bad(`"psram" must be true or false`);
  const q = p as unknown as BoardProfile;
  if (q.pages > 65536) bad(`"pages" must be at most 65536`);
  if (q.memory_limit > q.pages * 65536) {
    bad(`"memory_limit" ${q.memory_limit} is more than ${q.pages} page(s) (${q.pages * 65536} bytes)`);
  }
  return q;
}

/** Reads and checks boards/profiles/<name>.json. */
export function loadProfile(name: string, dir = profilesDir()): BoardProfile {
  const known = listProfiles(dir);
  if (!/^[A-Za-z0-9._-]+$/.test(name) || !known.includes(name)) {
    throw new UsageError(`unknown board '${name}'; known boards: ${known.join(", ") || "(none found in " + dir + ")"}`);
  }
  const file = `${dir}/${name}.json`;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new UsageError(`${file}: ${(err as Error).message}`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw new UsageError(`${file}: not a JSON object`);
  const p = check(data as Record<string, unknown>, file);
  if (p.name !== name) throw new UsageError(`${file}: "name" is '${p.name}', expected '${name}'`);
  return p;
}
