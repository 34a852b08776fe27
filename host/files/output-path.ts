// Checks, before any work starts, that an output path can be written: a run
// that trains for an hour must not fail at the end because --save names a
// directory, a device or a read-only place. The check creates nothing that
// stays: missing parent directories are created only when the file is written.
import { accessSync, constants, statSync, type Stats } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { UsageError } from "../errors.js";

/** What a non-regular file is, for a message. */
export function describeNonRegular(s: Stats): string {
  if (s.isDirectory()) return "a directory";
  if (s.isCharacterDevice() || s.isBlockDevice()) return "a device";
  if (s.isFIFO()) return "a pipe";
  if (s.isSocket()) return "a socket";
  return "not a regular file";
}

/** The path's status, or undefined when nothing is there (also when a parent is a file: reported by the caller). */
function statOrNone(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw new UsageError(`${path}: cannot inspect (${code})`);
  }
}

/** The deepest directory that exists on the way to `dir` (missing ones would be created there). */
function nearestExisting(dir: string, flag: string, shown: string): string {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const s = statOrNone(d);
    if (s) {
      if (!s.isDirectory()) throw new UsageError(`${flag} ${shown}: ${d} is not a directory`);
      return d;
    }
    if (dirname(d) === d) return d;
  }
}

function checkWritableDirectory(dir: string, flag: string, shown: string): void {
  const existing = nearestExisting(dir, flag, shown);
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "EROFS" ? "is on a read-only file system" : "is not writable";
    throw new UsageError(`${flag} ${shown}: the directory ${existing} ${why}`);
  }
}

/** A file the run will write (atomically) at `path`, given as `flag`. */
export function checkOutputFile(flag: string, path: string): void {
  if (path.trim() === "") throw new UsageError(`${flag} needs a file name`);
  if (/[\\/]$/.test(path)) throw new UsageError(`${flag} ${path}: names a directory; give a file name (e.g. ${join(path, "model.json")})`);
  const s = statOrNone(path);
  if (s && !s.isFile()) throw new UsageError(`${flag} ${path}: is ${describeNonRegular(s)}, not a regular file; give a file name`);
  checkWritableDirectory(dirname(resolve(path)), flag, path);
}

/** A directory the run will write `files` into (checkpoints). */
export function checkOutputDirectory(flag: string, dir: string, files: readonly string[]): void {
  if (dir.trim() === "") throw new UsageError(`${flag} needs a directory name`);
  const s = statOrNone(dir);
  if (s && !s.isDirectory()) throw new UsageError(`${flag} ${dir}: is ${s.isFile() ? "a file" : describeNonRegular(s)}, not a directory`);
  for (const f of files) {
    const fs = statOrNone(join(dir, f));
    if (fs && !fs.isFile()) throw new UsageError(`${flag} ${dir}: ${join(dir, f)} is ${describeNonRegular(fs)}, not a regular file`);
  }
  checkWritableDirectory(dir, flag, dir);
}
