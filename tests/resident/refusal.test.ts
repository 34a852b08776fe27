// A data set the board cannot hold is refused before any row goes on the line,
// with the numbers: at CONFIGURE when the plan with its store does not fit the
// board's memory (TOO_BIG: the bytes needed, the limit, the store's share), and
// at the upload when the store configured is smaller than the data set.
import { describe, expect, it } from "vitest";
import type { Board } from "../../host/boards/board";
import { DirectBoard } from "../../host/boards/in-process";
import { SimulatedFirmware } from "../../host/boards/simulated-firmware";
import { ProtocolBoard } from "../../host/protocol/protocol-board";
import { encodeConfig } from "../../host/protocol/config-block";
import { BoardError, Status } from "../../host/protocol/status";
import { UsageError } from "../../host/errors";
import { computePlan } from "../../host/model/plan";
import { instantiate } from "../../host/boards/engine";
import { Type } from "../../host/protocol/frame";
import { residentConfig, residentEpoch, uploadResident } from "../../host/run/resident-epoch";
import { optimizerDefaults, type RunConfig } from "../../host/model/config";
import { FrameTap } from "./frame-tap";

// P1: 10 -> 1, mse, sgd; 1000 rows take 44,000 + 4,000 bytes of store.
const RUN: RunConfig = {
  sizes: [10, 1], activations: ["identity"], loss: "mse", optimizer: optimizerDefaults("sgd"),
  clipNorm: 0, init: "pytorch", seed: 1, chunk: 8,
};
const ROWS = 1000;
const data = { rows: ROWS, nIn: 10, nT: 1, x: new Float32Array(ROWS * 10).fill(0.5), t: new Float32Array(ROWS).fill(1) };
const LIMIT = 32768; // an ESP32-C3-sized board
const staticBytes = instantiate().static_bytes();

async function refusalOf(board: Board, block: Uint8Array): Promise<BoardError> {
  try { await board.configure(block); } catch (err) { return err as BoardError; } finally { await board.close(); }
  throw new Error("configure accepted a plan over the limit");
}

describe("a data set over the store's size", () => {
  const plan = computePlan(residentConfig(RUN, ROWS), staticBytes);

  it("does not fit a 32 KiB board: the host's plan says so before anything is sent", () => {
    expect(plan.store_bytes).toBe(44000 + 4000);
    expect(plan.total_bytes).toBeGreaterThan(LIMIT);
    expect(computePlan(RUN, staticBytes).total_bytes).toBeLessThanOrEqual(LIMIT);
  });

  it("is refused TOO_BIG at configure, with the bytes needed, the limit and the store's share, and no STORE frame sent", async () => {
    let stores = 0;
    const boards: Board[] = [new DirectBoard(undefined, LIMIT),
      new ProtocolBoard(new FrameTap(new SimulatedFirmware({ memoryLimit: LIMIT }), (f) => { if (f.type === Type.STORE) stores++; }))];
    for (const board of boards) {
      const err = await refusalOf(board, encodeConfig(residentConfig(RUN, ROWS)));
      expect(err).toBeInstanceOf(BoardError);
      expect(err.status).toBe(Status.TOO_BIG);
      expect(err.message).toContain(String(plan.total_bytes));
      expect(err.message).toContain(String(LIMIT));
      expect(err.message).toContain(`sample store of ${ROWS} rows takes ${plan.store_bytes}`);
      expect(stores).toBe(0);
    }
  });

  it("is refused by the upload (exit 2) when the store configured holds fewer rows, before any row is sent", async () => {
    let rowsSent = 0;
    const tap = new FrameTap(new SimulatedFirmware(), (f) => { if (f.type === Type.STORE) rowsSent += new DataView(f.payload.buffer, f.payload.byteOffset).getUint16(2, true); });
    const board = new ProtocolBoard(tap);
    try {
      await board.configure(encodeConfig(residentConfig(RUN, 400)));
      const err = await uploadResident(board, data).catch((e) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect(err.message).toMatch(/1000 rows, the board's sample store holds 400/);
      expect(rowsSent).toBe(0);
    } finally {
      await board.close();
    }
  });

  it("a model configured without a store refuses store requests with BAD_RANGE on every board", async () => {
    for (const board of [new DirectBoard(), new ProtocolBoard(new SimulatedFirmware())] as Board[]) {
      try {
        await board.configure(encodeConfig(RUN));
        for (const attempt of [() => uploadResident(board, data), () => residentEpoch(board, { rows: 10, batch: 5, epoch: 0, shuffle: false })]) {
          const err = await attempt().catch((e) => e);
          expect(err).toBeInstanceOf(BoardError);
          expect(err.status).toBe(Status.BAD_RANGE);
          expect(err.message).toMatch(/without a sample store/);
        }
      } finally {
        await board.close();
      }
    }
  });
});
