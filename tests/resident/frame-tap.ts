// A byte link that shows each frame the host writes (type and payload) to a
// callback before passing it on, e.g. to count STORE frames or to restart the
// simulated board at the n-th frame.
import type { ByteLink } from "../../host/transports/byte-link";
import { FrameSplitter } from "../../host/protocol/frame-splitter";
import type { Frame } from "../../host/protocol/frame";

export class FrameTap implements ByteLink {
  frames = 0;
  private readonly splitter: FrameSplitter;
  private pending: Frame[] = [];
  constructor(readonly inner: ByteLink, private readonly seen: (f: Frame, n: number) => void) {
    this.splitter = new FrameSplitter({ frame: (f) => this.pending.push(f), text: () => {} });
  }
  get description() { return this.inner.description; }
  get baud() { return this.inner.baud; }
  write(bytes: Uint8Array): void {
    this.splitter.push(bytes);
    const frames = this.pending;
    this.pending = [];
    this.inner.write(bytes);
    for (const f of frames) this.seen(f, ++this.frames);
  }
  onData(cb: (b: Uint8Array) => void): void { this.inner.onData(cb); }
  onClose(cb: (why: string) => void): void { this.inner.onClose(cb); }
  close(): Promise<void> { return this.inner.close(); }
}
