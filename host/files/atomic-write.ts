// Writes a file so that readers see either the old content or the new, never
// a half-written file: write a temporary file beside it, fsync it, rename it
// over the target, fsync the directory (so the rename itself survives a power
// cut). Only a regular file is ever replaced: renaming over a device node, a
// directory or a pipe would destroy it (`--save /dev/full` as root).
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { UsageError } from "../errors.js";
import { describeNonRegular } from "./output-path.js";

/** A write that failed (full disk, permissions): the previous file, if any, is unchanged. */
export class WriteError extends UsageError {}

/** The file a write to `path` must replace: a symlink's target, so the link survives. */
function realTarget(path: string): string {
  const target = resolve(path);
  try { return realpathSync(target); } catch { return target; }
}

function fsyncDirectory(dir: string): void {
  let fd: number;
  try { fd = openSync(dir, "r"); } catch { return; } // cannot open a directory here: nothing to sync
  try { fsyncSync(fd); } catch { /* some file systems refuse fsync on a directory */ } finally { closeSync(fd); }
}

/** The temporary file a write by process `pid` makes beside `target`. */
function tempName(target: string, pid: number): string {
  return `${target}.tmp-${pid}`;
}

/** Whether process `pid` is alive (ours counts as not: a write of ours is synchronous, so a file of our pid is a dead namesake's). */
function writerAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM"; // alive, another user's
  }
}

/**
 * Removes the temporary files of this target that a killed write left
 * (kill -9 or a power cut between open and rename): `NAME.tmp-PID` regular
 * files whose PID is not a live process. A live writer's file is left alone.
 */
function removeStaleTemps(target: string): void {
  const dir = dirname(target), prefix = `${basename(target)}.tmp-`;
  let names: string[];
  try { names = readdirSync(dir); } catch { return; } // no directory yet: nothing stale
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const digits = name.slice(prefix.length);
    if (!/^[1-9]\d{0,9}$/.test(digits) || writerAlive(Number(digits))) continue;
    const path = join(dir, name);
    try {
      if (lstatSync(path).isFile()) unlinkSync(path);
    } catch { /* gone already, or not ours to remove */ }
  }
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const target = realTarget(path);
  let existing;
  try { existing = statSync(target); } catch { existing = undefined; } // nothing there (or a parent is a file: the write says so)
  if (existing && !existing.isFile()) {
    throw new WriteError(`${path}: ${describeNonRegular(existing)}, not a regular file: refusing to replace it`);
  }
  const dir = dirname(target);
  removeStaleTemps(target);
  const tmp = tempName(target, process.pid);
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(tmp, "wx", existing ? existing.mode & 0o777 : 0o666);
    try {
      for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (err) {
    try { unlinkSync(tmp); } catch { /* never created, or already renamed */ }
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new WriteError(`cannot write ${path} (${code}${code === "ENOSPC" ? ": the disk is full" : ""})` +
      (existing ? "; the previous file is unchanged" : ""));
  }
  fsyncDirectory(dir);
}
