// The protocol board's held state serves what the board holds between epochs:
// weights and optimizer state for a checkpoint cost no frames (no second
// read of region 1, no HELLO that would restart the board's sequence).
import { describe, expect, it } from "vitest";
import { ProtocolBoard } from "./protocol-board.js";
import { SimulatedFirmware } from "../boards/simulated-firmware.js";
import { DirectBoard } from "../boards/in-process.js";
import type { ByteLink } from "../transports/byte-link.js";
import type { Board } from "../boards/board.js";
import { encodeConfig } from "./config-block.js";
import { CountingLink, countedBoard } from "../../tests/helpers/counting-link.js";
import { sineRows } from "../../tests/helpers/sine-rows.js";
import { optimizerDefaults, type RunConfig } from "../model/config.js";
import { FrameSplitter } from "./frame-splitter.js";
import { encodeFrame, Type } from "./frame.js";
import { BatchReplyOffset } from "./codec.js";

/**
 * A slow board: every BATCH reply comes `ms` late and says so in its busy
 * counter (the board's own account of its compute), as a board whose chunk
 * takes `ms` to train would.
 */
class SlowBatchLink implements ByteLink {
  private listeners: ((b: Uint8Array) => void)[] = [];
  private extraMicros = 0;
  constructor(private readonly inner: ByteLink, ms: number) {
    const splitter = new FrameSplitter({
      frame: (f) => {
        if (f.type !== (Type.BATCH | Type.REPLY)) { this.emit(encodeFrame(f)); return; }
        this.extraMicros += ms * 1000;
        const p = f.payload.slice();
        const v = new DataView(p.buffer);
        v.setUint32(BatchReplyOffset.BUSY_MICROS, (v.getUint32(BatchReplyOffset.BUSY_MICROS, true) + this.extraMicros) >>> 0, true);
        const bytes = encodeFrame({ ...f, payload: p });
        setTimeout(() => this.emit(bytes), ms);
      },
      text: (line) => this.emit(new TextEncoder().encode(`${line}\r\n\0`)),
    });
    inner.onData((b) => splitter.push(b));
  }
  private emit(b: Uint8Array): void { for (const cb of this.listeners) cb(b); }
  get description() { return "slow board"; }
  get baud() { return 0; }
  write(b: Uint8Array): void { this.inner.write(b); }
  onData(cb: (b: Uint8Array) => void): void { this.listeners.push(cb); }
  onClose(cb: (why: string) => void): void { this.inner.onClose(cb); }
  close(): Promise<void> { return this.inner.close(); }
}

const RUN: RunConfig = {
  sizes: [2, 5, 1], activations: ["tanh", "identity"], loss: "mse",
  optimizer: optimizerDefaults("adam"), clipNorm: 0, init: "pytorch", seed: 3, chunk: 4,
};

async function oneEpoch(board: Board, run: RunConfig = RUN): Promise<void> {
  await board.configure(encodeConfig(run));
  const rows = 12;
  const { x, t } = sineRows(rows);
  await board.train({ x, t, rows, nIn: 2, nT: 1, batch: 6, chunk: 4 });
}

describe("ProtocolBoard snapshot", () => {
  it("after an epoch, the optimizer state and step come from the snapshot: no frame is sent, and they equal the in-process engine's", async () => {
    const { link, board } = countedBoard();
    await oneEpoch(board);
    const before = link.writes;
    const state = await board.getOptimizerState();
    const weights = await board.getWeights();
    expect(link.writes).toBe(before);
    const direct = new DirectBoard();
    await oneEpoch(direct);
    const ref = await direct.getOptimizerState();
    expect(state.step).toBe(ref.step);
    expect(Buffer.from(state.state.buffer).equals(Buffer.from(ref.state.buffer))).toBe(true);
    expect(Buffer.from(weights.buffer).equals(Buffer.from((await direct.getWeights()).buffer))).toBe(true);
    await board.close();
  });

  it("plain SGD has no optimizer state: a checkpoint's read of it answers at once with none (issue 10, item 1)", async () => {
    const board = new ProtocolBoard(new SimulatedFirmware(), { timeoutMs: 50, retries: 2 });
    await oneEpoch(board, { ...RUN, optimizer: optimizerDefaults("sgd") });
    const state = await Promise.race([
      board.getOptimizerState(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("getOptimizerState did not resolve")), 5000)),
    ]);
    expect(state.state.length).toBe(0);
    await board.close();
  });

  it("a board whose chunk takes longer than the minimum timeout: the deadline allows for its reported busy time, so it is not flooded with retransmissions (issue 15)", async () => {
    // 400 ms a chunk against a 150 ms minimum: without the busy time every chunk would be sent again and again.
    const board = new ProtocolBoard(new SlowBatchLink(new SimulatedFirmware(), 400), { timeoutMs: 150, retries: 8 });
    await board.configure(encodeConfig(RUN));
    const rows = 24;
    const { x, t } = sineRows(rows);
    const job = { x, t, rows, nIn: 2, nT: 1, batch: 4, chunk: 4 };
    // The first window goes out before any busy time was reported: it may time out once.
    await board.train(job);
    expect(board.pipe.busyMsPerRequest).toBeGreaterThanOrEqual(350);
    const before = board.pipe.retransmits;
    for (let e = 0; e < 2; e++) await board.train(job);
    expect(board.pipe.retransmits - before).toBe(0);
    await board.close();
  });

  it("a plain-SGD board that restarts mid-epoch is restored (no optimizer state to write) and ends on the in-process weights (issue 10, item 1)", async () => {
    const sgd: RunConfig = { ...RUN, optimizer: optimizerDefaults("sgd") };
    const sim = new SimulatedFirmware();
    let frames = 0;
    // Switch the board off and on at the second BATCH (the third frame over 40 bytes, after CONFIGURE): the rest of the epoch meets a fresh module.
    const link: ByteLink = new (class extends CountingLink {
      write(b: Uint8Array): void {
        if (b.length > 40 && ++frames === 3) sim.restart();
        super.write(b);
      }
    })(sim);
    const board = new ProtocolBoard(link, { timeoutMs: 2_000, retries: 4 });
    const run = async (b: Board) => { await oneEpoch(b, sgd); return Buffer.from((await b.getWeights()).buffer).toString("hex"); };
    const viaLink = await Promise.race([
      run(board),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the restore did not finish")), 20_000)),
    ]);
    expect(sim.boots).toBe(2);
    expect(board.recoveries).toBe(1);
    expect(viaLink).toBe(await run(new DirectBoard()));
    await board.close();
  });
});
