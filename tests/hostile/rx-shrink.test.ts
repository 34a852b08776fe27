// Found by the extreme-session property test: a CONFIGURE that shrinks rx used
// to move the bytes read behind it down from past the new rx - where the new
// tx buffer holds the CONFIGURE reply just sent. The board then read its own
// reply (type 0x82) as a request and answered it with an ERROR.
import { describe, expect, it } from "vitest";
import { encodeFrame } from "../../host/protocol/frame";
import { ModuleBoard, S, T, configBlock, decodeWire } from "../protocol/support";

describe("a CONFIGURE that shrinks rx", () => {
  it("answers once, and reads nothing of its own reply as a request", () => {
    const b = new ModuleBoard();
    expect(b.one(T.HELLO, 1).type).toBe(T.HELLO | T.REPLY);
    // A large rx: 4096 rows of 2 inputs and 2 targets.
    const big = b.one(T.CONFIGURE, 2, configBlock({ sizes: [2, 2], loss: "mse", chunk: 4096 }));
    expect(big.payload[0]).toBe(S.OK);
    // The small CONFIGURE and what follows it arrive in one read, past the new rx.
    const small = encodeFrame({ type: T.CONFIGURE, seq: 3, payload: configBlock({ sizes: [2, 1], loss: "mse", chunk: 1 }) });
    const wire = new Uint8Array(small.length + 600);
    wire.set(small);
    const replies = b.feed(wire).map((w) => decodeWire(w)!);
    expect(replies.map((f) => [f.type, f.seq])).toEqual([[T.CONFIGURE | T.REPLY, 3]]);
    expect(replies[0].payload[0]).toBe(S.OK);
    expect(b.one(T.HELLO, 9).type).toBe(T.HELLO | T.REPLY);
  });

  it("configure() through the direct exports under held bytes leaves rx_capacity() inside rx", () => {
    const b = new ModuleBoard();
    const e = b.e;
    const block = configBlock({ sizes: [2, 2], loss: "mse", chunk: 4096 });
    new Uint8Array(e.memory.buffer, e.config_ptr(), block.length).set(block);
    expect(e.configure()).toBe(S.OK);
    // Most of a big rx filled with a frame that has not ended yet.
    const cap = e.rx_capacity();
    new Uint8Array(e.memory.buffer, e.rx_buffer(), cap - 10).fill(7);
    expect(e.rx(cap - 10)).toBe(0);
    const small = configBlock({ sizes: [2, 1], loss: "mse", chunk: 1 });
    new Uint8Array(e.memory.buffer, e.config_ptr(), small.length).set(small);
    expect(e.configure()).toBe(S.OK);
    const left = e.rx_capacity();
    expect(left).toBeGreaterThanOrEqual(0);
    expect(e.rx_buffer() + left).toBeLessThanOrEqual(e.tx_buffer());
    // A pump that sees a full rx calls rx(0): the unended frame is dropped.
    expect(e.rx(0)).toBe(0);
    expect(e.rx_capacity()).toBeGreaterThan(0);
    // And it still speaks the protocol (after a delimiter ends the dropped frame).
    b.feed(Uint8Array.of(0));
    expect(b.send(T.HELLO, 5).some((f) => f.type === (T.HELLO | T.REPLY))).toBe(true);
  });
});
