// What a link over a Node stream (a child process's stdout, a serial port)
// shares: every received chunk handed to every onData listener as a
// Uint8Array view (no copy), and the stream's end told to every onClose
// listener, unless the host itself is closing the link.

/** A stream that emits the chunks it receives. */
export interface ChunkSource {
  on(event: "data", listener: (chunk: Buffer) => void): unknown;
}

export abstract class StreamLink {
  /** Set by close(): the stream's end is expected, nobody is told. */
  protected closing = false;
  private readonly closeListeners: ((why: string) => void)[] = [];

  /** Where the received bytes come from. */
  protected abstract get source(): ChunkSource;

  onData(cb: (bytes: Uint8Array) => void): void {
    this.source.on("data", (b: Buffer) => cb(new Uint8Array(b.buffer, b.byteOffset, b.length)));
  }

  onClose(cb: (why: string) => void): void {
    this.closeListeners.push(cb);
  }

  /** The stream ended or failed: every onClose listener hears why, unless close() ended it. */
  protected ended(why: string): void {
    if (!this.closing) for (const cb of this.closeListeners) cb(why);
  }
}
