// `fleet sim`: a whole fleet in one process. A broker (the embedded aedes one
// unless a URL is given), N clients each with its shard of the rows on a
// board of its own (simulated by default), and the coordinator, all through
// real MQTT connections; beside it, centralized training on the same rows
// with the same settings for rounds x local epochs epochs, evaluated the same
// way, so the cost of federation is visible.
import type { Board } from "../boards/board.js";
import { openSimulatedBoard, type LinkOptions } from "../boards/open.js";
import type { Dataset } from "../data/dataset.js";
import { configureBoard } from "../run/training-run.js";
import type { RunSettings, RunSpec } from "../run/run-spec.js";
import { runSession } from "../run/session.js";
import { startEmbeddedBroker } from "./broker.js";
import { dropsRound, FleetClient } from "./client.js";
import { connectBroker, endConnection, type BrokerOptions } from "./connection.js";
import { runCoordinator, type CoordinatorResult, type RoundMetrics, type RoundReport } from "./coordinator.js";
import { evaluatorOn } from "./evaluation.js";
import { modelVersionOf, type Expected, type WeightEncoding } from "./messages.js";
import { shardRows, shardsByValue, subset, type Split } from "./shards.js";
import { fleetTopics, isTopicName } from "./topics.js";
import { readFleetCheckpoint, writeFleetCheckpoint } from "./checkpoint.js";
import { paramCount } from "../model/config.js";
import { encodeConfig } from "../protocol/config-block.js";
import type { MqttClient } from "mqtt";

/** What a fleet trains and how its rounds go (fleet sim and fleet serve). */
export interface FleetSettings {
  fleet: string;
  rounds: number;
  localEpochs: number;
  fraction: number;
  minClients: number;
  roundTimeoutMs: number;
  joinTimeoutMs: number;
  /** How long the coordinator keeps trying a lost broker again before giving up (--reconnect-timeout). */
  reconnectTimeoutMs: number;
  maxUpdateNorm: number;
  /** How the weights travel: f32, or f16 (--compress f16). */
  compress: WeightEncoding;
  /** --checkpoint FILE: the global model written after every round. */
  checkpoint: string | null;
  /** --resume FILE: continue after the round this checkpoint closed. */
  resume: string | null;
  /** --report FILE.html: the rounds so far, written after every round. */
  report: string | null;
}

export interface FleetSimSpec {
  /** The run's settings and all its rows (runSpecOf). */
  prepared: RunSpec;
  /** Rows the global model is scored on each round: the validation rows, else the training rows. */
  evaluation: Dataset;
  fleet: FleetSettings;
  /** Clients to deal the rows to (by:COLUMN: the column's distinct values). */
  clients: number;
  split: Split;
  /** by:COLUMN: the column's value in each training row (prepared.data's order); null for iid and dirichlet. */
  rowValues: string[] | null;
  dropRate: number;
  /** A broker to use instead of the embedded one. */
  broker: BrokerOptions | null;
  link: LinkOptions;
  /**
   * With link.emulate: how many clients (the first, in id order) run on the
   * emulated board, the others on the simulated one, and the centralized run
   * too (--emulated-clients N); null: every board is link's.
   */
  emulatedClients: number | null;
  /** Skip the centralized run (tests that compare with sim themselves). */
  centralized: boolean;
  onRound?: (r: RoundReport, centralized: RoundMetrics | null) => void;
  log: (line: string) => void;
}

export interface FleetSimResult extends CoordinatorResult {
  /** Centralized training's figures after epoch r x E, one per round. */
  centralized: RoundMetrics[] | null;
  /** Each client's rows (clients with none are left out). */
  shardSizes: number[];
  /** Each client's id, in the order of shardSizes. */
  clientIds: string[];
}

/** The weights a board configured for `run` starts from (the run's seed and init). */
export async function initialWeights(settings: RunSettings, link: LinkOptions): Promise<Float32Array> {
  const board = await openSimulatedBoard(link);
  try {
    await board.configure(encodeConfig({ ...settings.run, storeRows: 0 }));
    return await board.getWeights();
  } finally {
    await board.close();
  }
}

/** The model a message must be for. */
export function expectedModel(settings: RunSettings): Expected {
  return { modelVersion: modelVersionOf(settings.run), sizes: settings.run.sizes, weightCount: paramCount(settings.run.sizes) };
}

/** A client's settings for its own rows: the batch no larger than its rows, a store of exactly its rows when resident. */
export function clientSettings(settings: RunSettings, rows: number): RunSettings {
  const resident = (settings.run.storeRows ?? 0) > 0;
  return { ...settings, batch: Math.min(settings.batch, rows), run: { ...settings.run, storeRows: resident ? rows : 0 } };
}

export async function runFleetSim(s: FleetSimSpec): Promise<FleetSimResult> {
  const { prepared } = s;
  const settings = prepared.settings;
  const evaluate = evaluatorOn(settings.run, s.evaluation);
  const centralized = s.centralized ? await centralizedRun(s, evaluate) : null;
  const shards = shardsOf(s).filter((c) => c.rows.length > 0);
  if (shards.length < s.clients) s.log(`${s.clients - shards.length} of ${s.clients} clients got no rows from the split and are left out`);
  const clients = shards.map((c) => ({ id: c.id, data: subset(prepared.data, c.rows, `${prepared.data.name} (${c.id})`) }));
  const result = await runFleetOn(s, clients, (r) => s.onRound?.(r, centralized?.[r.round - 1] ?? null));
  return { ...result, centralized, shardSizes: shards.map((c) => c.rows.length), clientIds: shards.map((c) => c.id) };
}

/** Each client's id and rows: by:COLUMN one per value (named by it when it can be a client id), else client-000, client-001, ... */
function shardsOf(s: FleetSimSpec): { id: string; rows: number[] }[] {
  const indexed = (i: number) => `client-${String(i).padStart(3, "0")}`;
  if (s.split.kind === "by") {
    const groups = shardsByValue(s.rowValues ?? []);
    const named = groups.every((g) => isTopicName(g.value));
    return groups.map((g, i) => ({ id: named ? g.value : indexed(i), rows: g.rows }));
  }
  const { settings } = s.prepared;
  return shardRows(s.prepared.data, s.clients, s.split, settings.run.seed, settings.run.loss).map((rows, i) => ({ id: indexed(i), rows }));
}

/** One client of a simulated fleet: its id and its rows. */
export interface SimulatedClient {
  id: string;
  data: Dataset;
}

/** The fleet of `clients` (each on a board of its own) and the coordinator, through the spec's broker or an embedded one. */
export async function runFleetOn(s: Omit<FleetSimSpec, "onRound">, members: readonly SimulatedClient[],
  onRound?: (r: RoundReport) => void): Promise<CoordinatorResult> {
  const { prepared, fleet } = s;
  const settings = prepared.settings;
  const topics = fleetTopics(fleet.fleet);
  const expected = expectedModel(settings);
  const embedded = s.broker ? null : await startEmbeddedBroker();
  const brokerOptions: BrokerOptions = s.broker ?? { url: embedded?.url ?? "" };
  const boards: Board[] = [];
  const connections: MqttClient[] = [];
  const clients: FleetClient[] = [];
  try {
    const resumed = fleet.resume ? readFleetCheckpoint(fleet.resume, expected.modelVersion, expected.weightCount) : null;
    const initial = resumed?.weights ?? await initialWeights(settings, linkOf(s, false));
    for (const [i, { id, data }] of members.entries()) {
      const own = clientSettings(settings, data.rows);
      const board = await openSimulatedBoard(linkOf(s, s.emulatedClients === null || i < s.emulatedClients));
      boards.push(board);
      await configureBoard(board, { ...prepared, settings: own, data, loaded: null, resume: undefined });
      // With credentials each client logs in as its own id (docs/fleet.md's ACL: a board writes only its own topics).
      const mqtt = await connectBroker(brokerOptions.password !== undefined ? { ...brokerOptions, username: id } : brokerOptions, id, topics.hello(id), true);
      connections.push(mqtt);
      const client = new FleetClient(mqtt, {
        id, topics, board, data, settings: own, localEpochs: fleet.localEpochs, expected, dropRate: s.dropRate, log: s.log,
      });
      await client.start();
      clients.push(client);
    }
    const coordinator = await connectBroker(brokerOptions, `coordinator-${fleet.fleet}`, undefined, true);
    connections.push(coordinator);
    const result = await runCoordinator(coordinator, {
      topics, expected, initial, rounds: fleet.rounds, fraction: fleet.fraction, minClients: Math.min(fleet.minClients, members.length), waitForClients: members.length,
      roundTimeoutMs: fleet.roundTimeoutMs, joinTimeoutMs: fleet.joinTimeoutMs, reconnectTimeoutMs: fleet.reconnectTimeoutMs, maxUpdateNorm: fleet.maxUpdateNorm, seed: settings.run.seed, encoding: fleet.compress,
      startRound: resumed?.round ?? 0, ...(s.dropRate > 0 ? { silentIn: (id: string, round: number) => dropsRound(id, round, s.dropRate) } : {}),
      lrOf: () => settings.run.optimizer.lr, evaluate: evaluatorOn(settings.run, s.evaluation), log: s.log,
      onRound: (r, weights) => {
        if (fleet.checkpoint) writeFleetCheckpoint(fleet.checkpoint, { modelVersion: expected.modelVersion, round: r.round, weights });
        onRound?.(r);
      },
    });
    for (const c of clients) await c.stop();
    return result;
  } finally {
    for (const c of connections) await endConnection(c);
    for (const b of boards) await b.close();
    await embedded?.close();
  }
}

/** The board of a client that is `emulated` or not, and of the centralized run and the initial weights (emulated = false). */
function linkOf(s: Pick<FleetSimSpec, "link" | "emulatedClients">, emulated: boolean): LinkOptions {
  if (s.emulatedClients === null || emulated) return s.link;
  const { emulate: _emulated, ...simulated } = s.link;
  return simulated;
}

/** Centralized training on all the rows, E epochs per round, scored after each round's worth. */
async function centralizedRun(s: FleetSimSpec, evaluate: (w: Float32Array) => Promise<RoundMetrics>): Promise<RoundMetrics[]> {
  const { prepared, fleet } = s;
  const settings = prepared.settings;
  const board = await openSimulatedBoard(linkOf(s, false));
  try {
    await configureBoard(board, { ...prepared, loaded: null, resume: undefined });
    const out: RoundMetrics[] = [];
    await runSession(board, prepared.data, {
      epochs: fleet.rounds * fleet.localEpochs, batch: settings.batch, chunk: settings.run.chunk, shuffle: settings.shuffle,
      resident: (settings.run.storeRows ?? 0) > 0, seed: settings.run.seed, lr: settings.run.optimizer.lr, schedule: { kind: "constant" },
      onEpoch: async (e) => { if (e.epoch % fleet.localEpochs === 0) out.push(await evaluate(await board.getWeights())); },
    });
    return out;
  } finally {
    await board.close();
  }
}
