// Command-line flags: each command declares its options once (name, kind,
// default, help); parsing, validation, the suggestion for a mistyped flag and
// the help text all come from that one declaration.
import { UsageError } from "../errors.js";
import { cut } from "../text/quote.js";
import { closest } from "../text/closest.js";

export type Kind = "string" | "number" | "int" | "flag";

export interface OptionSpec {
  name: string;
  kind: Kind;
  help: string;
  default?: string | number | boolean;
  choices?: string[];
  /** Shown in help instead of the kind, e.g. "N|full". */
  value?: string;
  /** Accepted and parsed, but a value of "false" etc. is not meaningful. */
  negatable?: boolean;
  min?: number;
  /** Largest value accepted (number and int kinds). */
  max?: number;
  /** Part of what a run is: saved with a checkpoint and restored by --resume. */
  persist?: boolean;
  /**
   * What `--resume` may do with a persisted flag typed again with another value:
   * "fixed": refused (the checkpoint's weights, optimizer state or data order depend on it);
   * "retune": only with --retune (an optimizer hyper-parameter: the run is no longer the one checkpointed);
   * absent: may change (e.g. --epochs, --batch), and the change is announced.
   */
  onResume?: "fixed" | "retune";
}

/** Every command's --help flag. */
export const HELP_OPTION: OptionSpec = { name: "help", kind: "flag", help: "show this help" };

export type Parsed = Record<string, string | number | boolean | undefined> & { _: string[] };

const GIVEN = Symbol("flags given on the command line");

/** Whether the user typed this flag (a default filled in does not count). */
export function wasGiven(a: Parsed, name: string): boolean | undefined {
  const given = (a as unknown as Record<symbol, Set<string> | undefined>)[GIVEN];
  return given ? given.has(name) : undefined;
}

/**
 * Parses `argv` against `specs`. `positionals`: how many arguments that are
 * not flags the command takes (more is an error). A flag given twice with
 * different values, or together with its negation, is refused: which one
 * would win is not obvious to the reader of the command line.
 */
export function parseArgs(argv: string[], specs: OptionSpec[], command: string, positionals = 0): Parsed {
  const flags: Record<string, string | number | boolean | undefined> = {};
  const out: Parsed = Object.assign(flags, { _: [] as string[] });
  const given = new Set<string>();
  /** How each flag was spelled the first time, for a message about a second one. */
  const spelled = new Map<string, string>();
  const once = (name: string, text: string, value: unknown) => {
    const first = spelled.get(name);
    if (first !== undefined && out[name] !== value) {
      throw new UsageError(`${cut(first)} and ${cut(text)} contradict each other: give one of them`);
    }
    spelled.set(name, text);
  };
  Object.defineProperty(out, GIVEN, { value: given, enumerable: false });
  const byName = new Map(specs.map((s) => [s.name, s]));
  for (const s of specs) if (s.default !== undefined) out[s.name] = s.default;
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    // -h is --help, as in most command lines (the only short flag).
    if (arg === "-h" && byName.has("help")) arg = "--help";
    if (!arg.startsWith("--") || arg === "--") { out._.push(arg); continue; }
    let name = arg.slice(2);
    let value: string | undefined;
    const eq = name.indexOf("=");
    if (eq >= 0) { value = name.slice(eq + 1); name = name.slice(0, eq); }
    let spec = byName.get(name);
    if (!spec && name.startsWith("no-") && byName.get(name.slice(3))?.negatable) {
      if (value !== undefined) throw new UsageError(`--${name} takes no value`);
      once(name.slice(3), `--${name}`, false);
      out[name.slice(3)] = false;
      given.add(name.slice(3));
      continue;
    }
    if (!spec) {
      const guess = closest(name, specs.map((s) => s.name));
      throw new UsageError(`unknown option --${name}${guess ? ` (did you mean --${guess}?)` : ""}; see 'edgeprop ${command} --help'`);
    }
    if (spec.kind === "flag") {
      if (value !== undefined) throw new UsageError(`--${name} takes no value`);
      if (given.has(name)) once(name, `--${name}`, true);
      spelled.set(name, `--${name}`);
      given.add(name);
      out[name] = true;
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value (${spec.value ?? spec.kind})`);
      value = argv[++i];
    }
    const converted = convert(spec, value);
    if (given.has(name)) once(name, `--${name} ${value}`, converted);
    spelled.set(name, `--${name} ${value}`);
    given.add(name);
    out[name] = converted;
  }
  if (out._.length > positionals) {
    const extra = out._[positionals];
    throw new UsageError(`unexpected argument '${cut(extra)}'${positionals === 0 ? ` ('edgeprop ${command}' takes only --options)` : ""}; see 'edgeprop ${command} --help'`);
  }
  return out;
}

/**
 * What is wrong with `n` as the value of a number or int flag (its kind, min
 * and max), as "expected ..." completes it; null when it is fine. The one
 * check of a flag's limits: a typed flag and a checkpoint's saved setting
 * (resume-options.ts) are held to the same table.
 */
export function limitProblem(spec: OptionSpec, n: number): string | null {
  if (!Number.isFinite(n)) return spec.kind === "int" ? "an integer" : "a finite number";
  if (spec.kind === "int" && !Number.isInteger(n)) return "an integer";
  if (spec.min !== undefined && spec.max !== undefined && (n < spec.min || n > spec.max)) return `a number in [${spec.min}, ${spec.max}]`;
  if (spec.min !== undefined && n < spec.min) return `a number >= ${spec.min}`;
  if (spec.max !== undefined && n > spec.max) return `a number <= ${spec.max}`;
  return null;
}

function convert(spec: OptionSpec, value: string): string | number {
  const fail = (what: string): never => { throw new UsageError(`--${spec.name} ${cut(value)}: expected ${what}`); };
  if (spec.choices && !spec.choices.includes(value)) {
    const guess = closest(value, spec.choices);
    fail(`one of ${spec.choices.join(", ")}${guess ? ` (did you mean ${guess}?)` : ""}`);
  }
  if (spec.kind === "number" || spec.kind === "int") {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n)) fail(spec.kind === "int" ? "an integer" : "a finite number");
    const problem = limitProblem(spec, n);
    if (problem) fail(problem);
    return n;
  }
  return value;
}

export function helpText(command: string, synopsis: string, specs: OptionSpec[]): string {
  const rows = specs.map((s) => {
    const left = `  --${s.name}${s.kind === "flag" ? "" : ` ${s.value ?? (s.choices ? s.choices.join("|") : s.kind.toUpperCase())}`}`;
    const def = s.default !== undefined && s.default !== false ? ` (default: ${s.default})` : "";
    return [left, `${s.help}${def}`];
  });
  const width = Math.min(44, Math.max(...rows.map(([l]) => l.length)) + 2);
  return `usage: edgeprop ${command} ${synopsis}\n\n` +
    rows.map(([l, r]) => (l.length >= width ? `${l}\n${" ".repeat(width)}${r}` : l.padEnd(width) + r)).join("\n") + "\n";
}

/** What `edgeprop COMMAND --help` prints: the synopsis, the option table, then `more` (examples, notes). */
export interface Usage {
  command: string;
  synopsis: string;
  options: OptionSpec[];
  more?: string;
  /** Positional arguments the command takes (parseArgs). */
  positionals?: number;
}

/** A command's flags, parsed and checked; null when --help asked for its usage instead (printed here). */
export function commandFlags(argv: string[], usage: Usage): Parsed | null {
  const a = parseArgs(argv, usage.options, usage.command, usage.positionals);
  if (!a.help) return a;
  process.stdout.write(helpText(usage.command, usage.synopsis, usage.options) + (usage.more ?? ""));
  return null;
}
