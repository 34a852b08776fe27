// --link memory: a simulated board in this process, seen from the host as the
// far end of a byte link. The module sits behind it exactly as on a board:
// bytes in through rx(), replies out of tx, the loop below standing in for the
// firmware's pump (boards/common/pump.c). A ProtocolBoard talks to it like to
// any other transport; line rates are simulated by wrapping it in a
// ThrottledLink.
import type { ByteLink } from "../transports/byte-link.js";
import { instantiate, type EngineExports } from "./engine.js";

export interface SimulatedFirmwareOptions {
  memoryLimit?: number;
  modulePath?: string;
}

export class SimulatedFirmware implements ByteLink {
  readonly description: string;
  readonly baud: number;
  private e!: EngineExports;
  private listeners: ((b: Uint8Array) => void)[] = [];
  private closed = false;
  private inbox: Uint8Array[] = []; // bytes arrived at the board, not yet taken by rx
  /** Board time spent inside rx() (the simulated board's compute), microseconds. */
  busyMicros = 0;
  boots = 0;

  constructor(private readonly o: SimulatedFirmwareOptions = {}) {
    this.baud = 0;
    this.description = "simulated board in memory";
    this.powerOn();
  }

  /** Switches the simulated board off and on: a fresh module, a new boot id. */
  restart(): void {
    this.inbox = [];
    this.powerOn();
  }

  private powerOn(): void {
    this.e = instantiate(this.o.modulePath);
    this.boots++;
    const bootId = (Math.random() * 0x100000000) >>> 0;
    const n = this.e.boot(bootId, this.o.memoryLimit ?? 0);
    this.send(new Uint8Array(this.e.memory.buffer, this.e.tx_buffer(), n).slice());
  }

  write(bytes: Uint8Array): void {
    if (this.closed) return;
    const copy = bytes.slice();
    this.later(() => {
      this.inbox.push(copy);
      this.pump();
    });
  }

  onData(cb: (b: Uint8Array) => void): void { this.listeners.push(cb); }
  onClose(_cb: (why: string) => void): void { /* an in-memory board never goes away by itself */ }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** The firmware's loop: feed what fits, run rx, send replies, repeat. */
  private pump(): void {
    const e = this.e;
    while (this.inbox.length > 0) {
      const chunk = this.inbox[0];
      const room = e.rx_capacity();
      const n = Math.min(room, chunk.length);
      new Uint8Array(e.memory.buffer, e.rx_buffer(), n).set(chunk.subarray(0, n));
      if (n === chunk.length) this.inbox.shift();
      else this.inbox[0] = chunk.subarray(n);
      const t0 = performance.now();
      let reply = e.rx(n);
      while (reply > 0) {
        const us = Math.round((performance.now() - t0) * 1000);
        e.add_busy_time(us);
        this.busyMicros += us;
        this.send(new Uint8Array(e.memory.buffer, e.tx_buffer(), reply).slice());
        reply = e.rx(0);
      }
      if (n === 0 && room === 0) break; // cannot happen: rx always frees or discards
    }
  }

  private send(bytes: Uint8Array): void {
    this.later(() => { for (const cb of this.listeners) cb(bytes); });
  }

  /** Delivery is asynchronous, as on a wire: never inside the caller's write(). */
  private later(fn: () => void): void {
    queueMicrotask(() => { if (!this.closed) fn(); });
  }
}
