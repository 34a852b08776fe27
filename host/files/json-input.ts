// A user's JSON file (model files, checkpoints) as a value, or one message
// that says where it went wrong: file:line:column and what was expected.
// JSON.parse names a position only sometimes and takes any depth, so a small
// scanner of the JSON grammar finds the position first; it keeps its own
// stack (never the call stack: a file nested 9,000 deep is one more input),
// and refuses nesting deeper than any edgeprop file has.
import { InputError } from "../errors.js";
import { readInputText } from "./input-file.js";

/** The deepest nesting of arrays and objects accepted (a checkpoint needs 5). */
export const MAX_JSON_DEPTH = 64;

interface Problem { pos: number; what: string }

const LITERAL = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/;

/** The first place `text` is not one JSON document nested at most MAX_JSON_DEPTH deep; null if there is none. */
export function jsonProblem(text: string): Problem | null {
  let i = 0;
  const stack: string[] = [];
  const ws = () => { while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\r" || text[i] === "\n")) i++; };
  const unexpected = (): Problem => ({ pos: i, what: i >= text.length ? "unexpected end of the file" : `unexpected ${JSON.stringify(text[i])}` });
  /** A string at i; false if it does not end. */
  const str = (): boolean => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\") i++;
      else if (text[i] < " ") return false;
      i++;
    }
    if (i >= text.length) return false;
    i++;
    return true;
  };
  /** An object's `"key":` at i. */
  const key = (): boolean => {
    ws();
    if (text[i] !== '"' || !str()) return false;
    ws();
    if (text[i] !== ":") return false;
    i++;
    return true;
  };
  for (;;) {
    // A value starts here.
    ws();
    const c = text[i];
    if (c === "{" || c === "[") {
      if (stack.length >= MAX_JSON_DEPTH) return { pos: i, what: `nested deeper than ${MAX_JSON_DEPTH} levels of arrays and objects` };
      i++; ws();
      const close = c === "{" ? "}" : "]";
      if (text[i] === close) i++; // empty: a complete value
      else {
        stack.push(close);
        if (c === "{" && !key()) return unexpected();
        continue;
      }
    } else if (c === '"') {
      if (!str()) return unexpected();
    } else {
      const m = LITERAL.exec(text.slice(i, i + 400));
      if (!m) return unexpected();
      i += m[0].length;
    }
    // A value ended: close what it ends, or go on to the next element.
    let next = false;
    while (!next) {
      ws();
      const top = stack[stack.length - 1];
      if (top === undefined) return i < text.length ? unexpected() : null;
      if (text[i] === ",") {
        i++;
        if (top === "}" && !key()) return unexpected();
        next = true;
      } else if (text[i] === top) {
        i++;
        stack.pop();
      } else return unexpected();
    }
  }
}

function lineCol(text: string, pos: number): [number, number] {
  const before = text.slice(0, pos).split("\n");
  return [before.length, (before[before.length - 1] ?? "").length + 1];
}

/** `text` (read from `file`) as JSON, or an InputError at the line and column where it stops being JSON. */
export function parseJsonInput(text: string, file: string): unknown {
  const problem = jsonProblem(text);
  if (problem) {
    const [line, col] = lineCol(text, problem.pos);
    throw new InputError(file, line, col, problem.what.startsWith("nested") ? problem.what : `not valid JSON: ${problem.what}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(file, null, null, `not valid JSON (${(err as Error).message})`);
  }
}

/** The JSON file `file` (`missing`: what to say when it does not exist). */
export function readJsonInput(file: string, missing?: string): unknown {
  return parseJsonInput(readInputText(file, missing), file);
}
