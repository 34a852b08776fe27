// A client whose connection dies mid-round and comes back joins the round in
// progress (issue 24): the broker (aedes, started here so the test can cut a
// connection from the broker's side, as a network drop would) withholds
// client b's ROUND of round 2 and destroys b's socket instead. b's will
// clears its HELLO; MQTT.js reconnects, b says hello again, the coordinator
// sends it the round again, and the round completes with both clients: the
// model is the uninterrupted fleet's, bit for bit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import net from "node:net";
import { Aedes } from "aedes";
import { parseArgs } from "../../host/cli/args";
import { FLEET_SIM_OPTIONS, fleetSimSpecOf } from "../../host/cli/fleet-options";
import { runFleetOn, type SimulatedClient } from "../../host/fleet/simulation";
import { fleetTopics } from "../../host/fleet/topics";

const bits = (w: Float32Array) => Buffer.from(w.buffer, w.byteOffset, w.byteLength).toString("hex");

let broker: Aedes;
let server: net.Server;
let url = "";
/** Set by a test: which delivery to cut (the client's id and the topic), and what happened. */
let cut: { id: string; topic: string; done: boolean } | null = null;

beforeAll(async () => {
  broker = await Aedes.createBroker();
  broker.authorizeForward = (client, packet) => {
    if (cut && !cut.done && client.id === cut.id && packet.topic === cut.topic) {
      cut.done = true;
      client.conn.destroy(); // no DISCONNECT: the broker publishes the client's will
      return null;
    }
    return packet;
  };
  server = net.createServer(broker.handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const a = server.address();
  url = `mqtt://127.0.0.1:${typeof a === "object" && a ? a.port : 0}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => broker.close(() => resolve()));
});

function halves(data: SimulatedClient["data"]): SimulatedClient[] {
  const half = (from: number, to: number): SimulatedClient["data"] => ({
    ...data, rows: to - from, x: data.x.slice(from * data.nIn, to * data.nIn), t: data.t.slice(from * data.nT, to * data.nT),
  });
  return [{ id: "a", data: half(0, 75) }, { id: "b", data: half(75, 150) }];
}

describe("a client that reconnects", () => {
  it("joins the round in progress: the round completes with it, the model is the uninterrupted fleet's", async () => {
    const argv = ["--dataset", "iris", "--opt", "adam", "--lr", "0.01", "--batch", "16", "--rounds", "3", "--round-timeout", "20", "--no-centralized", "--broker", url];
    const spec = (fleet: string, log: string[]) => fleetSimSpecOf(parseArgs([...argv, "--fleet", fleet], FLEET_SIM_OPTIONS, "fleet sim"), (l) => log.push(l));
    const s0 = spec(`clean${process.pid}`, []);
    const clean = await runFleetOn(s0, halves(s0.prepared.data));

    const log: string[] = [];
    const s = spec(`cut${process.pid}`, log);
    // Round 1 goes through; the cut waits for round 2's ROUND to b.
    const armed = { id: "b", topic: fleetTopics(s.fleet.fleet).round("b"), done: false };
    const r = await runFleetOn(s, halves(s.prepared.data), (h) => { if (h.round === 1) cut = armed; });
    cut = null;
    expect(armed.done).toBe(true);
    expect(log.join("\n")).toMatch(/client b: reconnected to the broker/);
    expect(log.join("\n")).toMatch(/round 2: b is back; the round is sent to it again/);
    expect(r.history.map((h) => [h.round, h.sampled, h.answered, h.dropped])).toEqual([[1, 2, 2, 0], [2, 2, 2, 0], [3, 2, 2, 0]]);
    // Without b back, round 2 would have waited out its 20 s and closed with a alone (answered 1, dropped 1).
    expect(bits(r.weights)).toBe(bits(clean.weights));
  }, 60_000);
});
