// Resident training on the emulated board (the real firmware cross-compiled for
// the ESP32-C3's rv32imc, under QEMU, over its UART's pty): every golden case
// whose rows fit the profile's 40 KiB trains from the board's sample store to
// the bits of streaming it in-process (epochs capped, as the other emulated
// tests do), shuffled on the board too; a case whose rows do not fit is refused
// at CONFIGURE with the numbers, before any row is sent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import path from "node:path";
import { ProtocolBoard } from "../../host/protocol/protocol-board";
import { DirectBoard } from "../../host/boards/in-process";
import { SerialLink } from "../../host/transports/serial-link";
import { computePlan } from "../../host/model/plan";
import { instantiate } from "../../host/boards/engine";
import { BoardError, Status } from "../../host/protocol/status";
import { encodeConfig } from "../../host/protocol/config-block";
import { residentConfig } from "../../host/run/resident-epoch";
import { goldenCases } from "../helpers/golden";
import { rmDir, tmpDir } from "../helpers/paths";
import { MAX_EPOCHS, PROFILE, buildFirmware, profile, startEmulatedBoard, unavailable } from "../emulated/emulated-board";
import { prepareCase, resident, streamed } from "./runs";

const skip = unavailable();
const cases = goldenCases();
const work = tmpDir("edgeprop-resident-emulated-");
const staticBytes = instantiate().static_bytes();
const fits = (c: (typeof cases)[number]) => {
  const p = prepareCase(c);
  return computePlan(residentConfig(p.settings.run, p.data.rows), staticBytes).total_bytes <= profile.memory_limit;
};
let elf = "";
let qemu: Awaited<ReturnType<typeof startEmulatedBoard>> | null = null;
let board: ProtocolBoard | null = null;

beforeAll(async () => {
  if (skip) return;
  elf = buildFirmware({ isa: "rv32imc", engine: "wasm2c", profile: PROFILE, obj: path.join(work, "obj") });
  qemu = await startEmulatedBoard({ elf });
  board = new ProtocolBoard(await SerialLink.open(qemu.path, profile.baud, 0), { timeoutMs: 2000 });
  await board.hello();
}, 600_000);
afterAll(async () => {
  await board?.close().catch(() => {});
  await qemu?.stop();
  rmDir(work);
});

describe.skipIf(!!skip)("resident on the emulated rv32imc board = streamed in-process", () => {
  it("most golden cases fit the profile resident, the 1000-row ones do not", () => {
    expect(cases.filter(fits).length).toBeGreaterThanOrEqual(20);
    expect(fits(cases.find((c) => c.name === "seed-minibatch")!)).toBe(false);
  });

  for (const c of cases) {
    it(`${c.name}`, async () => {
      const p = prepareCase(c, MAX_EPOCHS);
      if (!fits(c)) {
        // Refused at CONFIGURE, with the numbers; then the board still trains what fits.
        const err = await board!.configure(encodeConfig(residentConfig(p.settings.run, p.data.rows))).catch((e) => e);
        expect(err).toBeInstanceOf(BoardError);
        expect(err.status).toBe(Status.TOO_BIG);
        expect(err.message).toContain(String(profile.memory_limit));
        expect(err.message).toContain(`sample store of ${p.data.rows} rows`);
        return;
      }
      for (const shuffle of [false, true]) {
        const got = await resident(board!, p, shuffle);
        const ref = new DirectBoard();
        const want = await streamed(ref, p, shuffle).finally(() => ref.close());
        expect(got.losses, `shuffle ${shuffle}`).toEqual(want.losses);
        expect(Buffer.from(got.weights.buffer).equals(Buffer.from(want.weights.buffer)), `shuffle ${shuffle}`).toBe(true);
      }
    }, 180_000);
  }
});
