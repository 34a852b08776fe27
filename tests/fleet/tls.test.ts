// The broker over TLS (--broker mqtts://, --ca): a real Mosquitto with a TLS
// listener whose self-signed certificate openssl makes here. A fleet trains
// through it trusting that certificate; without --ca the certificate is
// refused (exit 4), as is plain MQTT on the TLS port; a --ca that is not a
// certificate, or goes with mqtt://, is refused before any work (exit 2).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "../../host/cli/args";
import { FLEET_SIM_OPTIONS, fleetSimSpecOf } from "../../host/cli/fleet-options";
import { runFleetSim } from "../../host/fleet/simulation";
import { runCli } from "../helpers/cli";
import { rmDir, tmpDir } from "../helpers/paths";
import { mosquittoMissing, opensslMissing, selfSignedCertificate, startMosquitto, type Mosquitto, type MosquittoTls } from "./mosquitto";

const RUN = ["--dataset", "iris", "--clients", "2", "--rounds", "2", "--no-centralized", "--opt", "adam", "--lr", "0.01"];

describe.skipIf(mosquittoMissing || opensslMissing)("fleet through Mosquitto over TLS", () => {
  let dir = "";
  let tls: MosquittoTls;
  let broker: Mosquitto;
  beforeAll(async () => {
    dir = tmpDir("edgeprop-fleet-tls-");
    tls = selfSignedCertificate(dir);
    broker = await startMosquitto(undefined, tls);
  });
  afterAll(async () => {
    await broker?.stop();
    if (dir) rmDir(dir);
  });

  it("trains with every connection on mqtts:// trusting the broker's certificate (--ca)", async () => {
    expect(broker.url).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const a = parseArgs([...RUN, "--broker", broker.url, "--ca", tls.certfile, "--fleet", "tls"], FLEET_SIM_OPTIONS, "fleet sim");
    const r = await runFleetSim(fleetSimSpecOf(a, () => {}));
    expect(r.history.map((h) => [h.sampled, h.answered])).toEqual([[2, 2], [2, 2]]);
  });

  it("refuses the self-signed certificate without --ca: exit 4", () => {
    const r = runCli(["fleet", "sim", ...RUN, "--broker", broker.url]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/cannot reach the MQTT broker at mqtts:\/\/127\.0\.0\.1:\d+: self[- ]signed certificate/);
  });

  it("plain MQTT on the TLS listener does not connect: exit 4", () => {
    const r = runCli(["fleet", "sim", ...RUN, "--broker", broker.url.replace("mqtts://", "mqtt://")]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/cannot reach the MQTT broker at mqtt:\/\//);
  });

  it("a --ca that is not a certificate, or beside mqtt://: one line, exit 2, before any broker is reached", () => {
    const notPem = path.join(dir, "not.pem");
    writeFileSync(notPem, "hello\n");
    const bad = runCli(["fleet", "sim", ...RUN, "--broker", broker.url, "--ca", notPem]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--ca .*not\.pem: not a PEM certificate/);
    const missing = runCli(["fleet", "sim", ...RUN, "--broker", broker.url, "--ca", path.join(dir, "none.pem")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/none\.pem/);
    const plain = runCli(["fleet", "sim", ...RUN, "--broker", "mqtt://127.0.0.1:1", "--ca", tls.certfile]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/goes with an mqtts:\/\/ --broker/);
  });
});
