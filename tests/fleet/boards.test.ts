// Boards other than the simulated one in a fleet (issue 24): `fleet join
// --port PATH --board esp32` on the real POSIX pump (the firmware's pump and
// engine, compiled by wasm2c for this PC) behind a real pseudo-terminal, in
// the same fleet as a simulated client; the global model equals the fleet of
// two simulated clients bit for bit (the firmware computes V8's bits).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { runCliAsync } from "../helpers/cli";
import { makeIris, datasetCsv } from "../../host/data/datasets";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../host/fleet/broker";
import { haveSocat, startPtyBoard } from "../../host/transports/pty";
import { pumpForThisFile } from "../hostile/runs";

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const CAN = has("wasm2c") && has("gcc") && has("make") && haveSocat();

const run = (args: string[]) => runCliAsync(args, 90_000);

const MODEL = ["--layers", "4,16,3", "--loss", "ce", "--opt", "adam", "--lr", "0.01"];

describe.skipIf(!CAN)("fleet join --port: a real serial board in a fleet", () => {
  const bench = pumpForThisFile("edgeprop-fleet-port-");
  let broker: EmbeddedBroker;
  beforeAll(async () => {
    broker = await startEmbeddedBroker();
  });
  afterAll(async () => { await broker?.close(); });

  /** `fleet serve` and two `fleet join`s: client a with `aBoard`'s flags, b simulated; the saved global model's weights. */
  async function fleet(name: string, aBoard: string[]): Promise<{ weights: number[]; joinA: string }> {
    const dir = bench.work;
    const csv = datasetCsv(makeIris()).split("\n");
    const header = csv[0] ?? "", rows = csv.slice(1).filter((l) => l !== "");
    writeFileSync(path.join(dir, "a.csv"), [header, ...rows.filter((_, i) => i % 2 === 0)].join("\n") + "\n");
    writeFileSync(path.join(dir, "b.csv"), [header, ...rows.filter((_, i) => i % 2 === 1)].join("\n") + "\n");
    const save = path.join(dir, `${name}.json`);
    const common = ["--broker", broker.url, "--fleet", name];
    const [s, a, b] = await Promise.all([
      run(["fleet", "serve", ...common, ...MODEL, "--rounds", "2", "--min-clients", "2", "--save", save, "--json", "--round-timeout", "30", "--join-timeout", "30"]),
      run(["fleet", "join", ...common, "--id", "a", "--data", path.join(dir, "a.csv"), ...MODEL, "--batch", "16", "--max-rounds", "2", ...aBoard]),
      run(["fleet", "join", ...common, "--id", "b", "--data", path.join(dir, "b.csv"), ...MODEL, "--batch", "16", "--max-rounds", "2", "--board", "esp32"]),
    ]);
    for (const r of [s, a, b]) {
      expect(r?.stderr).toBe("");
      expect(r?.code).toBe(0);
    }
    const rounds = (s?.stdout ?? "").trim().split("\n").map((l) => JSON.parse(l) as { sampled: number; answered: number });
    expect(rounds.map((r) => [r.sampled, r.answered])).toEqual([[2, 2], [2, 2]]);
    const saved = JSON.parse(readFileSync(save, "utf8")) as { layers: { weight: number[][]; bias: number[] }[] };
    return { weights: saved.layers.flatMap((l) => [...l.weight.flat(), ...l.bias]), joinA: a?.stdout ?? "" };
  }

  it("trains with a simulated client and gives the all-simulated fleet's model bit for bit", async () => {
    const pty = await startPtyBoard([bench.pump]);
    try {
      const real = await fleet("port", ["--port", pty.path, "--board", "esp32"]);
      expect(real.joinA).toContain(`a joined with 75 rows on`);
      expect(real.joinA).toContain(pty.path);
      const simulated = await fleet("sim", ["--board", "esp32"]);
      expect(real.weights).toEqual(simulated.weights);
    } finally {
      await pty.stop();
    }
  }, 180_000);

  it("refuses --port with a simulated board's flag, exit 2", async () => {
    const r = await run(["fleet", "join", "--broker", broker.url, "--id", "x", "--dataset", "iris", "--port", "/dev/null", "--emulate", "esp32-c3"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--port \/dev\/null is a real board's serial line: it takes no --emulate/);
  });
});
