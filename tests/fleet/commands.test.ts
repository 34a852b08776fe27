// `fleet serve` and `fleet join` as separate processes (the built CLI) through
// a real Mosquitto started here: the coordinator waits for its two clients,
// runs its rounds, saves the global model; each client leaves after its rounds.
// And `fleet sim`'s bad flags: one line, exit 2, before any broker starts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { rmDir, tmpDir } from "../helpers/paths";
import { runCli, runCliAsync } from "../helpers/cli";
import { makeIris, datasetCsv } from "../../host/data/datasets";
import { mosquittoMissing, startMosquitto, type Mosquitto } from "./mosquitto";

const run = (args: string[]) => runCliAsync(args, 60_000);

describe.skipIf(mosquittoMissing)("fleet serve and fleet join as processes", () => {
  let broker: Mosquitto;
  let dir: string;
  beforeAll(async () => {
    broker = await startMosquitto();
    dir = tmpDir("edgeprop-fleet-");
    const csv = datasetCsv(makeIris()).split("\n");
    const header = csv[0] ?? "", rows = csv.slice(1).filter((l) => l !== "");
    writeFileSync(path.join(dir, "a.csv"), [header, ...rows.filter((_, i) => i % 2 === 0)].join("\n") + "\n");
    writeFileSync(path.join(dir, "b.csv"), [header, ...rows.filter((_, i) => i % 2 === 1)].join("\n") + "\n");
    writeFileSync(path.join(dir, "val.csv"), [header, ...rows].join("\n") + "\n");
  });
  afterAll(async () => { await broker?.stop(); rmDir(dir); });

  it("trains two rounds with two clients and saves the global model", async () => {
    const model = ["--layers", "4,16,3", "--loss", "ce", "--opt", "adam", "--lr", "0.01"];
    const common = ["--broker", broker.url, "--fleet", "cmd"];
    const save = path.join(dir, "global.json");
    const serve = run(["fleet", "serve", ...common, ...model, "--rounds", "2", "--min-clients", "2", "--val", path.join(dir, "val.csv"),
      "--save", save, "--report", path.join(dir, "serve.html"), "--json", "--round-timeout", "20", "--join-timeout", "30"]);
    const joins = ["a", "b"].map((id) => run(["fleet", "join", ...common, "--id", `press-${id}`, "--data", path.join(dir, `${id}.csv`), ...model,
      "--resident", "--max-rounds", "2"]));
    const [s, a, b] = await Promise.all([serve, ...joins]);
    expect(s?.stderr).toBe("");
    expect(s?.code).toBe(0);
    const rounds = (s?.stdout ?? "").trim().split("\n").map((l) => JSON.parse(l));
    expect(rounds.map((r) => [r.round, r.sampled, r.answered])).toEqual([[1, 2, 2], [2, 2, 2]]);
    expect(rounds[1].val_accuracy).toBeGreaterThan(0);
    // The coordinator's own cost per round (bench/fleet.mjs reads it): two updates checked and averaged, --val scored.
    for (const r of rounds) {
      expect(r.validate_seconds).toBeGreaterThanOrEqual(0); // microseconds: may round to 0
      expect(r.aggregate_seconds).toBeGreaterThanOrEqual(0);
      expect(r.evaluate_seconds).toBeGreaterThan(0);
      expect(r.heap_mib).toBeGreaterThan(1);
      expect(r.rss_mib).toBeGreaterThan(r.heap_mib);
    }
    expect(a?.code).toBe(0);
    expect(b?.stdout).toMatch(/press-b left after 2 round/);
    const report = readFileSync(path.join(dir, "serve.html"), "utf8");
    expect(report).toContain("<title>edgeprop fleet serve: ");
    expect(report).toContain("<h2>Validation accuracy per round</h2>");
    expect(report.slice(report.indexOf("<h2>Rounds</h2>")).match(/<tr><td>/g)).toHaveLength(2);
    const saved = JSON.parse(readFileSync(save, "utf8"));
    expect(saved.sizes ?? saved.layers).toBeDefined();
  }, 90_000);
});

describe.skipIf(mosquittoMissing)("fleet join and a lost broker", () => {
  it("ends with exit 4 when the broker goes away for longer than --reconnect-timeout", async () => {
    const own = await startMosquitto();
    const dir = tmpDir("edgeprop-fleet-lost-");
    try {
      const csv = datasetCsv(makeIris());
      writeFileSync(path.join(dir, "rows.csv"), csv);
      const join = run(["fleet", "join", "--broker", own.url, "--fleet", "lost", "--id", "c1", "--data", path.join(dir, "rows.csv"),
        "--layers", "4,16,3", "--loss", "ce", "--reconnect-timeout", "2"]);
      // Joined: its retained hello is on the broker.
      const watcher = await mqtt.connectAsync(own.url);
      const hello = new Promise<void>((resolve) => watcher.on("message", (_t, p) => { if (p.length > 0) resolve(); }));
      await watcher.subscribeAsync("edgeprop/lost/hello/c1", { qos: 1 });
      await hello;
      await watcher.endAsync();
      await own.stop();
      const r = await join;
      expect(r.stdout).toMatch(/c1 joined with 150 rows/);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/lost the broker at mqtt:\/\/127\.0\.0\.1:\d+; trying again/);
      expect(r.stderr).toMatch(/closed the connection and was not back within 2 s/);
    } finally {
      rmDir(dir);
    }
  }, 60_000);
});

describe("fleet sim's flags", () => {
  it("refuses a bad --split with one line and exit 2", () => {
    const r = runCli(["fleet", "sim", "--dataset", "iris", "--split", "dirichlet:-1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--split dirichlet:-1: expected iid, dirichlet:ALPHA \(ALPHA > 0, e.g. dirichlet:0.5\) or by:COLUMN/);
  });
  it("refuses a Dirichlet split of a regression", () => {
    const r = runCli(["fleet", "sim", "--dataset", "sine", "--split", "dirichlet:0.5"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs --loss ce or bce/);
  });
});
