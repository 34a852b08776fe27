// A byte link: whatever carries the protocol's bytes between host and board
// (an in-memory simulated board, a child process's stdio, a serial port), and
// the wrappers that shape it (throttled, faulty).
export interface ByteLink {
  readonly description: string;
  /** Line rate in bits per second for timeouts and reports (0: unthrottled). */
  readonly baud: number;
  write(bytes: Uint8Array): void;
  /** Adds a listener for received bytes (every listener sees every chunk). */
  onData(cb: (bytes: Uint8Array) => void): void;
  /** Called if the link itself fails (process exit, port closed). */
  onClose(cb: (why: string) => void): void;
  close(): Promise<void>;
}

/** Seconds the line needs for n bytes at `baud` (8N1: 10 bits a byte). */
export function lineSeconds(bytes: number, baud: number): number {
  return baud > 0 ? (bytes * 10) / baud : 0;
}
