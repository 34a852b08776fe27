// A board in another process, speaking the protocol on its stdin/stdout:
// the WASI build under a WASI runtime (--engine wasi:node|wasm3|wasmtime|PATH)
// or any command (--engine exec:'CMD ARGS', e.g. the firmware pump built for
// a PC, boards/posix/edgeprop-board).
import { spawn, type ChildProcess } from "node:child_process";
import type { ByteLink } from "./byte-link.js";
import { StreamLink } from "./stream-link.js";

export class ProcessLink extends StreamLink implements ByteLink {
  readonly baud = 0;
  private child: ChildProcess;
  stderr = "";

  constructor(readonly command: string, readonly args: string[], readonly description: string) {
    super();
    this.child = spawn(command, args, { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stderr!.on("data", (b: Buffer) => { this.stderr = (this.stderr + b.toString()).slice(-4000); });
    this.child.stdin!.on("error", () => { /* reported by exit */ });
    const gone = (why: string) => this.ended(why);
    this.child.on("error", (err) => gone(`${command}: ${err.message}`));
    this.child.on("exit", (code, signal) => gone(`${description} exited (${signal ?? `code ${code}`})${this.stderr ? `: ${this.stderr.trim().split("\n").pop()}` : ""}`));
  }

  write(bytes: Uint8Array): void {
    if (!this.closing) this.child.stdin!.write(bytes);
  }

  protected get source() { return this.child.stdout!; }

  close(): Promise<void> {
    this.closing = true;
    return new Promise((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) { resolve(); return; }
      const t = setTimeout(() => this.child.kill("SIGKILL"), 2000);
      this.child.once("exit", () => { clearTimeout(t); resolve(); });
      this.child.stdin!.end(); // end of input: the board exits 0
    });
  }
}

/** Splits `CMD ARGS` as a shell would for simple quoting ('...' and "..."). */
export function splitCommand(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}
