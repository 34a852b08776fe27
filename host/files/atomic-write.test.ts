import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { execFileSync, spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WriteError, writeFileAtomic } from "./atomic-write";

const scratch = () => mkdtempSync(join(tmpdir(), "edgeprop-atomic-"));

describe("writeFileAtomic", () => {
  it("writes, replaces, and leaves no temporary file", () => {
    const d = scratch();
    const f = join(d, "sub", "m.json");
    writeFileAtomic(f, "one");
    writeFileAtomic(f, "two");
    expect(readFileSync(f, "utf8")).toBe("two");
    expect(readdirSync(join(d, "sub"))).toEqual(["m.json"]);
  });

  it("never renames over a directory, and leaves it as it was", () => {
    const d = scratch();
    mkdirSync(join(d, "dir"));
    expect(() => writeFileAtomic(join(d, "dir"), "x")).toThrow(/a directory, not a regular file/);
    expect(statSync(join(d, "dir")).isDirectory()).toBe(true);
    expect(readdirSync(d)).toEqual(["dir"]);
  });

  it("never replaces a device node (it stays a device)", () => {
    // As root a broken write would replace the node: use a private one, never the machine's /dev/null.
    let device = "/dev/null";
    if (process.getuid?.() === 0) {
      device = join(scratch(), "null");
      execFileSync("mknod", ["-m", "666", device, "c", "1", "3"]);
    }
    expect(() => writeFileAtomic(device, "x")).toThrow(WriteError);
    expect(statSync(device).isCharacterDevice()).toBe(true);
  });

  it("never replaces a pipe", () => {
    const d = scratch();
    execFileSync("mkfifo", [join(d, "p")]);
    expect(() => writeFileAtomic(join(d, "p"), "x")).toThrow(/a pipe/);
    expect(statSync(join(d, "p")).isFIFO()).toBe(true);
  });

  it("writes through a symlink to its regular target (the link stays a link)", () => {
    const d = scratch();
    writeFileSync(join(d, "real.json"), "old");
    symlinkSync(join(d, "real.json"), join(d, "link.json"));
    writeFileAtomic(join(d, "link.json"), "new");
    expect(readFileSync(join(d, "real.json"), "utf8")).toBe("new");
  });

  it("a write that fails keeps the previous file and removes its temporary file", () => {
    const d = scratch();
    const f = join(d, "m.json");
    writeFileSync(f, "good");
    // The temporary file's name is taken by a directory: the write fails as a full disk would, before the rename.
    mkdirSync(`${f}.tmp-${process.pid}`);
    expect(() => writeFileAtomic(f, "new")).toThrow(/cannot write .*m\.json .*the previous file is unchanged/);
    expect(readFileSync(f, "utf8")).toBe("good");
  });
});

describe("writeFileAtomic: temporary files of killed writes (issue 20, item 8)", () => {
  it("removes NAME.tmp-PID left by a process that is gone; a live writer's, another name's and a directory are left", () => {
    const d = scratch();
    const f = join(d, "m.json");
    // A real process that has exited: its pid is not alive.
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    expect(gone).toBeGreaterThan(0);
    const live = process.ppid; // our parent runs while we do
    writeFileSync(join(d, `m.json.tmp-${gone}`), "{\"half");
    writeFileSync(join(d, `m.json.tmp-${process.pid}`), "{\"half"); // a dead namesake of ours: our write is synchronous
    writeFileSync(join(d, `m.json.tmp-${live}`), "{\"being written");
    writeFileSync(join(d, `other.json.tmp-${gone}`), "{\"another file's");
    mkdirSync(join(d, "m.json.tmp-1x"));
    writeFileAtomic(f, "new");
    expect(readFileSync(f, "utf8")).toBe("new");
    expect(readdirSync(d).sort()).toEqual(["m.json", "m.json.tmp-1x", `m.json.tmp-${live}`, `other.json.tmp-${gone}`].sort());
  });
});
