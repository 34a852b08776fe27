// --save is durable (issue 14 item 9): the temporary file is fsynced before
// the rename, and its directory after it, so a power cut leaves the old file
// or the new one. Seen with strace on the real CLI (scripts/deps.sh installs it).
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cli, root, tmp } from "./util";

const haveStrace = spawnSync("strace", ["-V"], { stdio: "ignore" }).status === 0;

describe.skipIf(!haveStrace)("--save under strace", () => {
  it("open temp, write, fsync(temp), rename(temp, target), fsync(directory)", () => {
    const d = tmp();
    const save = join(d, "m.json");
    const log = join(d, "trace.txt");
    const r = spawnSync("strace", ["-f", "-o", log, "-e", "trace=openat,fsync,rename,renameat,renameat2,close",
      process.execPath, cli, "sim", "--dataset", "iris", "--epochs", "1", "--save", save, "--quiet"], { cwd: root, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const lines = readFileSync(log, "utf8").split("\n");
    const tmpOpen = lines.findIndex((l) => l.includes(`"${save}.tmp-`) && /openat\(.*O_CREAT/.test(l) && !/= -1/.test(l));
    expect(tmpOpen).toBeGreaterThanOrEqual(0);
    const tmpFd = lines[tmpOpen].match(/= (\d+)$/)![1];
    const rename = lines.findIndex((l) => /rename/.test(l) && l.includes(`"${save}"`));
    expect(rename).toBeGreaterThan(tmpOpen);
    const between = lines.slice(tmpOpen, rename);
    expect(between.some((l) => l.includes(`fsync(${tmpFd})`))).toBe(true);
    const dirOpen = lines.findIndex((l, i) => i > rename && l.includes(`"${d}"`) && /openat/.test(l) && !/= -1/.test(l));
    expect(dirOpen).toBeGreaterThan(rename);
    const dirFd = lines[dirOpen].match(/= (\d+)$/)![1];
    expect(lines.slice(dirOpen).some((l) => l.includes(`fsync(${dirFd})`))).toBe(true);
  });
});
