// A simulated board behind a real pseudo-terminal: socat makes the pty and
// runs the board command on its other side, so the host opens a path with
// serialport exactly as it opens /dev/ttyUSB0. Used by --link pty and by
// `edgeprop board --pty`.
import { spawnSync, type ChildProcess } from "node:child_process";
import { spawnOrphanProof } from "./orphan-proof.mjs";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../errors.js";

let counter = 0;

export interface PtyBoard {
  path: string;
  socat: ChildProcess;
  stop(): Promise<void>;
}

/** socat's address syntax treats : , ! " ' ( ) [ ] { } specially: escape them. */
function socatEscape(arg: string): string {
  return arg.replace(/([:,!"'()[\]{}\\ ])/g, "\\$1");
}

export function haveSocat(): boolean {
  return spawnSync("socat", ["-V"], { stdio: "ignore" }).status === 0;
}

export async function startPtyBoard(command: string[], path?: string): Promise<PtyBoard> {
  if (!haveSocat()) throw new UsageError("socat is needed for a pseudo-terminal board: apt-get install socat");
  const link = path ?? join(tmpdir(), `edgeprop-tty-${process.pid}-${++counter}`);
  const exec = command.map(socatEscape).join(" ");
  // socat (and through it the board) dies with this process, even on kill -9.
  const socat = spawnOrphanProof("socat", [`pty,raw,echo=0,link=${link}`, `EXEC:${exec}`], ["ignore", "ignore", "pipe"]);
  let err = "";
  socat.stderr!.on("data", (b: Buffer) => { err += b.toString(); });
  const deadline = Date.now() + 10000;
  while (!existsSync(link)) {
    if (socat.exitCode !== null) throw new UsageError(`socat failed: ${err.trim()}`);
    if (Date.now() > deadline) { socat.kill(); throw new UsageError(`socat did not create ${link}`); }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    path: link,
    socat,
    stop: () => new Promise<void>((resolve) => {
      if (socat.exitCode !== null || socat.signalCode !== null) { resolve(); return; }
      socat.once("exit", () => resolve());
      socat.kill("SIGTERM");
    }),
  };
}
