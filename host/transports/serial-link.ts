// A real serial port (or a pseudo-terminal) opened with the serialport package.
import { SerialPort } from "serialport";
import type { ByteLink } from "./byte-link.js";
import { StreamLink } from "./stream-link.js";
import { LinkError } from "../errors.js";

export class SerialLink extends StreamLink implements ByteLink {
  readonly description: string;

  private constructor(private readonly port: SerialPort, readonly path: string, readonly baud: number) {
    super();
    this.description = baud ? `serial port ${path} at ${baud} baud` : `pseudo-terminal ${path}`;
    port.on("close", () => this.ended(`${path} closed`));
    port.on("error", (err) => this.ended(`${path}: ${err.message}`));
  }

  /** Opens `path` raw (8N1, no flow control). `lineBaud` 0: a pty, whose rate means nothing. */
  static async open(path: string, baudRate: number, lineBaud = baudRate): Promise<SerialLink> {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())))
      .catch((err: Error) => { throw new LinkError(`cannot open ${path}: ${err.message}`); });
    return new SerialLink(port, path, lineBaud);
  }

  write(bytes: Uint8Array): void {
    this.port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  }

  protected get source() { return this.port; }

  close(): Promise<void> {
    this.closing = true;
    return new Promise((resolve) => {
      if (!this.port.isOpen) { resolve(); return; }
      this.port.close(() => resolve());
    });
  }
}
