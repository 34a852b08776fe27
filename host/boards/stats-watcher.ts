// Listens on a byte link for the board's stats lines (board-stats.ts) beside
// the protocol's own reader (every ByteLink listener sees every byte), and
// tells which one followed the host's last reply: the board prints it once
// it goes idle, so that one covers the whole run.
import type { ByteLink } from "../transports/byte-link.js";
import { FrameSplitter } from "../protocol/frame-splitter.js";
import { BadStatsLine, isStatsLine, parseStatsLine, type BoardStats } from "./board-stats.js";

export class StatsWatcher {
  /** The latest valid stats line since the last frame from the board (null: none yet). */
  private sinceLastFrame: BoardStats | null = null;
  private waiters: Array<(s: BoardStats) => void> = [];
  /** Why the last stats line that broke the schema was refused ("" = none was). */
  refused = "";

  constructor(link: ByteLink) {
    const splitter = new FrameSplitter({
      frame: () => { this.sinceLastFrame = null; },
      text: (line) => this.onText(line),
    });
    link.onData((b) => splitter.push(b));
  }

  private onText(line: string): void {
    if (!isStatsLine(line)) return;
    try {
      this.sinceLastFrame = parseStatsLine(line);
    } catch (err) {
      if (!(err instanceof BadStatsLine)) throw err;
      this.refused = `${err.message}: ${line.slice(0, 120)}`;
      return;
    }
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w(this.sinceLastFrame);
  }

  /**
   * The stats line that follows the board's last frame, waiting up to
   * `timeoutMs` for the board to go idle and print it; null if it does not
   * (a board that does not report, or a line that broke the schema).
   */
  afterLastReply(timeoutMs: number): Promise<BoardStats | null> {
    if (this.sinceLastFrame) return Promise.resolve(this.sinceLastFrame);
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.waiters = this.waiters.filter((w) => w !== done); resolve(null); }, timeoutMs);
      const done = (s: BoardStats) => { clearTimeout(timer); resolve(s); };
      this.waiters.push(done);
    });
  }
}
