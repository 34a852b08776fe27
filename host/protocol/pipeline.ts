// Sends requests over a byte link and matches replies, with a window of
// frames in flight (the next chunk is on the wire while the board computes
// the current one) and go-back-N recovery: a lost or damaged frame is sent
// again; the board's sequence check and reply cache make every request take
// effect exactly once.
import type { ByteLink } from "../transports/byte-link.js";
import { lineSeconds } from "../transports/byte-link.js";
import { encodeFrame, type Frame, Type } from "./frame.js";
import { FrameSplitter } from "./frame-splitter.js";
import { Status } from "./status.js";
import { decodeError } from "./codec.js";
import { LinkError } from "../errors.js";

export interface Request {
  type: number;
  payload: Uint8Array;
}

const isRead = (type: number) => type === Type.GET_WEIGHTS || type === Type.EVAL;

/** The board restarted (a banner, or a request refused for want of a session). */
export class RebootError extends Error {}

export interface PipelineOptions {
  /** Frames in flight at once; at most the board's reply cache (4). */
  window?: number;
  /** Attempts at one request before giving up. */
  retries?: number;
  /** Minimum reply timeout, ms (transfer time at the baud rate is added). */
  timeoutMs?: number;
}

interface Run {
  base: number;
  reqs: Request[];
  encoded: (Uint8Array | null)[];
  replies: (Frame | null)[];
  head: number;
  sent: number;
  window: number;
  onReply: (i: number, f: Frame) => boolean | void;
  resolve: (delivered: number) => void;
  reject: (e: Error) => void;
  attempts: number;
  timer: NodeJS.Timeout | null;
  /** performance.now() after which the head counts as lost. */
  deadline: number;
  headResentAt: number;
}

export class Pipeline {
  private seq = 1;
  private run: Run | null = null;
  private splitter: FrameSplitter;
  private rebootSeen: string | null = null;
  readonly o: Required<PipelineOptions>;
  bytesSent = 0;
  bytesReceived = 0;
  retransmits = 0;
  textLines: string[] = [];
  /** Set once HELLO has been answered: a banner after that is a reboot. */
  sessionActive = false;

  constructor(private readonly link: ByteLink, o: PipelineOptions = {}) {
    this.o = { window: o.window ?? 4, retries: o.retries ?? 8, timeoutMs: o.timeoutMs ?? 250 };
    this.splitter = new FrameSplitter({
      frame: (f) => this.onFrame(f),
      text: (line) => this.onText(line),
    });
    link.onData((b) => { this.bytesReceived += b.length; this.splitter.push(b); });
    link.onClose((why) => this.fail(new LinkError(`the link closed: ${why}`)));
  }

  private onText(line: string): void {
    this.textLines.push(line);
    if (this.textLines.length > 50) this.textLines.shift();
    if (/^edgeprop \S+ pr=/.test(line) && this.sessionActive) {
      // A banner after the session started means the board rebooted.
      this.rebootSeen = line;
      this.fail(new RebootError(`the board restarted: ${line}`));
    }
  }

  /** Takes (and clears) a banner seen while idle. */
  takeReboot(): string | null {
    const r = this.rebootSeen;
    this.rebootSeen = null;
    return r;
  }

  /** Sends `reqs` in order; calls onReply in order; resolves with how many were answered. */
  send(reqs: Request[], onReply: Run["onReply"], window = this.o.window): Promise<number> {
    if (this.run) throw new Error("pipeline busy");
    return new Promise((resolve, reject) => {
      const run: Run = {
        base: this.seq, reqs, encoded: new Array(reqs.length).fill(null),
        replies: new Array(reqs.length).fill(null), head: 0, sent: 0, window: Math.max(1, window),
        onReply, resolve, reject, attempts: 0, timer: null, deadline: 0, headResentAt: -1,
      };
      this.run = run;
      this.fill(run);
      this.arm(run);
    });
  }

  /** One request, one reply. */
  async request(type: number, payload: Uint8Array = new Uint8Array(0)): Promise<Frame> {
    let reply: Frame | null = null;
    await this.send([{ type, payload }], (_, f) => { reply = f; }, 1);
    return reply!;
  }

  private frameOf(run: Run, i: number): Uint8Array {
    let e = run.encoded[i];
    if (!e) {
      e = encodeFrame({ type: run.reqs[i].type, seq: (run.base + i) & 0xffff, payload: run.reqs[i].payload });
      run.encoded[i] = e;
    }
    return e;
  }

  private transmit(run: Run, i: number): void {
    const bytes = this.frameOf(run, i);
    this.bytesSent += bytes.length;
    this.link.write(bytes);
  }

  /**
   * Reads (GET_WEIGHTS, EVAL) are executed again when repeated; a read in
   * flight together with a BATCH could then answer with the state after that
   * BATCH. So reads and writes never share the window.
   */
  private fill(run: Run): void {
    while (run.sent < run.reqs.length && run.sent - run.head < run.window) {
      if (run.sent > run.head && isRead(run.reqs[run.sent].type) !== isRead(run.reqs[run.head].type)) break;
      this.transmit(run, run.sent++);
    }
  }

  private resendFrom(run: Run, from: number): void {
    for (let i = Math.max(from, run.head); i < run.sent; i++) {
      if (!run.replies[i]) { this.retransmits++; this.transmit(run, i); }
    }
  }

  private timeoutMs(run: Run): number {
    let bytes = 0;
    for (let i = run.head; i < run.sent; i++) bytes += this.frameOf(run, i).length;
    return this.o.timeoutMs + 2 * lineSeconds(bytes + 256, this.link.baud) * 1000;
  }

  /**
   * Pushes the run's deadline out after progress. One timer per run, moved
   * only when it would fire early: re-arming a timer for every reply costs
   * more than the reply itself on a fast link.
   */
  private arm(run: Run): void {
    run.deadline = performance.now() + this.timeoutMs(run);
    if (!run.timer) this.schedule(run);
  }

  private schedule(run: Run): void {
    run.timer = setTimeout(() => {
      run.timer = null;
      if (this.run !== run) return;
      if (performance.now() < run.deadline) { this.schedule(run); return; }
      this.onTimeout(run);
    }, Math.max(1, run.deadline - performance.now()));
  }

  private onTimeout(run: Run): void {
    if (this.run !== run) return;
    if (++run.attempts >= this.o.retries) {
      const r = run.reqs[run.head];
      this.fail(new LinkError(`the board stopped answering (no reply to request ${(run.base + run.head) & 0xffff}, type 0x${r.type.toString(16)}, after ${this.o.retries} attempts)`));
      return;
    }
    this.resendFrom(run, run.head);
    this.arm(run);
  }

  private finish(run: Run, delivered: number): void {
    if (run.timer) clearTimeout(run.timer);
    this.run = null;
    // Only the sequence numbers actually sent were consumed on the board.
    this.seq = (run.base + run.sent) & 0xffff;
    run.resolve(delivered);
  }

  private fail(e: Error): void {
    const run = this.run;
    if (!run) return;
    if (run.timer) clearTimeout(run.timer);
    this.run = null;
    this.seq = (run.base + run.sent) & 0xffff;
    run.reject(e);
  }

  /** Starts a fresh sequence after a reboot or at the start of a session. */
  resetSequence(): void {
    this.seq = (this.seq + 1) & 0xffff;
  }

  private onFrame(f: Frame): void {
    const run = this.run;
    if (!run) return; // a late duplicate of an earlier run's reply
    const index = (f.seq - run.base) & 0xffff;
    if (f.type === Type.ERROR) {
      let code: number, detail: number;
      try {
        ({ code, detail } = decodeError(f.payload));
      } catch (err) {
        this.fail(err as Error);
        return;
      }
      if (code === Status.NO_SESSION) { this.fail(new RebootError("the board has no session (it restarted)")); return; }
      if (code === Status.OUT_OF_ORDER) {
        const want = ((detail & 0xffff) - run.base) & 0xffff;
        if (want >= run.head && want < run.sent) { this.resendFrom(run, want); this.arm(run); }
        return;
      }
    }
    if (index < run.head || index >= run.sent || run.replies[index]) return;
    run.replies[index] = f;
    run.attempts = 0;
    while (run.head < run.sent && run.replies[run.head]) {
      const i = run.head++;
      let goOn: boolean | void;
      try {
        goOn = run.onReply(i, run.replies[i]!);
      } catch (err) {
        // A refusal found in a reply ends the run: reject, never throw into the link.
        this.fail(err as Error);
        return;
      }
      if (goOn === false) { this.finish(run, run.head); return; }
    }
    if (run.head === run.reqs.length) { this.finish(run, run.head); return; }
    // A later reply arrived before the head's: the head's reply was lost.
    // The board has executed it; ask again, and its cache answers.
    if (run.head < run.sent && !run.replies[run.head] && index > run.head && run.headResentAt !== run.head) {
      run.headResentAt = run.head;
      this.retransmits++;
      this.transmit(run, run.head);
    }
    this.fill(run);
    this.arm(run);
  }
}
