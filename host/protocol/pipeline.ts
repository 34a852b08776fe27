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
import { MalformedMessageError } from "./message-error.js";

export interface Request {
  type: number;
  payload: Uint8Array;
}

/**
 * A run's requests, each payload made when its frame is first sent: an
 * epoch's rows are encoded as the window reaches them, and the pipeline holds
 * only the frames in flight, never a whole epoch of them (issue 23: that was
 * most of --link memory's peak on a large file).
 */
export interface Requests {
  readonly length: number;
  type(i: number): number;
  /** Request i's payload; asked for once, in order, when its frame is first sent. */
  payload(i: number): Uint8Array;
}

/** Requests already made. */
export function requestList(reqs: readonly Request[]): Requests {
  return { length: reqs.length, type: (i) => reqs[i].type, payload: (i) => reqs[i].payload };
}

const isRead = (type: number) => type === Type.GET_WEIGHTS || type === Type.EVAL;

/**
 * Evidence that the board restarted: a banner with another boot id, a TRAP
 * report, a request in flight refused for want of a session, or a HELLO
 * answered with another boot id. The protocol board's HELLO then tells
 * whether it really did (a new boot id) and restores it (docs/protocol.md §3.5).
 */
export class RebootError extends Error {}

/**
 * The board's firmware could not load the module (its ERROR frame
 * LOAD_FAILED): it answers every frame with that report, so retransmitting
 * cannot help. A link failure (exit 4).
 */
export class LoadFailedError extends LinkError {
  constructor(readonly detail: string) {
    super(`the board cannot run the module: load failed: ${detail}`);
  }
}

/**
 * Each further attempt at the same request waits twice as long as the one
 * before, up to this factor: the first retransmission after a loss comes as
 * fast as ever, while a board that is only slow (a loaded machine, a board
 * process still starting) gets time to answer before the run gives up.
 */
export const MAX_BACKOFF = 8;

/**
 * The no-progress deadline, in units of the plain reply deadline: twice the
 * waits of `retries` attempts at one request (each backed off, up to
 * MAX_BACKOFF). It applies once the board has sent something for the run
 * since the last answer: a board that is merely silent is given up on by its
 * attempts (however late the timers fire), and this only ends what the
 * attempts do not count. Whatever a board sends, a request that is not
 * answered within it (error replies, refused or ignored frames, resends) ends
 * the run with a LinkError (docs/protocol.md §3.3). With --timeout 250 and
 * --retries 8: 94 × 250 ms = 23.5 s.
 */
export function noProgressUnits(retries: number): number {
  let waits = 0;
  for (let a = 0; a < retries; a++) waits += Math.min(MAX_BACKOFF, 2 ** a);
  return 2 * waits;
}

export interface PipelineOptions {
  /** Frames in flight at once; at most the board's reply cache (4). */
  window?: number;
  /** Attempts at one request before giving up. */
  retries?: number;
  /** Minimum reply timeout, ms (transfer time at the baud rate and the board's busy time are added). */
  timeoutMs?: number;
}

interface Run {
  base: number;
  reqs: Requests;
  /** The frames of the requests in flight, [head, sent): dropped once answered. */
  encoded: Map<number, Uint8Array>;
  /** Replies that arrived before the head's, [head, sent). */
  replies: Map<number, Frame>;
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
  /** performance.now() of the last request answered (or the run's start). */
  progressAt: number;
  /** performance.now() after which the run ends: no request answered for the no-progress deadline. */
  progressBy: number;
  headResentAt: number;
  /** The head for which an OUT_OF_ORDER already made the window be resent this round (-1: none). */
  outOfOrderResentAt: number;
  /** The last error reply that named the head (for the message when the run gives up). */
  headRefusal: string | null;
  /**
   * Whether a frame naming a request of this run arrived since the last
   * request answered. While the board is silent the attempts end the run
   * ("stopped answering"): each is bounded, and the no-progress deadline,
   * fixed when the last answer came, would otherwise overtake them whenever
   * timers fire late (a loaded machine delays every attempt's start).
   */
  heardSinceProgress: boolean;
}

export class Pipeline {
  private seq = 1;
  private run: Run | null = null;
  private splitter: FrameSplitter;
  private rebootSeen: string | null = null;
  /** A LOAD_FAILED report that arrived while no run was waiting: the next send fails with it. */
  private loadFailure: LoadFailedError | null = null;
  /**
   * The board's compute time for one request, ms, as the protocol board last
   * measured it (BATCH replies carry the board's busy time): each frame in
   * flight adds it to the reply deadline.
   */
  busyMsPerRequest = 0;
  readonly o: Required<PipelineOptions>;
  bytesSent = 0;
  bytesReceived = 0;
  retransmits = 0;
  textLines: string[] = [];
  /** Set once HELLO has been answered: a banner after that is a reboot. */
  sessionActive = false;
  /** The boot id of the board the session is with (HELLO's reply): its own banner again is no reboot. */
  bootId: number | null = null;

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
      // A banner after the session started means the board rebooted, unless it names the session's boot.
      const bo = /\bbo=([0-9a-f]{8})\b/.exec(line);
      if (bo && this.bootId !== null && parseInt(bo[1], 16) === this.bootId) return;
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
  send(requests: readonly Request[] | Requests, onReply: Run["onReply"], window = this.o.window): Promise<number> {
    if (this.run) throw new Error("pipeline busy");
    const reqs = Array.isArray(requests) ? requestList(requests) : requests as Requests;
    if (this.loadFailure) return Promise.reject(this.loadFailure);
    // A restart seen while idle: nothing sent to a board that lost the session.
    if (this.rebootSeen && this.sessionActive) return Promise.reject(new RebootError(`the board restarted: ${this.rebootSeen}`));
    // Nothing to send (a region of no floats): nothing to wait for, no sequence number used.
    if (reqs.length === 0) return Promise.resolve(0);
    return new Promise((resolve, reject) => {
      const run: Run = {
        base: this.seq, reqs, encoded: new Map(), replies: new Map(), head: 0, sent: 0, window: Math.max(1, window),
        onReply, resolve, reject, attempts: 0, timer: null, deadline: 0, progressAt: 0, progressBy: 0, headResentAt: -1,
        outOfOrderResentAt: -1, headRefusal: null, heardSinceProgress: false,
      };
      this.progressed(run);
      this.run = run;
      this.fill(run);
      this.arm(run);
    });
  }

  /** One request, one reply (undecoded). */
  async request(type: number, payload: Uint8Array = new Uint8Array(0)): Promise<Frame> {
    return this.ask(type, payload, (f) => f);
  }

  /**
   * One request, its reply decoded by `decode` inside the run: a reply that
   * does not decode (MalformedMessageError) is asked for again, as a damaged one.
   */
  async ask<T>(type: number, payload: Uint8Array, decode: (f: Frame) => T): Promise<T> {
    let reply: { value: T } | null = null;
    await this.send([{ type, payload }], (_, f) => { reply = { value: decode(f) }; }, 1);
    return reply!.value;
  }

  private frameOf(run: Run, i: number): Uint8Array {
    let e = run.encoded.get(i);
    if (!e) {
      e = encodeFrame({ type: run.reqs.type(i), seq: (run.base + i) & 0xffff, payload: run.reqs.payload(i) });
      run.encoded.set(i, e);
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
      if (run.sent > run.head && isRead(run.reqs.type(run.sent)) !== isRead(run.reqs.type(run.head))) break;
      this.transmit(run, run.sent++);
    }
  }

  private resendFrom(run: Run, from: number): void {
    for (let i = Math.max(from, run.head); i < run.sent; i++) {
      if (!run.replies.has(i)) { this.retransmits++; this.transmit(run, i); }
    }
  }

  /**
   * The reply deadline (docs/protocol.md, "Timeouts"): the minimum, plus
   * twice the line time of the frames in flight and a reply, plus the board's
   * work on every frame in flight; doubled for every attempt at the same head
   * already made, up to MAX_BACKOFF.
   */
  private timeoutMs(run: Run): number {
    return this.plainTimeoutMs(run) * Math.min(MAX_BACKOFF, 2 ** run.attempts);
  }

  /** The reply deadline before any backoff. */
  private plainTimeoutMs(run: Run): number {
    let bytes = 0;
    for (let i = run.head; i < run.sent; i++) bytes += this.frameOf(run, i).length;
    return this.o.timeoutMs + 2 * lineSeconds(bytes + 256, this.link.baud) * 1000
      + (run.sent - run.head) * this.busyMsPerRequest;
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

  /** A request answered (or a run started): the no-progress deadline starts again. */
  private progressed(run: Run): void {
    run.progressAt = performance.now();
    run.progressBy = run.progressAt + this.plainTimeoutMs(run) * noProgressUnits(this.o.retries);
    run.heardSinceProgress = false;
  }

  private schedule(run: Run): void {
    run.timer = setTimeout(() => {
      run.timer = null;
      if (this.run !== run) return;
      const now = performance.now();
      if (now >= run.progressBy && run.heardSinceProgress) { this.failNoProgress(run); return; }
      if (now < run.deadline) { this.schedule(run); return; }
      this.onTimeout(run);
    }, Math.max(1, (run.heardSinceProgress ? Math.min(run.deadline, run.progressBy) : run.deadline) - performance.now()));
  }

  /** "request N (type 0x..)": the head, as the messages that end a run name it. */
  private headName(run: Run): string {
    return `request ${(run.base + run.head) & 0xffff}, type 0x${run.reqs.type(run.head).toString(16)}`;
  }

  private failNoProgress(run: Run): void {
    const ms = performance.now() - run.progressAt;
    this.fail(new LinkError(`the board made no progress for ${(ms / 1000).toFixed(1)} s (${this.headName(run)} never answered` +
      `${run.headRefusal ? `; the board answered ${run.headRefusal}` : ""}): giving up (the no-progress deadline of --timeout and --retries)`));
  }

  /** One more attempt at the head; false (and the run failed) when the retry budget is spent. */
  private countAttempt(run: Run): boolean {
    if (++run.attempts < this.o.retries) return true;
    this.fail(new LinkError(run.headRefusal
      ? `the board refused ${this.headName(run)} ${this.o.retries} times: ${run.headRefusal}`
      : `the board stopped answering (no reply to ${this.headName(run)}, after ${this.o.retries} attempts)`));
    return false;
  }

  private onTimeout(run: Run): void {
    if (this.run !== run) return;
    if (!this.countAttempt(run)) return;
    run.outOfOrderResentAt = -1; // a new round: the next OUT_OF_ORDER may resend again
    this.resendFrom(run, run.head);
    this.arm(run);
  }

  /**
   * A reply with a valid CRC that does not decode as the answer to its
   * request (wrong type, length, range or count): treated as damage. The
   * request is asked again (the board's reply cache answers a write, a read
   * is executed again); after `retries` bad answers the run fails with it.
   * onReply decodes before it changes anything, so a refused reply left no trace.
   */
  private rejectReply(run: Run, i: number, err: MalformedMessageError): void {
    run.replies.delete(i);
    if (i === run.head) run.headRefusal = err.message;
    if (++run.attempts >= this.o.retries) {
      this.fail(new MalformedMessageError(`${err.message} (request ${(run.base + i) & 0xffff}, after ${this.o.retries} attempts)`));
      return;
    }
    this.retransmits++;
    this.transmit(run, i);
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

  /**
   * The run index a 16-bit sequence number names. Only [head, sent) is in
   * flight (at most a window, far fewer than 65,536), so the number is read
   * relative to the head: any number of requests per run, any wrap of the
   * counter. null: not in flight (a late duplicate, another run's reply).
   */
  private indexOf(run: Run, seq: number): number | null {
    const index = run.head + ((seq - (run.base + run.head)) & 0xffff);
    return index < run.sent ? index : null;
  }

  /** The firmware's own reports (seq 0, unsolicited): a trap restarted the module; a failed load is final. */
  private onFirmwareReport(code: number, message: string): boolean {
    if (code === Status.LOAD_FAILED) {
      const e = new LoadFailedError(message.trim() || "no reason given");
      if (this.run) this.fail(e);
      else this.loadFailure = e;
      return true;
    }
    if (code === Status.TRAP) {
      // The pump restarts the module (a banner follows): the board lost its session.
      if (this.sessionActive) {
        this.rebootSeen = `the module trapped: ${message.trim()}`;
        this.fail(new RebootError(`the board restarted: the module trapped (${message.trim()})`));
      }
      return true;
    }
    return false;
  }

  private onFrame(f: Frame): void {
    if (f.type === Type.ERROR) {
      let e: ReturnType<typeof decodeError>;
      try {
        e = decodeError(f.payload);
      } catch {
        return; // not an ERROR payload: damage, dropped like a bad CRC
      }
      if (this.onFirmwareReport(e.code, e.message)) return;
    }
    const run = this.run;
    if (!run) return; // a late duplicate of an earlier run's reply
    const index = this.indexOf(run, f.seq);
    if (index !== null) run.heardSinceProgress = true;
    if (f.type === Type.ERROR) {
      const { code, detail, bootId } = decodeError(f.payload);
      // Only an error naming a request in flight counts: the others answered requests of an earlier run
      // (after one restart every request in flight is refused: that is one restart, not one per refusal).
      if (index === null || run.replies.has(index)) return;
      if (code === Status.NO_SESSION && this.sessionActive) {
        this.fail(new RebootError(`the board has no session (it restarted: boot id ${bootId.toString(16).padStart(8, "0")})`));
        return;
      }
      if (code === Status.OUT_OF_ORDER) {
        if (index === run.head) run.headRefusal = `OUT_OF_ORDER (expecting seq ${detail & 0xffff})`;
        const want = this.indexOf(run, detail & 0xffff);
        // The window is resent once a round (one lost request makes the board refuse each of its successors);
        // that resend is an attempt at the head, so a board that refuses forever uses up --retries.
        if (want === null || run.outOfOrderResentAt === run.head) return;
        run.outOfOrderResentAt = run.head;
        if (!this.countAttempt(run)) return;
        this.resendFrom(run, want);
        this.arm(run);
        return;
      }
      if (code === Status.OK) {
        // An ERROR that says OK is no answer: damage, asked for again.
        this.rejectReply(run, index, new MalformedMessageError(`an ERROR frame with status 0 (OK) for a request of type 0x${run.reqs.type(index).toString(16)}`));
        return;
      }
    }
    if (index === null || run.replies.has(index)) return;
    run.replies.set(index, f);
    while (run.head < run.sent && run.replies.has(run.head)) {
      const i = run.head;
      let goOn: boolean | void;
      try {
        goOn = run.onReply(i, run.replies.get(i)!);
      } catch (err) {
        if (err instanceof MalformedMessageError) { this.rejectReply(run, i, err); return; }
        // A refusal found in a reply ends the run: reject, never throw into the link.
        this.fail(err as Error);
        return;
      }
      // Answered: its frame will not be sent again, nor its reply read.
      run.encoded.delete(i);
      run.replies.delete(i);
      run.head++;
      run.attempts = 0;
      run.headRefusal = null;
      this.progressed(run);
      if (goOn === false) { this.finish(run, run.head); return; }
    }
    if (run.head === run.reqs.length) { this.finish(run, run.head); return; }
    // A later reply arrived before the head's: the head's reply was lost.
    // The board has executed it; ask again, and its cache answers.
    if (run.head < run.sent && !run.replies.has(run.head) && index > run.head && run.headResentAt !== run.head) {
      run.headResentAt = run.head;
      this.retransmits++;
      this.transmit(run, run.head);
    }
    this.fill(run);
    this.arm(run);
  }
}
