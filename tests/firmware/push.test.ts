// edgeprop push MODEL.json --port PATH against a simulated board behind a
// real pty (socat; `edgeprop board --stdio`, the module's own protocol):
// what it pushes is what `pull` reads back (the weights, the input
// statistics of a normalising model, the optimizer the flags give); what
// the flags leave open keeps the board's present model's (its sample store,
// its chunk); a model the board cannot hold is refused by the board with its
// numbers (exit 2); bad input is refused before the port is opened (exit 2).
// The training API's side (a sketch that takes a pushed model over and
// fine-tunes it) is tests/emulated/on-device-learning.test.ts.
import { afterAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { cliPath, rmDir, tmpDir } from "../helpers/paths";
import { runCli } from "../helpers/cli";
import { readModel, writeModel } from "../../host/model/model-file";
import { decodeShape } from "../../host/protocol/config-block";
import { ProtocolBoard } from "../../host/protocol/protocol-board";
import { SerialLink } from "../../host/transports/serial-link";
import { haveSocat, startPtyBoard, type PtyBoard } from "../../host/transports/pty";
import { paramCount } from "../../host/model/config";

const work = tmpDir("edgeprop-push-");
afterAll(() => rmDir(work));

/** The block the board behind `port` holds (read as a host would). */
async function boardBlock(port: string): Promise<Uint8Array> {
  const board = new ProtocolBoard(await SerialLink.open(port, 115200, 0));
  try {
    await board.hello();
    return await board.getConfigBlock();
  } finally {
    await board.close();
  }
}

/** A small normalising model trained by the CLI (raw features of different scales). */
function trainedModel(): string {
  const csv = path.join(work, "raw.csv"), out = path.join(work, "raw.json");
  const rows = Array.from({ length: 40 }, (_, i) => [i * 25, (i % 7) / 10, i % 2]);
  writeFileSync(csv, "a,b,y\n" + rows.map((r) => r.join(",")).join("\n") + "\n");
  const r = runCli(["sim", "--data", csv, "--layers", "2,6,1", "--act", "tanh", "--loss", "bce", "--normalize", "--epochs", "3", "--quiet", "--save", out]);
  expect(r.code, r.stderr).toBe(0);
  return out;
}

describe.skipIf(!haveSocat())("edgeprop push", () => {
  it("puts the model on the board (weights, statistics, the flags' optimizer) and keeps the board's store and chunk", async () => {
    const model = trainedModel();
    let pty: PtyBoard | null = null;
    try {
      pty = await startPtyBoard([process.execPath, cliPath, "board", "--stdio"]);
      // A board with no model: nothing kept, no store.
      const first = runCli(["push", model, "--port", pty.path, "--opt", "rmsprop", "--lr", "0.003", "--store-rows", "20", "--chunk", "5"]);
      expect(first.stderr).toBe("");
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/^push: 2-6-1 bce, 25 parameters, rmsprop lr 0\.003, sample store 20 rows to \S+ \(build [0-9a-f]{8}, boot [0-9a-f]{8}\): plan \d+ of \d+ bytes\n$/);
      const shape = decodeShape(await boardBlock(pty.path));
      expect(shape).toMatchObject({ sizes: [2, 6, 1], loss: "bce", chunk: 5, storeRows: 20, normalizeInputs: true });
      const out = path.join(work, "pulled.json");
      const pulled = runCli(["pull", "--port", pty.path, "--save", out]);
      expect(pulled.code, pulled.stderr).toBe(0);
      const want = readModel(model), got = readModel(out);
      expect(Array.from(got.weights)).toEqual(Array.from(want.weights));
      expect(got.normalization).toEqual(want.normalization);
      // Pushed again without --store-rows and --chunk: the board's are kept.
      const second = runCli(["push", model, "--port", pty.path, "--opt", "adam"]);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/, adam lr 0\.001, sample store 20 rows .*; kept the board's sample store 20 rows, chunk 5\n$/);
      expect(decodeShape(await boardBlock(pty.path))).toMatchObject({ chunk: 5, storeRows: 20 });
    } finally {
      await pty?.stop();
    }
  }, 120_000);

  it("is refused by the board, with its numbers, when the model does not fit its memory (exit 2)", async () => {
    const sizes = [4, 128, 128, 3];
    const big = path.join(work, "big.json");
    writeModel(big, { sizes, activations: ["relu", "relu", "identity"], loss: "ce" }, new Float32Array(paramCount(sizes)));
    let pty: PtyBoard | null = null;
    try {
      pty = await startPtyBoard([process.execPath, cliPath, "board", "--stdio", "--board", "esp32-c3"]);
      const r = runCli(["push", big, "--port", pty.path, "--opt", "adam"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/the board refused the model: .*\d+ bytes.*40960/);
    } finally {
      await pty?.stop();
    }
  }, 60_000);

  it("refuses bad input before it opens the port (exit 2)", () => {
    const missing = runCli(["push", path.join(work, "none.json"), "--port", "/nonexistent/tty"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/none\.json/);
    const model = trainedModel();
    const frozen = runCli(["push", model, "--port", "/nonexistent/tty", "--freeze", "2"]);
    expect(frozen.code).toBe(2);
    expect(frozen.stderr).toMatch(/--freeze 2: the model has 2 dense layers/);
    const noPort = runCli(["push", model]);
    expect(noPort.code).toBe(2);
    expect(noPort.stderr).toMatch(/--port PATH is required/);
  });
});
