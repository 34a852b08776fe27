// Every output path is checked before training starts (issue 10 bug 3): a
// directory, a device or a read-only place is one line and exit 2, and no
// epoch has run; a device node is never replaced by a file.
import { describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cli, root, run, tmp } from "./util";

const RUN = ["sim", "--dataset", "iris", "--epochs", "1", "--json"];

function refusedBeforeWork(r: { code: number | null; stdout: string; stderr: string }, what: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
  expect(r.stderr).toMatch(what);
  expect(r.stdout).not.toMatch(/"event":"epoch"/);
}

describe("output paths are checked before any work", () => {
  it("--save naming an existing directory", () => {
    const d = tmp();
    refusedBeforeWork(run([...RUN, "--save", d + "/"]), /--save .*names a directory/);
    refusedBeforeWork(run([...RUN, "--save", d]), /--save .*is a directory, not a regular file/);
  });

  it("--save naming a device (like /dev/full): refused, and the device node stays a device", () => {
    // As root a failing run would replace the node: use a private copy of /dev/full's node, never the machine's.
    let device = "/dev/full";
    if (process.getuid?.() === 0) {
      device = join(tmp(), "full");
      execFileSync("mknod", ["-m", "666", device, "c", "1", "7"]);
    }
    refusedBeforeWork(run([...RUN, "--save", device]), /--save .*full: is a device/);
    expect(statSync(device).isCharacterDevice()).toBe(true);
  });

  it("--report, --checkpoint, demo --out and export --out are checked too", () => {
    const d = tmp();
    mkdirSync(join(d, "r.html"));
    refusedBeforeWork(run([...RUN, "--report", join(d, "r.html")]), /--report .*is a directory/);
    writeFileSync(join(d, "plain"), "");
    refusedBeforeWork(run([...RUN, "--checkpoint", join(d, "plain")]), /--checkpoint .*plain: is a file, not a directory/);
    refusedBeforeWork(run(["demo", "--fast", "--out", d]), /--out .*is a directory/);
    const e = run(["export", join(root, "tests", "fixtures", "none.json"), "--out", d]);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/--out .*is a directory/);
  });

  it("a read-only directory (as an unprivileged user) is refused before training, and nothing is written", () => {
    const d = tmp();
    chmodSync(d, 0o755);
    const ro = join(d, "ro");
    mkdirSync(ro, { mode: 0o555 });
    chmodSync(ro, 0o555);
    // root writes anywhere: run the CLI as nobody when the tests run as root.
    const asNobody = process.getuid?.() === 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"] : [];
    const argv = [...asNobody, process.execPath, cli, ...RUN, "--save", join(ro, "m.json")];
    const r = spawnSync(argv[0], argv.slice(1), { cwd: d, encoding: "utf8", env: { ...process.env, CI: "true" } });
    refusedBeforeWork({ code: r.status, stdout: r.stdout, stderr: r.stderr }, /--save .*the directory .*ro is not writable/);
    expect(readdirSync(ro)).toEqual([]);
  });
});
