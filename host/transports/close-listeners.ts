// What a stream-backed link (a child process, a serial port) does with the
// end of its stream: tell every onClose listener why, unless the host itself
// is closing the link.
export class CloseListeners {
  /** Set by close(): the stream's end is expected, nobody is told. */
  closing = false;
  private listeners: ((why: string) => void)[] = [];

  add(cb: (why: string) => void): void {
    this.listeners.push(cb);
  }

  report(why: string): void {
    if (!this.closing) for (const cb of this.listeners) cb(why);
  }
}

/** A Node Buffer as the Uint8Array a ByteLink hands on (no copy). */
export function bytesOf(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}
