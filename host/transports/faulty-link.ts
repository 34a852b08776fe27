// --fault-rate P: a damaged line. Each chunk written in either direction is,
// with probability P, hit by one fault: a byte flipped, a byte dropped, or a
// byte duplicated. (Per byte, P = 0.05 would destroy every frame longer than a
// few dozen bytes; per write it exercises every recovery path at a rate a run
// still finishes in.) Seeded, so a failing run can be replayed.
import type { ByteLink } from "./byte-link.js";
import { mulberry32 } from "../data/rng.js";

export class FaultyLink implements ByteLink {
  readonly description: string;
  readonly baud: number;
  faults = 0;
  private rand: () => number;

  constructor(private readonly inner: ByteLink, private readonly p: number, seed = 1) {
    this.description = `${inner.description}, fault rate ${p}`;
    this.baud = inner.baud;
    this.rand = mulberry32(seed ^ 0x5eed);
  }

  private damage(b: Uint8Array): Uint8Array {
    if (b.length === 0 || this.rand() >= this.p) return b;
    this.faults++;
    const at = Math.floor(this.rand() * b.length);
    const kind = Math.floor(this.rand() * 3);
    if (kind === 0) { const c = b.slice(); c[at] ^= 1 << Math.floor(this.rand() * 8); return c; }
    if (kind === 1) return Buffer.concat([b.subarray(0, at), b.subarray(at + 1)]);
    return Buffer.concat([b.subarray(0, at + 1), b.subarray(at)]);
  }

  write(bytes: Uint8Array): void { this.inner.write(this.damage(bytes)); }
  onData(cb: (b: Uint8Array) => void): void { this.inner.onData((b) => cb(this.damage(b))); }
  onClose(cb: (why: string) => void): void { this.inner.onClose(cb); }
  close(): Promise<void> { return this.inner.close(); }
}
