// The coordinator gets its broker back (issue 24): a real Mosquitto, started
// here, is stopped (SIGTERM) and started again on the same port while round 2
// is in progress. Mosquitto runs without persistence, so the restarted broker
// knows no session, subscription or retained HELLO: every connection
// reconnects (clients and coordinator try every second), the clients say
// HELLO again, and the coordinator resubscribes and sends round 2 again to the
// sampled clients that have not answered. A client answers a ROUND it has
// already trained with the same update (training is deterministic given the
// round's weights, lr and number), so the round's answers survive the restart
// and the model is the uninterrupted fleet's, bit for bit. Away longer than
// --reconnect-timeout, the coordinator gives up (exit 4).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { parseArgs } from "../../host/cli/args";
import { FLEET_SIM_OPTIONS, fleetSimSpecOf } from "../../host/cli/fleet-options";
import { expectedModel, runFleetOn, type SimulatedClient } from "../../host/fleet/simulation";
import { decodeMessage } from "../../host/fleet/messages";
import { fleetTopics } from "../../host/fleet/topics";
import { LinkError } from "../../host/errors";
import { startMosquitto, mosquittoMissing, type Mosquitto } from "./mosquitto";

const bits = (w: Float32Array) => Buffer.from(w.buffer, w.byteOffset, w.byteLength).toString("hex");

let mosquitto: Mosquitto | null = null;
beforeAll(async () => { if (!mosquittoMissing) mosquitto = await startMosquitto(); });
afterAll(async () => { await mosquitto?.stop(); });

function halves(data: SimulatedClient["data"]): SimulatedClient[] {
  const half = (from: number, to: number): SimulatedClient["data"] => ({
    ...data, rows: to - from, x: data.x.slice(from * data.nIn, to * data.nIn), t: data.t.slice(from * data.nT, to * data.nT),
  });
  return [{ id: "a", data: half(0, 75) }, { id: "b", data: half(75, 150) }];
}

// Four local epochs: a client trains long enough for the broker to go down before its round 2 update is out.
const ARGV = ["--dataset", "iris", "--opt", "adam", "--lr", "0.01", "--batch", "16", "--rounds", "3", "--local-epochs", "4", "--round-timeout", "30", "--no-centralized"];

function specOn(url: string, fleet: string, log: string[], extra: string[] = []) {
  return fleetSimSpecOf(parseArgs([...ARGV, ...extra, "--broker", url, "--fleet", fleet], FLEET_SIM_OPTIONS, "fleet sim"), (l) => log.push(l));
}

/**
 * Restarts the broker (down for `downMs`) as soon as round `round`'s ROUND is
 * delivered: a raw connection watching the fleet's round topics, which does
 * not reconnect. Resolves once the broker is back.
 */
async function restartDuring(m: Mosquitto, fleet: string, round: number, downMs: number, model: ReturnType<typeof expectedModel>) {
  const spy = await mqtt.connectAsync(m.url, { clientId: `spy-${fleet}`, reconnectPeriod: 0 });
  spy.on("error", () => {});
  await spy.subscribeAsync(`${fleetTopics(fleet).round("+")}`, { qos: 1 });
  let restarted: Promise<void> | null = null;
  spy.on("message", (_t, payload) => {
    if (restarted || decodeMessage(new Uint8Array(payload), model).round !== round) return;
    restarted = m.restart(downMs);
  });
  return {
    done: async () => { spy.end(true); await restarted; return restarted !== null; },
  };
}

describe.skipIf(mosquittoMissing)("a broker restarted mid-round (real Mosquitto)", () => {
  it("the coordinator reconnects, resubscribes and finishes the round in progress: the model is the uninterrupted fleet's", async () => {
    const m = mosquitto as Mosquitto;
    const s0 = specOn(m.url, `whole${process.pid}`, []);
    const whole = await runFleetOn(s0, halves(s0.prepared.data));

    const log: string[] = [];
    const fleet = `restart${process.pid}`;
    const s = specOn(m.url, fleet, log);
    const restart = await restartDuring(m, fleet, 2, 1500, expectedModel(s.prepared.settings));
    const r = await runFleetOn(s, halves(s.prepared.data));
    expect(await restart.done()).toBe(true);
    const text = log.join("\n");
    expect(text).toMatch(/coordinator: lost the broker; trying again/);
    expect(text).toMatch(/coordinator: reconnected to the broker; round 2 is sent again to the sampled clients that have not answered/);
    expect(text).toMatch(/client a: reconnected to the broker/);
    expect(r.history.map((h) => [h.round, h.sampled, h.answered, h.dropped, h.refused])).toEqual([[1, 2, 2, 0, 0], [2, 2, 2, 0, 0], [3, 2, 2, 0, 0]]);
    expect(text).not.toMatch(/dropped an update/); // a repeated answer, even one late for its round, is no replay
    expect(r.weights.every(Number.isFinite)).toBe(true);
    expect(bits(r.weights)).toBe(bits(whole.weights));
  }, 90_000);

  it("a broker away longer than --reconnect-timeout ends the run with a link failure (exit 4)", async () => {
    const m = mosquitto as Mosquitto;
    const log: string[] = [];
    const fleet = `gone${process.pid}`;
    const s = specOn(m.url, fleet, log, ["--reconnect-timeout", "1"]);
    const restart = await restartDuring(m, fleet, 2, 4000, expectedModel(s.prepared.settings));
    const t0 = performance.now();
    const run = runFleetOn(s, halves(s.prepared.data));
    await expect(run).rejects.toThrow(LinkError);
    await expect(run).rejects.toThrow(/was not back within 1 s/);
    expect(performance.now() - t0).toBeLessThan(20_000); // not the 30 s round timeout
    expect(await restart.done()).toBe(true);
  }, 60_000);
});
