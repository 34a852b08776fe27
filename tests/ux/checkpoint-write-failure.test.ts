// A checkpoint write that fails mid-run (full disk, permissions) must not lose
// --save on a healthy disk, and the message names the checkpoint to resume
// from (issue 20, item 8). The failure is real: checkpoint.json is a symlink
// into a read-only directory and the CLI runs as an unprivileged user (root
// writes anywhere), as tests/ux/output-paths.test.ts does.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, renameSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { cli, ok, tmp } from "./util";

const RUN = ["--dataset", "xor", "--opt", "adam", "--lr", "0.01", "--batch", "full", "--quiet"];

describe("--checkpoint on a disk that refuses the write", () => {
  it("the run stops with exit 2, --save holds the model so far, and the message names the last good checkpoint", () => {
    const d = tmp();
    chmodSync(d, 0o777);
    const ck = join(d, "ck"), ro = join(d, "ro"), save = join(d, "m.json");
    ok(["sim", ...RUN, "--epochs", "2", "--checkpoint", ck]);
    const before = readFileSync(join(ck, "checkpoint.json"), "utf8");
    // checkpoint.json now lives in a directory no write can create a file in.
    mkdirSync(ro);
    renameSync(join(ck, "checkpoint.json"), join(ro, "checkpoint.json"));
    symlinkSync(join(ro, "checkpoint.json"), join(ck, "checkpoint.json"));
    chmodSync(ro, 0o555);
    chmodSync(ck, 0o777);
    chmodSync(join(ck, "model.json"), 0o666);
    const asNobody = process.getuid?.() === 0 ? ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"] : [];
    const argv = [...asNobody, process.execPath, cli, "sim", "--resume", ck, "--epochs", "4", "--save", save];
    const r = spawnSync(argv[0], argv.slice(1), { cwd: d, encoding: "utf8", env: { ...process.env, CI: "true" } });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/cannot write .*checkpoint\.json \(EACCES\)/);
    expect(r.stderr).toContain(`the checkpoint in ${ck} is at epoch 2: continue with --resume ${ck}`);
    expect(r.stderr).toContain(`The model so far was saved to ${save}.`);
    expect(readFileSync(join(ro, "checkpoint.json"), "utf8")).toBe(before);
    // --save holds epoch 3's model: what an uninterrupted 3-epoch run ends with.
    const three = join(d, "three.json");
    ok(["sim", ...RUN, "--epochs", "3", "--save", three]);
    expect(JSON.parse(readFileSync(save, "utf8")).layers).toEqual(JSON.parse(readFileSync(three, "utf8")).layers);
  });
});
