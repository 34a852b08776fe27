// `edgeprop export --prefix NAME`: the exported header's symbols renamed so
// several models link into one firmware. The header is written with the
// `edgeprop_` / `EDGEPROP_` names (host/model/export-c.ts); here every such
// identifier outside string literals becomes `NAME_...` (functions, arrays)
// or `UPPER(NAME)_...` (macros), comments included (they name the symbols the
// reader calls). String literals (class labels, input names) and the first
// line (it quotes the model file's name) keep their text; so does the
// include guard the caller chose.
import { UsageError } from "../errors.js";

/** The symbol prefix of a header exported without --prefix. */
export const DEFAULT_PREFIX = "edgeprop";

const C_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A --prefix value checked: a C identifier (exit 2 otherwise). */
export function checkPrefix(prefix: string): string {
  if (!C_IDENTIFIER.test(prefix)) {
    throw new UsageError(`--prefix ${JSON.stringify(prefix)}: expected a C identifier (letters, digits and '_', not starting with a digit), e.g. --prefix iris`);
  }
  return prefix;
}

/** The include guard a prefix implies (EDGEPROP_MODEL_H for the default). */
export function guardOf(prefix: string): string {
  return `${prefix.toUpperCase()}_MODEL_H`;
}

/** `header` with its edgeprop_/EDGEPROP_ identifiers renamed to `prefix`'s; `guard` is left as it is. */
export function prefixSymbols(header: string, prefix: string, guard: string): string {
  if (prefix === DEFAULT_PREFIX) return header;
  const lower = `${prefix}_`, upper = `${prefix.toUpperCase()}_`;
  const firstLineEnd = header.indexOf("\n");
  let out = header.slice(0, firstLineEnd + 1);
  let i = firstLineEnd + 1;
  while (i < header.length) {
    const ch = header[i];
    if (ch === '"' || ch === "'") {
      // A literal, escapes included, copied as it is.
      let j = i + 1;
      while (j < header.length && header[j] !== ch && header[j] !== "\n") j += header[j] === "\\" ? 2 : 1;
      out += header.slice(i, j + 1);
      i = j + 1;
      continue;
    }
    if (/[A-Za-z_]/.test(ch ?? "")) {
      let j = i + 1;
      while (j < header.length && /[A-Za-z0-9_]/.test(header[j] ?? "")) j++;
      const word = header.slice(i, j);
      if (word === guard) out += word;
      else if (word.startsWith("edgeprop_")) out += lower + word.slice("edgeprop_".length);
      else if (word.startsWith("EDGEPROP_")) out += upper + word.slice("EDGEPROP_".length);
      else out += word;
      i = j;
      continue;
    }
    out += ch;
    i++;
  }
  return out;
}
