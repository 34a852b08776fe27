// A byte link that counts the frames the host writes (the protocol board
// writes one frame per write), for tests that assert how many frames a run
// costs.
import type { ByteLink } from "../../host/transports/byte-link";
import { ProtocolBoard } from "../../host/protocol/protocol-board";
import { SimulatedFirmware } from "../../host/boards/simulated-firmware";

export class CountingLink implements ByteLink {
  writes = 0;
  constructor(private readonly inner: ByteLink) {}
  get description() { return this.inner.description; }
  get baud() { return this.inner.baud; }
  write(b: Uint8Array): void { this.writes++; this.inner.write(b); }
  onData(cb: (b: Uint8Array) => void): void { this.inner.onData(cb); }
  onClose(cb: (why: string) => void): void { this.inner.onClose(cb); }
  close(): Promise<void> { return this.inner.close(); }
}

/** A protocol board over a simulated firmware behind a CountingLink: `link.writes` is the frames it sent. */
export function countedBoard(): { link: CountingLink; board: ProtocolBoard } {
  const link = new CountingLink(new SimulatedFirmware());
  return { link, board: new ProtocolBoard(link) };
}
