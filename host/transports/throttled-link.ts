// --baud N on a simulated link: each direction becomes a serial line that
// carries 10 bits a byte (8N1), so a simulated run takes the time a real
// line would need and benchmarks of goodput are honest.
import type { ByteLink } from "./byte-link.js";
import { lineSeconds } from "./byte-link.js";

export class ThrottledLink implements ByteLink {
  readonly description: string;
  private upFreeAt = 0;
  private downFreeAt = 0;
  private timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly inner: ByteLink, readonly baud: number) {
    this.description = `${inner.description} at ${baud} baud`;
  }

  /** Milliseconds from now until `bytes` have crossed the line that way. */
  private transmit(up: boolean, bytes: number): number {
    const now = performance.now();
    const done = Math.max(now, up ? this.upFreeAt : this.downFreeAt) + lineSeconds(bytes, this.baud) * 1000;
    if (up) this.upFreeAt = done; else this.downFreeAt = done;
    return done - now;
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => { this.timers.delete(t); if (!this.closed) fn(); }, ms);
    this.timers.add(t);
  }

  write(bytes: Uint8Array): void {
    const copy = bytes.slice();
    this.after(this.transmit(true, copy.length), () => this.inner.write(copy));
  }

  onData(cb: (b: Uint8Array) => void): void {
    this.inner.onData((b) => this.after(this.transmit(false, b.length), () => cb(b)));
  }

  onClose(cb: (why: string) => void): void { this.inner.onClose(cb); }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.inner.close();
  }
}
