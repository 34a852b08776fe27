// Ctrl-C during `sim` (issue 10 bug 4): the run stops at a batch or epoch
// boundary, --save gets the model so far, the message names the checkpoint to
// resume from, exit 130. The real CLI in a child process, sent a real SIGINT.
import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { cli, ok, root, tmp } from "./util";

interface Stopped { code: number | null; stdout: string; stderr: string }

/** Starts a long run, sends SIGINT once `epochs` epoch lines have been printed, and waits for the exit. */
function interruptAfter(args: string[], epochs: number): Promise<Stopped> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: { ...process.env, CI: "true" } });
    let stdout = "", stderr = "", sent = false;
    child.stdout.on("data", (d) => {
      stdout += d;
      if (!sent && (stdout.match(/^epoch /gm) ?? []).length >= epochs) { sent = true; child.kill("SIGINT"); }
    });
    child.stderr.on("data", (d) => { stderr += d; });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const LONG = ["sim", "--dataset", "spiral", "--opt", "adam", "--epochs", "100000"];

describe("Ctrl-C during sim", () => {
  it("saves the model so far, names the checkpoint to resume from, exits 130; the resume continues", async () => {
    const d = tmp();
    const ck = join(d, "ck"), save = join(d, "m.json");
    const r = await interruptAfter([...LONG, "--checkpoint", ck, "--save", save], 3);
    expect(r.code).toBe(130);
    // the default board answers a whole epoch at once in this process: the message says where it stops, and it stops there
    expect(r.stderr).toMatch(/interrupted: stopping before the next epoch/);
    expect(r.stderr).toMatch(/edgeprop sim: interrupted after epoch \d+\./);
    const m = r.stderr.match(/The model so far was saved to (.*m\.json)\. The checkpoint in (.*ck) is at epoch (\d+): continue with --resume .*ck\./);
    expect(m).not.toBeNull();
    const model = JSON.parse(readFileSync(save, "utf8"));
    expect(model.format).toBe("edgeprop-model");
    const epoch = Number(m![3]);
    expect(epoch).toBeGreaterThanOrEqual(3);
    expect(JSON.parse(readFileSync(join(ck, "checkpoint.json"), "utf8")).epoch).toBe(epoch);
    const resumed = ok(["sim", "--resume", ck, "--epochs", String(epoch + 1), "--json"]);
    expect(resumed.stdout).toMatch(new RegExp(`"event":"epoch","epoch":${epoch + 1},`));
  });

  it("a board behind a pty stops after the current batch, as its message says", async () => {
    // batches of one row: an epoch is 300 batches, so a Ctrl-C lands inside one
    const r = await interruptAfter(["sim", "--dataset", "spiral", "--batch", "1", "--epochs", "100000", "--link", "pty"], 1);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupted: stopping after this batch/);
    expect(r.stderr).toMatch(/interrupted during epoch \d+, after \d+ batch(es)? of it\./);
  });

  it("without --save or --checkpoint it says that nothing was kept", async () => {
    for (const link of ["memory", "direct", "pty"]) {
      const r = await interruptAfter([...LONG, "--link", link], 2);
      expect(r.code).toBe(130);
      expect(r.stderr).toMatch(/interrupted .*Nothing was saved \(give --save FILE or --checkpoint DIR/);
      if (link === "pty") expect(r.stderr).toMatch(/interrupted: stopping after this batch/);
      else expect(r.stderr).toMatch(/interrupted: stopping before the next epoch[\s\S]*interrupted after epoch \d+\./);
    }
  });
});
