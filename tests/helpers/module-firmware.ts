// The module behind its firmware interface, as the pump drives it: one
// request frame into the rx buffer, its one reply out of the tx buffer. For
// the codec tests, which check every encoder and decoder against the module.
import { expect } from "vitest";
import { instantiate, type EngineExports } from "../../host/boards/engine.js";
import { decodeFrame, encodeFrame, type Frame } from "../../host/protocol/frame.js";

export class ModuleFirmware {
  readonly e: EngineExports = instantiate();
  private seq = 1;
  constructor(bootId: number) { this.e.boot(bootId, 0); }

  ask(type: number, payload: Uint8Array): Frame {
    const e = this.e;
    const wire = encodeFrame({ type, seq: this.seq++, payload });
    const bytes = new Uint8Array(wire.length + 1); // and the 0x00 delimiter
    bytes.set(wire);
    new Uint8Array(e.memory.buffer, e.rx_buffer(), bytes.length).set(bytes);
    const n = e.rx(bytes.length);
    expect(n).toBeGreaterThan(0);
    const out = new Uint8Array(e.memory.buffer, e.tx_buffer(), n).slice();
    expect(e.rx(0)).toBe(0); // one reply per request, nothing after it
    const f = decodeFrame(out.subarray(0, out.length - 1));
    if (!f) throw new Error("the module's reply did not decode");
    return f;
  }
}
