// Reads a user's input file as text, or says in one line why it cannot.
import { readFileSync } from "node:fs";
import { InputError } from "../errors.js";

export function readInputText(file: string, missing = "no such file"): string {
  try {
    return readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(file, null, null, code === "ENOENT" ? missing : `cannot read (${code})`);
  }
}
