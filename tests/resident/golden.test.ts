// Data resident on the board gives the streamed run's bits: for every golden
// case (file order, as --no-shuffle) and for shuffled runs (the order computed
// on the board with the host's seeded shuffle), the weights after the last
// epoch and every epoch's loss equal those of streaming the same rows, on the
// in-process board, the simulated firmware behind a memory link and the POSIX
// board (the firmware's C pump, wasm2c) as a process on stdin/stdout.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import path from "node:path";
import type { Board } from "../../host/boards/board";
import { DirectBoard } from "../../host/boards/in-process";
import { SimulatedFirmware } from "../../host/boards/simulated-firmware";
import { ProtocolBoard } from "../../host/protocol/protocol-board";
import { ProcessLink } from "../../host/transports/process-link";
import { goldenCases } from "../helpers/golden";
import { repoRoot, rmDir, tmpDir } from "../helpers/paths";
import { prepareCase, resident, streamed, type Trained } from "./runs";

const cases = goldenCases();
const SHUFFLED = ["seed-minibatch", "momentum-spiral-ce", "onecycle-per-batch", "partial-last-batch", "adam-xor-bce"];
const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const HAS_WASM2C = has("wasm2c") && has("make") && has("cc");
const work = tmpDir("edgeprop-resident-");
const posixBoard = path.join(work, "edgeprop-board");

beforeAll(() => {
  if (HAS_WASM2C) {
    execFileSync("make", ["-s", "-C", path.join(repoRoot, "boards", "posix"), "ENGINE=wasm2c", `OBJ=${path.join(work, "obj")}`, `BIN=${posixBoard}`], { stdio: "pipe" });
  }
}, 300_000);
afterAll(() => rmDir(work));

const BOARDS: { name: string; open: () => Board; skip?: boolean }[] = [
  { name: "in-process", open: () => new DirectBoard() },
  { name: "simulated firmware (memory link)", open: () => new ProtocolBoard(new SimulatedFirmware()) },
  { name: "POSIX board (wasm2c pump, a process)", open: () => new ProtocolBoard(new ProcessLink(posixBoard, [], "posix board")), skip: !HAS_WASM2C },
];

async function on(open: () => Board, train: (b: Board) => Promise<Trained>): Promise<Trained> {
  const b = open();
  try { return await train(b); } finally { await b.close(); }
}

function expectSameBits(got: Trained, want: Trained): void {
  expect(got.losses).toEqual(want.losses);
  expect(Buffer.from(got.weights.buffer, got.weights.byteOffset, got.weights.byteLength)
    .equals(Buffer.from(want.weights.buffer, want.weights.byteOffset, want.weights.byteLength))).toBe(true);
}

// The reference: each run streamed on the in-process board.
const reference = new Map<string, Trained>();
async function streamedReference(name: string, shuffle: boolean): Promise<Trained> {
  const key = `${name}:${shuffle}`;
  if (!reference.has(key)) {
    const c = cases.find((k) => k.name === name)!;
    reference.set(key, await on(() => new DirectBoard(), (b) => streamed(b, prepareCase(c), shuffle)));
  }
  return reference.get(key)!;
}

for (const board of BOARDS) {
  describe.skipIf(board.skip)(`resident on the ${board.name} = streamed`, () => {
    for (const c of cases) {
      it(`${c.name} (file order)`, async () => {
        const got = await on(board.open, (b) => resident(b, prepareCase(c), false));
        expectSameBits(got, await streamedReference(c.name, false));
      }, 60_000);
    }
    for (const name of SHUFFLED) {
      it(`${name} shuffled on the board`, async () => {
        const c = cases.find((k) => k.name === name)!;
        const got = await on(board.open, (b) => resident(b, prepareCase(c), true));
        const want = await streamedReference(name, true);
        expectSameBits(got, want);
        // Not the file order: the shuffle changed the run.
        expect(got.losses).not.toEqual((await streamedReference(name, false)).losses);
      }, 60_000);
    }
  });
}

describe("the line carries the rows once", () => {
  it("seed-minibatch over the memory link: resident sends a small fraction of the streamed bytes", async () => {
    const c = cases.find((k) => k.name === "seed-minibatch")!;
    const s = await on(() => new ProtocolBoard(new SimulatedFirmware()), (b) => streamed(b, prepareCase(c), true));
    const r = await on(() => new ProtocolBoard(new SimulatedFirmware()), (b) => resident(b, prepareCase(c), true));
    expectSameBits(r, s);
    // 100 epochs of 1000 rows streamed against one upload and 10 small frames an epoch.
    expect(r.bytesSent * 10).toBeLessThan(s.bytesSent);
  }, 60_000);
});
