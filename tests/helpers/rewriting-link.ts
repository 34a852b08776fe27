// A board that answers wrongly: a byte link wrapper that decodes every frame
// the board sends, lets a test rewrite it (or drop it, or add frames), and
// sends the result with a valid CRC, so only the host's own checks of a
// reply's content stand between the wrong answer and the model.
import type { ByteLink } from "../../host/transports/byte-link";
import { FrameSplitter } from "../../host/protocol/frame-splitter";
import { encodeFrame, type Frame } from "../../host/protocol/frame";

/** What to send instead of `f` (the board's n-th frame, from 0): frames, or none. */
export type Rewrite = (f: Frame, n: number) => Frame[];

export class RewritingLink implements ByteLink {
  readonly description: string;
  readonly baud: number;
  private listeners: ((b: Uint8Array) => void)[] = [];
  private frames = 0;
  rewrites = 0;

  constructor(private readonly inner: ByteLink, private readonly rewrite: Rewrite) {
    this.description = `${inner.description}, replies rewritten`;
    this.baud = inner.baud;
    const splitter = new FrameSplitter({
      frame: (f) => {
        const out = this.rewrite(f, this.frames++);
        if (out.length !== 1 || out[0] !== f) this.rewrites++;
        for (const g of out) this.emit(encodeFrame(g));
      },
      // Text (a banner) goes on as a line ended by a delimiter, as the pump sends it.
      text: (line) => this.emit(new TextEncoder().encode(`${line}\r\n\0`)),
    });
    inner.onData((b) => splitter.push(b));
  }

  private emit(b: Uint8Array): void {
    for (const cb of this.listeners) cb(b);
  }

  write(bytes: Uint8Array): void { this.inner.write(bytes); }
  onData(cb: (b: Uint8Array) => void): void { this.listeners.push(cb); }
  onClose(cb: (why: string) => void): void { this.inner.onClose(cb); }
  close(): Promise<void> { return this.inner.close(); }
}
