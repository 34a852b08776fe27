// The figure scripts rewrite tracked files (profiles, docs): through a
// temporary file, fsync and rename, so an interrupted run never leaves a
// half-written file, and never over something that is not a regular file.
import { closeSync, fsyncSync, openSync, renameSync, statSync, writeSync } from "node:fs";

export function writeAtomically(path, text) {
  if (!statSync(path).isFile()) throw new Error(`${path} is not a regular file`);
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w");
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
