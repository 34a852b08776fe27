// docs/fleet.md's Mosquitto ACL, exactly as documented (read from the doc),
// on a real Mosquitto started here: a fleet runs through it with each board
// logged in as its id, and a board publishing to another board's topic is
// refused by the broker (the coordinator never sees it), while its own
// topic gets through.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import mqtt from "mqtt";
import { parseArgs } from "../../host/cli/args";
import { FLEET_SIM_OPTIONS, fleetSimSpecOf } from "../../host/cli/fleet-options";
import { expectedModel, runFleetSim } from "../../host/fleet/simulation";
import { encodeMessage, Kind } from "../../host/fleet/messages";
import { fleetTopics } from "../../host/fleet/topics";
import { repoRoot } from "../helpers/paths";
import { mosquittoMissing, startMosquitto, type Mosquitto } from "./mosquitto";

/** The text block under docs/fleet.md's "### The ACL file". */
function documentedAcl(): string {
  const doc = readFileSync(path.join(repoRoot, "docs", "fleet.md"), "utf8");
  const m = /### The ACL file\s+```text\n([\s\S]*?)```/.exec(doc);
  if (!m?.[1]) throw new Error("docs/fleet.md has no ACL block under '### The ACL file'");
  return m[1];
}

const PASSWORD = "fleet-test";
const users = Object.fromEntries(["coordinator", "client-000", "client-001", "mallory"].map((u) => [u, PASSWORD]));

describe.skipIf(mosquittoMissing)("docs/fleet.md's Mosquitto ACL", () => {
  let broker: Mosquitto;
  beforeAll(async () => { broker = await startMosquitto({ users, acl: documentedAcl() }); });
  afterAll(async () => { await broker?.stop(); });

  it("lets a fleet run with each board logged in as its id", async () => {
    const a = parseArgs(["--dataset", "iris", "--clients", "2", "--rounds", "2", "--no-centralized", "--broker", broker.url,
      "--username", "coordinator", "--password", PASSWORD, "--fleet", "acl", "--round-timeout", "5"], FLEET_SIM_OPTIONS, "fleet sim");
    const r = await runFleetSim(fleetSimSpecOf(a, () => {}));
    expect(r.history.map((h) => h.answered)).toEqual([2, 2]);
  });

  it("refuses a board publishing to another board's topic", async () => {
    const topics = fleetTopics("acl2");
    const watcher = await mqtt.connectAsync(broker.url, { username: "coordinator", password: PASSWORD, clientId: "watcher" });
    const seen: string[] = [];
    watcher.on("message", (t) => seen.push(t));
    await watcher.subscribeAsync(topics.allUpdates, { qos: 1 });
    const mallory = await mqtt.connectAsync(broker.url, { username: "mallory", password: PASSWORD, clientId: "mallory" });
    const a = parseArgs(["--dataset", "iris"], FLEET_SIM_OPTIONS, "fleet sim");
    const model = expectedModel(fleetSimSpecOf(a, () => {}).prepared.settings);
    const forged = Buffer.from(encodeMessage({
      kind: Kind.UPDATE, modelVersion: model.modelVersion, round: 1, lr: 0, examples: 10, sizes: [...model.sizes], weights: new Float32Array(model.weightCount),
    }));
    await mallory.publishAsync(topics.update("client-000"), forged, { qos: 1 }); // another board's topic
    await mallory.publishAsync(topics.hello("client-000"), forged, { qos: 1 });
    await mallory.publishAsync(topics.update("mallory"), forged, { qos: 1 }); // its own: allowed
    for (let i = 0; i < 40 && !seen.includes(topics.update("mallory")); i++) await new Promise((r) => setTimeout(r, 50));
    await mallory.endAsync();
    await watcher.endAsync();
    expect(seen).toEqual([topics.update("mallory")]);
  });
});
