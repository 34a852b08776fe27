// A board that restarts during resident training (while the rows are uploaded,
// while it trains from its store, while the host pulls the epoch's snapshot)
// is recovered like one that restarts while streaming: the host reconfigures
// it, fills its store again, restores the last snapshot and replays the epoch,
// and the run ends with the uninterrupted run's bits.
import { describe, expect, it } from "vitest";
import { ProtocolBoard } from "../../host/protocol/protocol-board";
import { SimulatedFirmware } from "../../host/boards/simulated-firmware";
import { Type } from "../../host/protocol/frame";
import { goldenCases } from "../helpers/golden";
import { FrameTap } from "./frame-tap";
import { prepareCase, resident } from "./runs";

const c = goldenCases().find((k) => k.name === "momentum-spiral-ce")!;
const bits = (w: Float32Array) => Buffer.from(w.buffer, w.byteOffset, w.byteLength).toString("hex");

describe("a board restarted during resident training", () => {
  it("at STORE, TRAIN_STORE and snapshot frames: the run equals the uninterrupted one", async () => {
    const ref = await resident(new ProtocolBoard(new SimulatedFirmware()), prepareCase(c), true);
    // Where each kind of frame first appears in a clean run.
    const firstOf = new Map<number, number>();
    const types: number[] = [];
    const probe = new ProtocolBoard(new FrameTap(new SimulatedFirmware(), (f, n) => { types.push(f.type); if (!firstOf.has(f.type)) firstOf.set(f.type, n); }));
    await resident(probe, prepareCase(c), true);
    const total = types.length;
    const at = [firstOf.get(Type.STORE)!, firstOf.get(Type.TRAIN_STORE)!, firstOf.get(Type.TRAIN_STORE)! + 1,
      Math.round(total / 2), types.lastIndexOf(Type.TRAIN_STORE) + 1, types.lastIndexOf(Type.GET_WEIGHTS) + 1];
    expect(types.filter((t) => t === Type.STORE).length).toBeGreaterThan(1); // the upload takes several frames
    for (const n of at) {
      const sim = new SimulatedFirmware();
      const board = new ProtocolBoard(new FrameTap(sim, (_, k) => { if (k === n) sim.restart(); }), { timeoutMs: 50 });
      const run = await resident(board, prepareCase(c), true);
      expect(sim.boots, `restart at frame ${n} (${types[n - 1]})`).toBe(2);
      expect(board.recoveries).toBe(1);
      expect(bits(run.weights), `restart at frame ${n}`).toBe(bits(ref.weights));
      expect(run.losses).toEqual(ref.losses);
    }
  }, 120_000);
});
