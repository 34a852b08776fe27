// `board --pty` announces its path and then serves until Ctrl-C. Whoever
// reads the path may signal at once (tests/protocol/pty-names.test.ts does):
// if the SIGINT listener came after the announcement, a signal in between met
// the default action and killed the process (exit by signal, not 0), which
// happened under load. Here the command runs in-process on a real pty and
// records, at the moment the path is written, whether Ctrl-C is caught yet.
import { afterEach, describe, expect, it, vi } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { boardCommandMain } from "./board.js";
import { haveSocat } from "../transports/pty.js";

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!haveSocat())("board --pty and Ctrl-C", () => {
  it("catches SIGINT before it announces the path, and a Ctrl-C right after it stops cleanly (0)", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "edgeprop-board-signal-"));
    dirs.push(dir);
    const link = path.join(dir, "tty");
    const before = process.listenerCount("SIGINT");
    let listenersAtAnnouncement = -1;
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      if (String(chunk) === `${link}\n`) {
        listenersAtAnnouncement = process.listenerCount("SIGINT");
        // Ctrl-C as soon as the path is out (on the next turn, so an old
        // build's late listener still ends the command and the test reports).
        setImmediate(() => process.emit("SIGINT"));
      }
      return true;
    });
    const code = await boardCommandMain(["--pty", "--path", link]);
    expect(listenersAtAnnouncement).toBe(before + 1);
    expect(code).toBe(0);
  }, 60_000);
});
