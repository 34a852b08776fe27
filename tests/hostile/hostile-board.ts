// A hostile board: a byte link that runs the REAL board pump (boards/posix,
// built by the test) as a child process and stands between it and the host.
// It can
//  - reboot the board right after its reply number k (0-based, counted over
//    every frame the boards sent, across reboots): the pump process is killed
//    (nothing it sends after reply k reaches the host) and a fresh one started,
//    which prints its banner with a new boot id and has no session, as a board
//    after a brown-out;
//  - rewrite any reply (re-encoded with a valid COBS and CRC), e.g. answer
//    every reply of a kind with an ERROR frame of any code.
// Only the host's own checks stand between such a board and the model.
//
// The rebooted pump gets only what the host writes after the reboot: the
// requests in flight are lost with the old one, as on a board that browns out.
import { spawn, type ChildProcess } from "node:child_process";
import type { ByteLink } from "../../host/transports/byte-link";
import { FrameSplitter } from "../../host/protocol/frame-splitter";
import { encodeFrame, Type, type Frame } from "../../host/protocol/frame";

/** What to send instead of the board's n-th reply `f` (from 0): frames, or none. */
export type ReplyRewrite = (f: Frame, n: number, bootId: number) => Frame[];

export interface HostileOptions {
  /** Reboot the board right after these reply numbers (or when this says so). */
  rebootAfter?: readonly number[] | ((n: number, f: Frame) => boolean);
  rewrite?: ReplyRewrite;
  /**
   * A rebooted board's banner never reaches the host (lost on the line while
   * the host was sending): the restart shows only as NO_SESSION refusals of
   * the requests in flight.
   */
  bannerLost?: boolean;
}

/** An ERROR frame as the module writes it (docs/protocol.md §4.8): [code][for_type][detail i16][boot id u32]. */
export function errorFrame(seq: number, code: number, forType: number, detail: number, bootId: number): Frame {
  const payload = new Uint8Array(8);
  const v = new DataView(payload.buffer);
  v.setUint8(0, code);
  v.setUint8(1, forType);
  v.setInt16(2, detail << 16 >> 16, true);
  v.setUint32(4, bootId >>> 0, true);
  return { type: Type.ERROR, seq, payload };
}

/** Every reply to requests of type `kind` becomes an ERROR `code` (OUT_OF_ORDER names the request itself). */
export function refuseKind(kind: number, code: number): ReplyRewrite {
  return (f, _n, bootId) => (f.type === (kind | Type.REPLY) || (f.type === Type.ERROR && f.payload[1] === kind)
    ? [errorFrame(f.seq, code, kind, f.seq, bootId)]
    : [f]);
}

export class HostileBoard implements ByteLink {
  readonly description = "hostile board (the POSIX pump behind a proxy)";
  readonly baud = 0;
  /** Frames the boards sent so far (the reply numbers of rebootAfter). */
  replies = 0;
  /** Pump processes started (1 + reboots). */
  boots = 0;
  rewrites = 0;
  /** The boot id in the current pump's banner. */
  bootId = 0;
  private child: ChildProcess | null = null;
  private dataListeners: ((b: Uint8Array) => void)[] = [];
  private closeListeners: ((why: string) => void)[] = [];
  private closing = false;
  private readonly children = new Set<ChildProcess>();

  constructor(private readonly command: readonly string[], private readonly o: HostileOptions = {}) {
    this.start();
  }

  private start(): void {
    const rebooted = this.boots > 0;
    const [cmd, ...args] = this.command;
    const child = spawn(cmd!, args, { stdio: ["pipe", "pipe", "ignore"] });
    this.boots++;
    this.child = child;
    this.children.add(child);
    child.stdin!.on("error", () => { /* a killed board: its input is gone */ });
    const mine = () => this.child === child && !this.closing;
    const splitter = new FrameSplitter({
      frame: (f) => { if (mine()) this.onReply(f); },
      text: (line) => {
        if (!mine()) return;
        const bo = /\bbo=([0-9a-f]{8})\b/.exec(line);
        if (bo) this.bootId = parseInt(bo[1]!, 16);
        if (bo && rebooted && this.o.bannerLost) return;
        this.emit(new TextEncoder().encode(`${line}\r\n\0`));
      },
    });
    child.stdout!.on("data", (b: Buffer) => { if (mine()) splitter.push(new Uint8Array(b)); });
    child.on("exit", (code, signal) => {
      this.children.delete(child);
      if (mine()) for (const cb of this.closeListeners) cb(`the board exited (${signal ?? `code ${code}`})`);
    });
  }

  private onReply(f: Frame): void {
    const n = this.replies++;
    const out = this.o.rewrite ? this.o.rewrite(f, n, this.bootId) : [f];
    if (out.length !== 1 || out[0] !== f) this.rewrites++;
    for (const g of out) this.emit(encodeFrame(g));
    const when = this.o.rebootAfter;
    if (when && (typeof when === "function" ? when(n, f) : when.includes(n))) this.reboot();
  }

  /** Switches the board off and on: the running pump is killed, a fresh one started. */
  reboot(): void {
    const old = this.child;
    this.child = null; // nothing the old one still sends reaches the host
    old?.kill("SIGKILL");
    this.start();
  }

  private emit(b: Uint8Array): void {
    for (const cb of this.dataListeners) cb(b);
  }

  write(bytes: Uint8Array): void {
    if (!this.closing) this.child?.stdin!.write(bytes);
  }

  onData(cb: (b: Uint8Array) => void): void { this.dataListeners.push(cb); }
  onClose(cb: (why: string) => void): void { this.closeListeners.push(cb); }

  /** Ends every pump process this link started (end of input, then SIGKILL). */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.children].map((c) => new Promise<void>((resolve) => {
      if (c.exitCode !== null || c.signalCode !== null) { resolve(); return; }
      const t = setTimeout(() => c.kill("SIGKILL"), 2000);
      c.once("exit", () => { clearTimeout(t); resolve(); });
      c.stdin!.end();
    })));
  }
}
