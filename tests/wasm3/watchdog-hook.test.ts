// Defect 2 of issue 15: one long module call must not starve the board's task
// watchdog. engine_wasm3.c overrides wasm3's weak m3_Yield (called on every
// wasm function call) and passes one call in 32 on to the HAL's
// ep_hal_feed_watchdog; the POSIX board counts the feeds and says
// "edgeprop-board: watchdog fed N times" on stderr at every power of two.
import { afterAll, describe, expect, it } from "vitest";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { buildBoard, normalBuild, SKIP_NORMAL } from "./wasm3-builds";
import { runCli } from "../helpers/cli";
import { rmDir, tmpDir, wasmPath } from "../helpers/paths";

const work = tmpDir("edgeprop-w3-feed-");
afterAll(() => rmDir(work));

describe.skipIf(!normalBuild)(`the watchdog is fed from inside module calls ${SKIP_NORMAL ? `(skipped: ${SKIP_NORMAL})` : ""}`, () => {
  let bin = "";
  /** Trains xor through the board for `epochs`; the feeds it reported. */
  function feedsFor(epochs: number): number {
    const log = path.join(work, `stderr-${epochs}.log`);
    const wrapper = path.join(work, `board-${epochs}.sh`);
    // The host keeps the board's stderr to itself; the wrapper keeps a copy.
    writeFileSync(wrapper, `#!/bin/sh\nexec '${bin}' "$@" 2>'${log}'\n`);
    chmodSync(wrapper, 0o755);
    const r = runCli(["sim", "--dataset", "xor", "--layers", "2,8,1", "--loss", "bce", "--epochs", String(epochs),
      "--batch", "32", "--quiet", "--engine", `exec:${wrapper} ${wasmPath}`]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(log)).toBe(true);
    const counts = [...readFileSync(log, "utf8").matchAll(/edgeprop-board: watchdog fed (\d+) times/g)].map((m) => Number(m[1]));
    expect(counts.length, readFileSync(log, "utf8")).toBeGreaterThan(0);
    return Math.max(...counts);
  }

  it("builds", () => {
    bin = buildBoard(normalBuild!, normalBuild!.lib, normalBuild!.cflags, path.join(work, "board"));
  }, 120_000);

  it("feeds during training, and more for a longer run", () => {
    const short = feedsFor(1);
    const long = feedsFor(4);
    expect(short).toBeGreaterThan(0);
    // Same work per epoch: four epochs feed about four times as often (the
    // board reports powers of two, so the largest seen at least doubles).
    expect(long).toBeGreaterThanOrEqual(2 * short);
    expect(long).toBeLessThanOrEqual(8 * short);
  }, 120_000);
});
