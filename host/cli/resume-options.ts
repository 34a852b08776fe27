// --checkpoint, --resume and --retune: the flags, what of a run's flags a
// checkpoint keeps (OptionSpec.persist) and how a resumed run's flags are the
// checkpoint's, overridden by those typed again (OptionSpec.onResume). The
// checkpoint's file format is checkpoint.ts; nothing below the command layer
// sees these flags.
import { join } from "node:path";
import { limitProblem, wasGiven, type OptionSpec, type Parsed } from "./args.js";
import { InputError, UsageError } from "../errors.js";
import { CHECKPOINT_MODEL_FILE, type Checkpoint } from "../run/checkpoint.js";
import type { PersistedSettings, ResumeOverride } from "../run/run-spec.js";

export const CHECKPOINT_OPTIONS: OptionSpec[] = [
  { name: "checkpoint", kind: "string", value: "DIR", help: "after every epoch, write model + optimizer state + settings to DIR (atomically)" },
  { name: "resume", kind: "string", value: "DIR", help: "continue the run checkpointed in DIR with its settings; may change --epochs, --batch, --chunk, --shuffle and the outputs" },
  { name: "retune", kind: "flag", help: "with --resume: also allow new optimizer hyper-parameters (--lr, --momentum, --schedule, --clip-norm, ...)" },
];

/** The flags that describe the run (those declared `persist`), in declaration order. */
function persistedNames(specs: OptionSpec[]): string[] {
  return specs.filter((o) => o.persist).map((o) => o.name);
}

/** The persisted flags of `a` (`specs` declare which), for a checkpoint's "settings". */
export function runSettingsOf(a: Parsed, specs: OptionSpec[]): PersistedSettings {
  const s: PersistedSettings = {};
  for (const k of persistedNames(specs)) {
    const v = a[k];
    if (v !== undefined) s[k] = v;
  }
  return s;
}

export interface ResumedArgs {
  args: Parsed;
  overrides: ResumeOverride[];
}

const shown = (v: unknown) => (v === undefined || v === null ? "(not set)" : String(v));

/** A saved setting has the type its flag declares (a checkpoint is input: it may have been edited). */
function checkSavedSetting(spec: OptionSpec, v: unknown, file: string): void {
  const bad = (what: string): never => { throw new InputError(file, null, null, `"settings"."${spec.name}": ${JSON.stringify(v)} is not ${what}`); };
  if (spec.kind === "flag") { if (typeof v !== "boolean") bad("true or false"); return; }
  if (spec.kind === "string") {
    if (typeof v !== "string") bad("a string");
    if (spec.choices && !spec.choices.includes(v as string)) bad(`one of ${spec.choices.join(", ")}`);
    return;
  }
  if (typeof v !== "number") bad("a finite number");
  const problem = limitProblem(spec, v as number);
  if (problem) bad(`${problem} (the limits of --${spec.name})`);
}

/**
 * The flags of a resumed run: the checkpoint's settings, overridden by the
 * flags typed now. What a flag may do is declared beside it (OptionSpec.onResume):
 * a "fixed" flag that differs from the checkpoint is refused (exit 2, before any
 * work), a "retune" flag needs --retune, any other (--epochs, --batch, --chunk,
 * --shuffle) may change. Every change is returned, to be announced.
 */
export function mergeResumeArgs(a: Parsed, ck: Checkpoint, specs: OptionSpec[], file = String(a.resume)): ResumedArgs {
  if (a.load !== undefined) throw new UsageError(`--load ${a.load} with --resume ${a.resume}: the checkpoint gives the starting weights; give one of them`);
  const defaults = new Map(specs.map((s) => [s.name, s.default]));
  const merged: Parsed = { ...a };
  const overrides: ResumeOverride[] = [];
  const refused: string[] = [];
  const needRetune: string[] = [];
  for (const spec of specs.filter((o) => o.persist)) {
    const k = spec.name;
    const now = a[k];
    const saved = ck.settings[k];
    if (saved !== undefined) checkSavedSetting(spec, saved, file);
    // Typed again on this command line: it counts, even when it is the default.
    const given = wasGiven(a, k) ?? (now !== undefined && now !== defaults.get(k));
    if (!given || now === undefined) {
      if (saved === undefined) delete merged[k];
      else merged[k] = saved;
      continue;
    }
    const before = saved ?? defaults.get(k);
    if (before !== undefined && String(before) === String(now)) continue; // the same value typed again
    const change = `--${k} ${now} (the checkpoint's: ${shown(before)})`;
    if (spec.onResume === "fixed") refused.push(change);
    else if (spec.onResume === "retune" && !a.retune) needRetune.push(change);
    else overrides.push({ flag: k, saved: before ?? null, now });
  }
  if (refused.length > 0) {
    throw new UsageError(`--resume ${a.resume} continues the run it saved, and cannot change ${refused.join(", ")}: ` +
      "the checkpoint's model, optimizer state and data depend on it (start a new run, e.g. with --load " +
      `${join(String(a.resume), CHECKPOINT_MODEL_FILE)})`);
  }
  if (needRetune.length > 0) {
    throw new UsageError(`--resume ${a.resume}: ${needRetune.join(", ")} changes the optimizer of the checkpointed run; ` +
      "add --retune to resume with it (and --checkpoint NEWDIR to keep this checkpoint as it is)");
  }
  // The model comes from the checkpoint, not from the original --load.
  delete merged.load;
  if (Number(merged.epochs) < ck.epoch) {
    throw new UsageError(`--epochs ${merged.epochs}: the checkpoint in ${a.resume} is already at epoch ${ck.epoch}`);
  }
  return { args: merged, overrides };
}
