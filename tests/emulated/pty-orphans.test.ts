// Issue 14 item 9: kill -9 of `board --pty` left socat and the board process
// serving as orphans. socat and the board process (both the CLI's children
// since issue 20) now die with the CLI (parent-death signal).
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
      // socat and the board process are there.
      const tree = descendants(board.child.pid!);
      const socat = tree.filter((d) => d.cmd.startsWith("socat") || d.cmd.includes(" socat ")).map((d) => d.pid);
      expect(socat.length).toBeGreaterThan(0);
      expect(tree.filter((d) => d.cmd.includes("board --stdio")).length).toBeGreaterThan(0);
      const all = tree.map((d) => d.pid);
      started.push(...all);
      board.child.kill(signal);
      await board.exited;
      expect(await survivors(all)).toEqual([]);
    }, 60_000);
  }
});
