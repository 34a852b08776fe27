// The board's own account of what it used: the firmware's stats line
// (boards/qemu/stats_line.h), a text line between frames:
//   edgeprop: stats engine=E isa=I instructions=N ... heap_peak=N heap_limit=N stack_peak=N stack_limit=N ram=N ... rx_bytes=N
// One schema for that line. A line that starts like one but breaks the
// schema is refused as a whole (never half used): the host trusts no reply.

export const STATS_PREFIX = "edgeprop: stats ";

/** The figures the host uses, all bytes or counts since the board's boot. */
export interface BoardStats {
  engine: string;
  isa: string;
  /** Instructions retired inside the module's working calls. */
  instructions: number;
  heapPeakBytes: number;
  heapLimitBytes: number;
  stackPeakBytes: number;
  stackLimitBytes: number;
  ramBytes: number;
  watchdogFeeds: number;
  traps: number;
  rxBytes: number;
}

const NUMBER_FIELDS = {
  instructions: "instructions", heap_peak: "heapPeakBytes", heap_limit: "heapLimitBytes",
  stack_peak: "stackPeakBytes", stack_limit: "stackLimitBytes", ram: "ramBytes",
  watchdog_feeds: "watchdogFeeds", traps: "traps", rx_bytes: "rxBytes",
} as const;
const TEXT_FIELDS = { engine: "engine", isa: "isa" } as const;
/** Longest decimal a field may have: the counters are 64-bit on the board, the host keeps exact integers up to 2^53. */
const MAX_DIGITS = 16;
const NAME = /^[a-z0-9_]{1,32}$/;

export class BadStatsLine extends Error {}

/** Whether `line` claims to be a stats line (then parseStatsLine must accept it or say why not). */
export function isStatsLine(line: string): boolean {
  return line.startsWith(STATS_PREFIX);
}

/** Parses and validates one stats line; throws BadStatsLine saying what is wrong. Fields it does not know are allowed (newer firmware). */
export function parseStatsLine(line: string): BoardStats {
  if (!isStatsLine(line)) throw new BadStatsLine("not a stats line");
  const seen = new Map<string, string>();
  for (const field of line.slice(STATS_PREFIX.length).trim().split(/ +/)) {
    const eq = field.indexOf("=");
    const key = field.slice(0, eq), value = field.slice(eq + 1);
    if (eq <= 0 || !NAME.test(key) || value === "") throw new BadStatsLine(`bad field '${field.slice(0, 40)}'`);
    if (seen.has(key)) throw new BadStatsLine(`field '${key}' twice`);
    seen.set(key, value);
  }
  const out: Record<string, string | number> = {};
  for (const [key, name] of Object.entries(TEXT_FIELDS)) {
    const v = seen.get(key);
    if (v === undefined || !NAME.test(v)) throw new BadStatsLine(`'${key}' missing or not a name`);
    out[name] = v;
  }
  for (const [key, name] of Object.entries(NUMBER_FIELDS)) {
    const v = seen.get(key);
    if (v === undefined || !/^\d+$/.test(v) || v.length > MAX_DIGITS) throw new BadStatsLine(`'${key}' missing or not a count`);
    out[name] = Number(v);
  }
  const s = out as unknown as BoardStats;
  if (s.heapPeakBytes > s.heapLimitBytes) throw new BadStatsLine(`heap_peak ${s.heapPeakBytes} is over heap_limit ${s.heapLimitBytes}`);
  if (s.stackPeakBytes > s.stackLimitBytes) throw new BadStatsLine(`stack_peak ${s.stackPeakBytes} is over stack_limit ${s.stackLimitBytes}`);
  if (s.heapLimitBytes + s.stackLimitBytes > s.ramBytes) throw new BadStatsLine(`heap_limit + stack_limit is over ram ${s.ramBytes}`);
  return s;
}

/** The done event's board_* fields for `s`. */
export function doneFields(s: BoardStats): Record<string, number> {
  return { board_instructions: s.instructions, board_heap_peak_bytes: s.heapPeakBytes, board_stack_peak_bytes: s.stackPeakBytes };
}
