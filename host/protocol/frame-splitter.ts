// Splits a byte stream into frames at 0x00 delimiters. What lies between
// frames is either line noise (dropped, counted) or a readable text line from
// the board, like its boot banner, which is handed on as text: that is how a
// reboot is noticed and what `edgeprop monitor` shows.
import { decodeFrame, type Frame } from "./frame.js";

export interface SplitterEvents {
  frame(f: Frame): void;
  text?(line: string): void;
  garbage?(bytes: number): void;
}

const MAX_PENDING = 64 * 1024;

export class FrameSplitter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  constructor(private readonly on: SplitterEvents) {}

  push(chunk: Uint8Array): void {
    let start = 0;
    for (let i = chunk.indexOf(0); i >= 0; i = chunk.indexOf(0, start)) {
      if (this.pending.length === 0) {
        this.handle(chunk.subarray(start, i)); // the usual case: a whole frame in one chunk
      } else {
        this.pending.push(chunk.subarray(start, i));
        this.flush();
      }
      start = i + 1;
    }
    if (start < chunk.length) {
      this.pending.push(chunk.slice(start));
      this.pendingBytes += chunk.length - start;
      if (this.pendingBytes > MAX_PENDING) { this.on.garbage?.(this.pendingBytes); this.reset(); }
    }
  }

  private reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
  }

  private flush(): void {
    const bytes = Buffer.concat(this.pending);
    this.reset();
    this.handle(bytes);
  }

  private handle(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const f = decodeFrame(bytes);
    if (f) { this.on.frame(f); return; }
    // Not a frame: text lines (the banner) come out as text, the rest is noise.
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("latin1");
    const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
    let noise = 0;
    for (const line of lines) {
      if (/^[\x20-\x7e\t]+$/.test(line)) this.on.text?.(line);
      else noise += line.length;
    }
    if (noise) this.on.garbage?.(noise);
  }
}
