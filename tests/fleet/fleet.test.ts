// The fleet (issue 24) through real MQTT brokers: the embedded aedes broker
// and a real Mosquitto started by the test on a free loopback port. Clients
// are simulated boards (the simulated firmware behind the byte protocol);
// `sim` runs on the in-process engine, which must give the same bits.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { parseArgs } from "../../host/cli/args";
import { FLEET_SIM_OPTIONS, fleetSimSpecOf } from "../../host/cli/fleet-options";
import { expectedModel, runFleetOn, runFleetSim, type SimulatedClient } from "../../host/fleet/simulation";
import { encodeMessage, helloMessage, Kind, decodeMessage } from "../../host/fleet/messages";
import { fleetTopics } from "../../host/fleet/topics";
import { startEmbeddedBroker, type EmbeddedBroker } from "../../host/fleet/broker";
import { simInProcess } from "../helpers/inprocess";
import { rmDir, tmpDir } from "../helpers/paths";
import path from "node:path";
import { OPTIMIZER_CHOICES } from "../../host/model/optimizer-choices";
import { startMosquitto, mosquittoMissing, type Mosquitto } from "./mosquitto";

const bits = (w: Float32Array) => Buffer.from(w.buffer, w.byteOffset, w.byteLength).toString("hex");

let fleetNo = 0;
/** A fleet sim spec from its flags, on `url`, under a fleet name of its own (retained hellos of other tests stay out). */
function spec(argv: string[], url: string, log: string[] = []) {
  const a = parseArgs([...argv, "--broker", url, "--fleet", `t${process.pid}-${fleetNo++}`, "--no-centralized"], FLEET_SIM_OPTIONS, "fleet sim");
  return fleetSimSpecOf(a, (line) => log.push(line));
}

const brokers: { name: string; url: () => string; skip: boolean }[] = [];
let aedes: EmbeddedBroker;
let mosquitto: Mosquitto | null = null;
brokers.push({ name: "aedes", url: () => aedes.url, skip: false });
brokers.push({ name: "mosquitto", url: () => mosquitto?.url ?? "", skip: mosquittoMissing });

beforeAll(async () => {
  aedes = await startEmbeddedBroker();
  if (!mosquittoMissing) mosquitto = await startMosquitto();
});
afterAll(async () => {
  await aedes?.close();
  await mosquitto?.stop();
});

/** Two honest clients, "a" and "b", each with half of the 150 iris rows. */
function twoHalves(data: SimulatedClient["data"]): SimulatedClient[] {
  const half = (from: number, to: number): SimulatedClient["data"] => ({
    ...data, rows: to - from, x: data.x.slice(from * data.nIn, to * data.nIn), t: data.t.slice(from * data.nT, to * data.nT),
  });
  return [{ id: "a", data: half(0, 75) }, { id: "b", data: half(75, 150) }];
}

const IRIS = ["--dataset", "iris", "--opt", "adam", "--lr", "0.01", "--batch", "16"];

for (const b of brokers) {
  describe.skipIf(b.skip)(`fleet through ${b.name}`, () => {
    for (const resident of [false, true]) {
      it(`one client, one local epoch, all the rows: round 1 equals sim's epoch 1 bit for bit${resident ? " (resident rows)" : ""}`, async () => {
        const extra = resident ? ["--resident"] : [];
        const sim = await simInProcess([...IRIS, ...extra, "--epochs", "1"]);
        const s = spec([...IRIS, ...extra, "--clients", "1", "--rounds", "1"], b.url());
        const fleet = await runFleetSim(s);
        expect(fleet.history[0]?.answered).toBe(1);
        expect(bits(fleet.weights)).toBe(bits(sim.outcome.weights));
      });
    }

    it("a client sending NaN weights, a wrong shape, a replayed old round: dropped and logged, the round completes, the model is the honest clients'", async () => {
      const log: string[] = [];
      const s = spec([...IRIS, "--clients", "2", "--rounds", "3", "--round-timeout", "1"], b.url(), log);
      const honest = twoHalves(s.prepared.data);
      const clean = await runFleetOn({ ...s, fleet: { ...s.fleet, fleet: s.fleet.fleet + "-clean" } }, honest);

      // The hostile client: a raw MQTT connection that says hello and answers every round with something bad.
      const topics = fleetTopics(s.fleet.fleet);
      const evil = await mqtt.connectAsync(b.url(), { clientId: "evil" });
      const sent: string[] = [];
      await evil.subscribeAsync(topics.round("evil"), { qos: 1 });
      const model = expectedModel(s.prepared.settings);
      evil.on("message", (_t, payload) => {
        const round = decodeMessage(new Uint8Array(payload), model).round;
        const base = { kind: Kind.UPDATE, modelVersion: model.modelVersion, round, lr: 0, examples: 1000, sizes: [...model.sizes] };
        const n = model.weightCount;
        const bad = round === 1 ? { ...base, weights: new Float32Array(n).fill(NaN) }
          : round === 2 ? { ...base, sizes: model.sizes.map((v, i) => (i === 1 ? v - 1 : v)), weights: new Float32Array(n) }
            : { ...base, round: round - 1, weights: new Float32Array(n) };
        sent.push(round === 1 ? "nan" : round === 2 ? "shape" : "replay");
        void evil.publishAsync(topics.update("evil"), Buffer.from(encodeMessage(bad)), { qos: 1 });
      });
      await evil.publishAsync(topics.hello("evil"), Buffer.from(encodeMessage(helloMessage(1000))), { qos: 1, retain: true });
      try {
        const attacked = await runFleetOn(s, honest);
        expect(sent).toEqual(["nan", "shape", "replay"]);
        expect(attacked.history.map((r) => [r.sampled, r.answered, r.dropped])).toEqual([[3, 2, 1], [3, 2, 1], [3, 2, 1]]);
        expect(attacked.weights.every(Number.isFinite)).toBe(true);
        expect(bits(attacked.weights)).toBe(bits(clean.weights));
        expect(log.join("\n")).toMatch(/round 1: dropped an update of evil: weight 0 is NaN/);
        expect(log.join("\n")).toMatch(/round 2: dropped an update of evil: shape 4,\d+,3, the fleet's model is 4,\d+,3/);
        expect(log.join("\n")).toMatch(/round 3: dropped an update of evil: an update for round 2, the round is 3/);
      } finally {
        await evil.publishAsync(topics.hello("evil"), Buffer.alloc(0), { qos: 1, retain: true });
        await evil.endAsync();
      }
    }, 60_000);

    it("a client killed mid-round: the round completes without it, its will clears its hello, the next round does not sample it", async () => {
      const log: string[] = [];
      const s = spec([...IRIS, "--rounds", "2", "--round-timeout", "1"], b.url(), log);
      const honest = twoHalves(s.prepared.data);
      const clean = await runFleetOn({ ...s, fleet: { ...s.fleet, fleet: s.fleet.fleet + "-clean" } }, honest);
      const topics = fleetTopics(s.fleet.fleet);
      const doomed = await mqtt.connectAsync(b.url(), {
        clientId: "doomed", will: { topic: topics.hello("doomed"), payload: Buffer.alloc(0), qos: 1, retain: true },
      });
      await doomed.subscribeAsync(topics.round("doomed"), { qos: 1 });
      let killed = false;
      doomed.on("message", () => { killed = true; doomed.stream.destroy(); }); // dies mid-round: no DISCONNECT, the broker sends its will
      await doomed.publishAsync(topics.hello("doomed"), Buffer.from(encodeMessage(helloMessage(75))), { qos: 1, retain: true });
      try {
        const r = await runFleetOn(s, honest);
        expect(killed).toBe(true);
        expect(r.history.map((h) => [h.sampled, h.answered, h.dropped])).toEqual([[3, 2, 1], [2, 2, 0]]);
        expect(bits(r.weights)).toBe(bits(clean.weights));
      } finally {
        doomed.end(true);
      }
    }, 60_000);
  });
}

describe("fleet through aedes: aggregation", () => {
  it("N identical clients give one client's model, bit for bit", async () => {
    const s = spec([...IRIS, "--rounds", "2"], aedes.url);
    const one = await runFleetOn(s, [{ id: "solo", data: s.prepared.data }]);
    const three = await runFleetOn({ ...s, fleet: { ...s.fleet, fleet: s.fleet.fleet + "-3" } },
      ["x", "y", "z"].map((id) => ({ id, data: s.prepared.data })));
    expect(three.history.map((r) => r.answered)).toEqual([3, 3]);
    expect(bits(three.weights)).toBe(bits(one.weights));
  });

  it("the same fleet run twice gives the same bits (Dirichlet shards, half the clients sampled)", async () => {
    const argv = [...IRIS, "--clients", "6", "--split", "dirichlet:0.5", "--fraction", "0.5", "--rounds", "4"];
    const first = await runFleetSim(spec(argv, aedes.url));
    const second = await runFleetSim(spec(argv, aedes.url));
    expect(first.history.map((r) => r.sampled)).toEqual([3, 3, 3, 3]);
    expect(bits(second.weights)).toBe(bits(first.weights));
    expect(first.weights.every(Number.isFinite)).toBe(true);
  });

  it("--compress f16: the weights travel in half the bytes, the model stays near the f32 run's", async () => {
    const argv = [...IRIS, "--clients", "3", "--rounds", "3"];
    const f32 = await runFleetSim(spec(argv, aedes.url));
    const f16 = await runFleetSim(spec([...argv, "--compress", "f16"], aedes.url));
    const perClient = (r: typeof f32) => (r.history[0]?.bytes_sent ?? 0) / 3;
    // 4,16,3: 131 weights; a message is 32 + 12 header and sizes + 4 CRC bytes besides them.
    expect(perClient(f32)).toBe(48 + 4 * 131);
    expect(perClient(f16)).toBe(48 + 2 * 131);
    expect(f16.history[0]?.bytes_received).toBe(3 * (48 + 2 * 131));
    expect(f16.weights.every(Number.isFinite)).toBe(true);
    const maxDiff = f16.weights.reduce((m, w, i) => Math.max(m, Math.abs(w - (f32.weights[i] ?? 0))), 0);
    expect(maxDiff).toBeGreaterThan(0);
    expect(maxDiff).toBeLessThan(0.05);
  });

  // Every optimizer: each round starts from a fresh optimizer on every client (client.ts), so the rounds after a
  // resume train exactly as the uninterrupted run's did (before: Adam's moments lived on from round to round).
  for (const opt of OPTIMIZER_CHOICES) {
    it(`a coordinator stopped after round 2 and resumed from its --checkpoint gives the uninterrupted run's model (${opt})`, async () => {
      const dir = tmpDir("edgeprop-fleet-ck-");
      try {
        const ck = path.join(dir, "fleet.json");
        const argv = ["--dataset", "iris", "--opt", opt, "--lr", "0.01", "--batch", "16", "--clients", "3", "--local-epochs", "2"];
        const whole = await runFleetSim(spec([...argv, "--rounds", "4"], aedes.url));
        const first = await runFleetSim(spec([...argv, "--rounds", "2", "--checkpoint", ck], aedes.url));
        expect(first.history.map((r) => r.round)).toEqual([1, 2]);
        const rest = await runFleetSim(spec([...argv, "--rounds", "4", "--resume", ck], aedes.url));
        expect(rest.history.map((r) => r.round)).toEqual([3, 4]);
        expect(bits(rest.weights)).toBe(bits(whole.weights));
        expect(bits(first.weights)).not.toBe(bits(whole.weights));
      } finally {
        rmDir(dir);
      }
    });
  }
});
