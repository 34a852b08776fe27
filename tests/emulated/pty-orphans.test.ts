// Issue 14 item 9: kill -9 of `board --pty` left socat and the board process
// serving as orphans. socat now dies with the CLI (parent-death signal), and
// the board behind it with socat (its stdin ends).
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { descendants, killAll, startCli, survivors, waitForOutput } from "./processes";

const haveSocat = spawnSync("socat", ["-V"], { stdio: "ignore" }).status === 0;
const started: number[] = [];
afterAll(() => killAll(started));

describe.skipIf(!haveSocat)("board --pty", () => {
  for (const signal of ["SIGTERM", "SIGKILL"] as const) {
    it(`leaves neither socat nor the board process after ${signal} of the CLI`, async () => {
      const board = startCli(["board", "--pty"]);
      started.push(board.child.pid!);
      await waitForOutput(board, (s) => /^(\/\S+)\n/.exec(s)?.[1], 30_000);
      // socat starts the board process on the first connection or at once, depending on its version: wait for socat alone.
      const tree = descendants(board.child.pid!);
      const socat = tree.filter((d) => d.cmd.startsWith("socat") || d.cmd.includes(" socat ")).map((d) => d.pid);
      expect(socat.length).toBeGreaterThan(0);
      const all = tree.map((d) => d.pid);
      started.push(...all);
      board.child.kill(signal);
      await board.exited;
      expect(await survivors(all)).toEqual([]);
    }, 60_000);
  }
});
