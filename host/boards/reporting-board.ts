// A protocol board whose firmware may also report what it used (the stats
// line, board-stats.ts): the emulated board always does, a real board may.
// The run asks for it once its last reply is in (Board.reportedStats).
import type { ByteLink } from "../transports/byte-link.js";
import type { PipelineOptions } from "../protocol/pipeline.js";
import { ProtocolBoard } from "../protocol/protocol-board.js";
import type { BoardStats } from "./board-stats.js";
import { StatsWatcher } from "./stats-watcher.js";

export class ReportingBoard extends ProtocolBoard {
  private readonly watcher: StatsWatcher;
  override readonly description: string;

  /** `statsWaitMs`: how long to wait after the last reply for the board to go idle and report. */
  constructor(link: ByteLink, o: PipelineOptions, private readonly statsWaitMs: number, description = link.description) {
    super(link, o);
    this.watcher = new StatsWatcher(link);
    this.description = description;
  }

  reportedStats(): Promise<BoardStats | null> {
    return this.watcher.afterLastReply(this.statsWaitMs);
  }
}
