// edgeprop fleet sim | serve | join: many boards train one model through an
// MQTT broker with federated averaging (docs/fleet.md).
import { commandFlags, type Parsed } from "../cli/args.js";
import { explainNoAnswer, replyOptionsOf, serialLineOf } from "../cli/serial-flags.js";
import { ProtocolBoard } from "../protocol/protocol-board.js";
import { SerialLink } from "../transports/serial-link.js";
import {
  FLEET_JOIN_OPTIONS, FLEET_SERVE_OPTIONS, FLEET_SIM_OPTIONS, requiredBrokerOptionsOf, clientIdOf, fleetServeSpecOf, fleetSettingsOf, fleetSimSpecOf,
} from "../cli/fleet-options.js";
import { runSpecOf } from "../cli/run-options.js";
import { linkOptionsOf } from "../cli/link-flags.js";
import { LinkError, UsageError } from "../errors.js";
import { runFleetSim, clientSettings, expectedModel, initialWeights } from "../fleet/simulation.js";
import { runCoordinator, type RoundMetrics, type RoundReport } from "../fleet/coordinator.js";
import { connectBroker, endConnection } from "../fleet/connection.js";
import { FleetClient } from "../fleet/client.js";
import { fleetTopics } from "../fleet/topics.js";
import { readFleetCheckpoint, writeFleetCheckpoint } from "../fleet/checkpoint.js";
import { evaluatorOn } from "../fleet/evaluation.js";
import { writeFleetReport } from "../fleet/report.js";
import { describeRun } from "../run/describe.js";
import { openSimulatedBoard } from "../boards/open.js";
import { withBoard, type Board } from "../boards/board.js";
import { configureBoard } from "../run/training-run.js";
import { writeModel } from "../model/model-file.js";
import { withInterrupt } from "../run/interrupt.js";

const SUBCOMMANDS = "sim, serve or join";

export async function fleetCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === "sim") return fleetSim(rest);
  if (sub === "serve") return fleetServe(rest);
  if (sub === "join") return fleetJoin(rest);
  if (sub === "--help" || sub === "-h" || sub === undefined) {
    process.stdout.write(`usage: edgeprop fleet sim|serve|join [options]   (edgeprop fleet sim --help for its options)\n` +
      "  sim    a whole fleet on this machine: broker, N simulated clients, coordinator, and centralized training beside it\n" +
      "  serve  the coordinator: samples clients each round, averages their updates (FedAvg)\n" +
      "  join   a client: trains a board on its own rows each round it is sampled\n");
    return sub === undefined ? 2 : 0;
  }
  throw new UsageError(`fleet ${sub.slice(0, 40)}: expected ${SUBCOMMANDS}`);
}

const pct = (v: number | undefined) => (v === undefined ? "   -  " : `${(100 * v).toFixed(1).padStart(5)}%`);
const num = (v: number | undefined) => (v === undefined ? "-" : v.toPrecision(4));

function roundLine(r: RoundReport, rounds: number, c: RoundMetrics | null): string {
  const fed = r.val_accuracy !== undefined ? `accuracy ${pct(r.val_accuracy)}` : `loss ${num(r.val_loss)}`;
  const cen = c ? (c.val_accuracy !== undefined ? `  centralized ${pct(c.val_accuracy)}` : `  centralized loss ${num(c.val_loss)}`) : "";
  return `round ${String(r.round).padStart(String(rounds).length)}/${rounds}  ${fed}${cen}  clients ${r.answered}/${r.sampled}` +
    `${r.refused ? `  refused ${r.refused}` : ""}  bytes ${r.bytes_sent}+${r.bytes_received}`;
}

async function fleetSim(argv: string[]): Promise<number> {
  const a = commandFlags(argv, {
    command: "fleet sim", synopsis: "--data FILE.csv|--dataset NAME --clients N [--split iid|dirichlet:ALPHA|by:COLUMN] [options]", options: FLEET_SIM_OPTIONS,
    more: "\nexample:\n  edgeprop fleet sim --dataset iris --clients 4 --rounds 10 --opt adam --lr 0.01\n",
  });
  if (!a) return 0;
  const json = Boolean(a.json);
  const spec = fleetSimSpecOf(a, (line) => process.stderr.write(`${line}\n`));
  const evaluated = spec.prepared.validation ? "validation rows" : "training rows";
  if (!json) process.stdout.write(`fleet sim: ${spec.clients} clients (${a.split}), ${spec.fleet.rounds} rounds of ${spec.fleet.localEpochs} local epoch(s), scored on the ${evaluated}\n`);
  const rounds: RoundReport[] = [];
  const centralized: RoundMetrics[] = [];
  const intro = `${spec.prepared.data.rows} rows of ${spec.prepared.data.name} dealt to ${spec.clients} clients (${a.split}), ` +
    `${spec.fleet.rounds} rounds of ${spec.fleet.localEpochs} local epoch(s), scored on the ${evaluated}` +
    (spec.dropRate > 0 ? `; each sampled client drops a round with probability ${spec.dropRate}` : "") + ".";
  const result = await runFleetSim({
    ...spec,
    onRound: (r, c) => {
      process.stdout.write(json ? JSON.stringify({ ...r, ...(c ? { centralized: c } : {}) }) + "\n" : roundLine(r, spec.fleet.rounds, c) + "\n");
      rounds.push(r);
      if (c) centralized.push(c);
      if (spec.fleet.report) {
        writeFleetReport(spec.fleet.report, { title: `edgeprop fleet sim: ${describeRun(spec.prepared.settings)}`, intro, rounds, centralized: spec.centralized ? centralized : null });
      }
    },
  });
  const last = result.history[result.history.length - 1];
  const cen = result.centralized?.[result.centralized.length - 1];
  const done = {
    event: "done", rounds: result.history.length, clients: result.shardSizes.length,
    val_loss: last?.val_loss, val_accuracy: last?.val_accuracy, centralized_val_loss: cen?.val_loss, centralized_val_accuracy: cen?.val_accuracy,
    bytes_per_round_per_client: last ? Math.round((last.bytes_sent + last.bytes_received) / Math.max(1, last.sampled)) : 0,
  };
  process.stdout.write(json ? JSON.stringify(done) + "\n"
    : `done: fleet ${last?.val_accuracy !== undefined ? `accuracy ${pct(last.val_accuracy)}` : `loss ${num(last?.val_loss)}`}` +
      (cen ? `, centralized ${cen.val_accuracy !== undefined ? pct(cen.val_accuracy) : num(cen.val_loss)}` : "") +
      `, ${done.bytes_per_round_per_client} bytes per round per client\n`);
  return 0;
}

async function fleetServe(argv: string[]): Promise<number> {
  const a = commandFlags(argv, {
    command: "fleet serve", synopsis: "--broker URL --fleet NAME --layers N,N,... --loss mse|ce|bce [options]", options: FLEET_SERVE_OPTIONS,
  });
  if (!a) return 0;
  const broker = requiredBrokerOptionsOf(a);
  const fleet = fleetSettingsOf(a);
  const { settings, loaded, val, save } = fleetServeSpecOf(a);
  const json = Boolean(a.json);
  const expected = expectedModel(settings);
  const resumed = fleet.resume ? readFleetCheckpoint(fleet.resume, expected.modelVersion, expected.weightCount) : null;
  const initial = resumed?.weights ?? loaded ?? await initialWeights(settings, {});
  const mqtt = await connectBroker(broker, `coordinator-${fleet.fleet}`, undefined, true);
  const history: RoundReport[] = [];
  try {
    const result = await runCoordinator(mqtt, {
      topics: fleetTopics(fleet.fleet), expected, initial, startRound: resumed?.round ?? 0, rounds: fleet.rounds, fraction: fleet.fraction,
      minClients: fleet.minClients, roundTimeoutMs: fleet.roundTimeoutMs, joinTimeoutMs: fleet.joinTimeoutMs, reconnectTimeoutMs: fleet.reconnectTimeoutMs, maxUpdateNorm: fleet.maxUpdateNorm, encoding: fleet.compress,
      seed: settings.run.seed, lrOf: () => settings.run.optimizer.lr, ...(val ? { evaluate: evaluatorOn(settings.run, val) } : {}),
      log: (line) => process.stderr.write(`${line}\n`),
      onRound: (r, weights) => {
        if (fleet.checkpoint) writeFleetCheckpoint(fleet.checkpoint, { modelVersion: expected.modelVersion, round: r.round, weights });
        history.push(r);
        if (fleet.report) {
          writeFleetReport(fleet.report, { title: `edgeprop fleet serve: ${describeRun(settings)}`, centralized: null, rounds: history,
            intro: `Fleet ${fleet.fleet}: ${fleet.rounds} rounds of ${fleet.localEpochs} local epoch(s)${val ? `, scored on ${val.rows} rows of ${val.name}` : ""}.` });
        }
        process.stdout.write(json ? JSON.stringify(r) + "\n" : roundLine(r, fleet.rounds, null) + "\n"); },
    });
    if (save) writeModel(save, settings.run, result.weights, {});
  } finally {
    await endConnection(mqtt);
  }
  return 0;
}

/** `fleet join --port PATH`: a real board (or anything speaking the protocol) on a serial line, its baud from --baud or --board's profile. */
async function openPortBoard(a: Parsed, port: string): Promise<Board> {
  const simulatedOnly = [a.link !== undefined && a.link !== "memory" && "--link", a.engine !== undefined && "--engine", a.emulate !== undefined && "--emulate",
    Number(a["fault-rate"] ?? 0) > 0 && "--fault-rate"].filter((f): f is string => typeof f === "string");
  if (simulatedOnly.length > 0) throw new UsageError(`--port ${port.slice(0, 80)} is a real board's serial line: it takes no ${simulatedOnly.join(", ")}`);
  const line = serialLineOf(a, port);
  const board = new ProtocolBoard(await SerialLink.open(line.port, line.baud), replyOptionsOf(a));
  try {
    await board.hello().catch(explainNoAnswer(line));
  } catch (err) {
    await board.close();
    throw err;
  }
  return board;
}

async function fleetJoin(argv: string[]): Promise<number> {
  const a = commandFlags(argv, {
    command: "fleet join", synopsis: "--broker URL --fleet NAME --id ID --data LOCAL.csv --layers N,N,... --loss mse|ce|bce [--port PATH --board PROFILE | --emulate PROFILE] [options]", options: FLEET_JOIN_OPTIONS,
  });
  if (!a) return 0;
  const broker = requiredBrokerOptionsOf(a);
  const id = clientIdOf(a);
  const fleet = fleetSettingsOf(a);
  const prepared = runSpecOf(a);
  const settings = clientSettings(prepared.settings, prepared.data.rows);
  const maxRounds = a["max-rounds"] !== undefined ? Number(a["max-rounds"]) : Infinity;
  const reconnectTimeoutMs = Number(a["reconnect-timeout"] ?? 60) * 1000;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const board = a.port !== undefined ? await openPortBoard(a, String(a.port)) : await openSimulatedBoard(linkOptionsOf(a));
  await withBoard(board, async (board) => {
    await configureBoard(board, { ...prepared, settings });
    // With a password and no --username a board logs in as its id (docs/fleet.md's ACL).
    const login = broker.password !== undefined && broker.username === undefined ? { ...broker, username: id } : broker;
    const mqtt = await connectBroker(login, id, fleetTopics(fleet.fleet).hello(id), true);
    try {
      const client = new FleetClient(mqtt, {
        id, topics: fleetTopics(fleet.fleet), board, data: prepared.data, settings, localEpochs: fleet.localEpochs, expected: expectedModel(settings), log,
      });
      await client.start();
      process.stdout.write(`fleet ${fleet.fleet}: ${id} joined with ${prepared.data.rows} rows on ${board.description}\n`);
      await withInterrupt(async (ctrlC) => {
        // A lost connection is tried again (the client joins the round in progress when it is back); a broker away
        // longer than --reconnect-timeout ends the client (exit 4) rather than leaving it waiting forever.
        let lostAt: number | null = null;
        while (!ctrlC.stopRequested && client.answered < maxRounds) {
          if (mqtt.connected) lostAt = null;
          else {
            if (lostAt === null) { lostAt = performance.now(); log(`fleet ${fleet.fleet}: ${id} lost the broker at ${broker.url}; trying again`); }
            if (performance.now() - lostAt > reconnectTimeoutMs) {
              throw new LinkError(`the broker at ${broker.url} closed the connection and was not back within ${reconnectTimeoutMs / 1000} s`);
            }
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      });
      await client.stop();
      process.stdout.write(`fleet ${fleet.fleet}: ${id} left after ${client.answered} round(s)\n`);
    } finally {
      await endConnection(mqtt);
    }
  });
  return 0;
}
