// The fleet's coordinator (Flower's server with FedAvg): it learns who is
// there from the clients' retained HELLOs, and each round samples a
// fraction of them (at least minClients; seeded, so a run repeats), sends
// each the global weights and the round's lr, collects UPDATEs until every
// sampled client answered or the round timed out, and averages what came
// back (fedavg.ts: by examples, in client-id order, with the norm bound).
// Every message is validated before use (messages.ts); what is refused, or
// comes from a client not sampled, or for another round (a replay), is
// dropped and logged and the round goes on. A sampled client that says HELLO
// again mid-round (it reconnected) is sent the round again. A coordinator
// that loses its broker (a broker restart) tries it again (the connection's
// reconnect period), resubscribes and sends the round in progress again to
// every sampled client that has not answered: a client answers the same
// round with the same update, so the round's answers survive the broker's
// restart (docs/fleet.md, "A lost connection"); away longer than
// reconnectTimeoutMs, it gives up (LinkError, exit 4).
import type { MqttClient } from "mqtt";
import { mulberry32 } from "../data/rng.js";
import { LinkError } from "../errors.js";
import { fedAvg } from "./fedavg.js";
import { decodeMessage, encodeMessage, Kind, MessageRefused, type Expected, type WeightEncoding } from "./messages.js";
import type { FleetTopics } from "./topics.js";

export interface CoordinatorOptions {
  topics: FleetTopics;
  expected: Expected;
  /** The global model before the first round run (round 1, or a resumed run's startRound + 1). */
  initial: Float32Array;
  /** Rounds already closed (a resumed coordinator's checkpoint round; default 0). */
  startRound?: number;
  rounds: number;
  /** Of the clients present, the share sampled each round (Flower's fraction_fit). */
  fraction: number;
  /** At least this many sampled each round, and present before round 1 (min_fit_clients). */
  minClients: number;
  roundTimeoutMs: number;
  /** How long to wait for the clients to say HELLO. */
  joinTimeoutMs: number;
  /** Clients to wait for before round 1 (default minClients; fleet sim: all of its clients, so round 1 samples from every one). */
  waitForClients?: number;
  /** fedavg.ts's bound on an update's L2 distance from the global model. */
  maxUpdateNorm: number;
  /** How the global weights travel (clients answer in kind). */
  encoding?: WeightEncoding;
  /**
   * A simulation's knowledge of its own dropout (fleet sim --drop-rate): the
   * sampled clients that will not answer round r. The round still sends them
   * its ROUND and takes their update if one comes, but closes once every other
   * sampled client answered instead of waiting out the timeout; a real
   * coordinator cannot know and waits.
   */
  silentIn?: (id: string, round: number) => boolean;
  /** Seeds the sampling. */
  seed: number;
  /** The lr of round r (1-based). */
  lrOf: (round: number) => number;
  /** After each round: validation figures of the new global model. */
  evaluate?: (weights: Float32Array) => Promise<RoundMetrics>;
  /** After each round, with the new global model. */
  onRound?: (r: RoundReport, weights: Float32Array) => void | Promise<void>;
  /** With a connection that reconnects: how long the broker may stay away before the coordinator gives up (LinkError). */
  reconnectTimeoutMs?: number;
  log: (line: string) => void;
}

export interface RoundMetrics {
  val_loss?: number;
  val_accuracy?: number;
}

export interface RoundReport extends RoundMetrics {
  event: "round";
  round: number;
  lr: number;
  sampled: number;
  answered: number;
  /** Sampled clients whose update did not come, or was refused. */
  dropped: number;
  /** Messages refused this round (malformed, replayed, not sampled, over the norm bound). */
  refused: number;
  examples: number;
  /** Payload bytes sent (ROUND messages) and received (accepted and refused updates). */
  bytes_sent: number;
  bytes_received: number;
  seconds: number;
  /** The coordinator's own work this round: decoding and checking the updates (messages.ts), FedAvg with the norm bound, scoring on --val. */
  validate_seconds: number;
  aggregate_seconds: number;
  evaluate_seconds: number;
  /** This process's memory after the round (fleet serve: the coordinator's alone; fleet sim: with its clients and broker). */
  heap_mib: number;
  rss_mib: number;
}

export interface CoordinatorResult {
  weights: Float32Array;
  history: RoundReport[];
}

/** The `k` of `ids` (sorted) that round `round` samples: a seeded Fisher-Yates shuffle's first k, sorted. */
export function sampleClients(ids: readonly string[], k: number, seed: number, round: number): string[] {
  const a = [...ids].sort();
  const rand = mulberry32((seed * 0x9e3779b1 + round) >>> 0);
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = a[i] as string; a[i] = a[j] as string; a[j] = t;
  }
  return a.slice(0, Math.min(k, a.length)).sort();
}

export async function runCoordinator(mqtt: MqttClient, o: CoordinatorOptions): Promise<CoordinatorResult> {
  const present = new Map<string, number>(); // id -> examples, from the HELLOs
  let round = 0;
  let collecting: { sampled: Set<string>; awaited: number; message: Buffer; got: Map<string, { examples: number; weights: Float32Array }>; refused: number; bytesIn: number; validateMs: number; done: () => void } | null = null;
  let wakeJoin: (() => void) | null = null;
  /** The updates the last closed round took: a late repeat of one (the round was sent again after a reconnect) is no replay. */
  let closed: { round: number; got: Map<string, { examples: number; weights: Float32Array }> } | null = null;

  const onMessage = (topic: string, payload: Buffer) => {
    const bytes = new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
    const helloId = o.topics.clientOf(topic, "hello");
    if (helloId !== null) {
      if (bytes.length === 0) { present.delete(helloId); return; }
      try {
        const m = decodeMessage(bytes, o.expected);
        if (m.kind !== Kind.HELLO) throw new MessageRefused(`kind ${m.kind} on a hello topic`);
        present.set(helloId, m.examples);
        wakeJoin?.();
        // A sampled client back mid-round (it reconnected: its ROUND may have been lost with its connection) is sent the round again.
        const c = collecting;
        if (c && c.sampled.has(helloId) && !c.got.has(helloId)) {
          o.log(`round ${round}: ${helloId} is back; the round is sent to it again`);
          mqtt.publishAsync(o.topics.round(helloId), c.message, { qos: 1 }).catch((err: unknown) => {
            o.log(`round ${round}: could not send the round to ${helloId} again: ${err instanceof Error ? err.message : String(err)}`);
          });
        }
      } catch (err) {
        o.log(`dropped a hello of ${helloId}: ${err instanceof Error ? err.message : String(err)}`);
      }
      return;
    }
    const id = o.topics.clientOf(topic, "update");
    if (id === null) return;
    const c = collecting;
    const refuse = (why: string) => { o.log(`round ${round}: dropped an update of ${id}: ${why}`); if (c) c.refused++; };
    if (c) c.bytesIn += bytes.length;
    const t0 = performance.now();
    try {
      const m = decodeMessage(bytes, o.expected);
      if (c) c.validateMs += performance.now() - t0;
      if (m.kind !== Kind.UPDATE) return refuse(`kind ${m.kind} on an update topic`);
      const taken = closed?.round === m.round ? closed.got.get(id) : undefined;
      if (taken && taken.examples === m.examples && sameBits(taken.weights, m.weights)) return;
      if (!c || m.round !== round) return refuse(`an update for round ${m.round}, the round is ${round}${c ? "" : " (closed)"}`);
      if (!c.sampled.has(id)) return refuse("not sampled this round");
      const first = c.got.get(id);
      if (first) {
        // The round sent again (a reconnect) is answered again with the same update: not a hostile second answer.
        if (first.examples === m.examples && sameBits(first.weights, m.weights)) return;
        return refuse("a second update this round");
      }
      c.got.set(id, { examples: m.examples, weights: m.weights });
      if (c.got.size >= c.awaited) c.done();
    } catch (err) {
      if (c) c.validateMs += performance.now() - t0;
      if (err instanceof MessageRefused) return refuse(err.message);
      throw err;
    }
  };
  const subscribe = () => mqtt.subscribeAsync([o.topics.allHellos, o.topics.allUpdates], { qos: 1 });
  // Back after a lost connection: subscribe again (a restarted broker knows nothing of this session), then send the
  // round in progress again to the sampled clients without an answer (their updates may have been lost with the broker).
  const onReconnect = () => {
    o.log(`coordinator: reconnected to the broker${collecting ? `; round ${round} is sent again to the sampled clients that have not answered` : ""}`);
    void subscribe().then(async () => {
      const c = collecting;
      if (!c) return;
      for (const id of [...c.sampled].sort()) if (!c.got.has(id)) await mqtt.publishAsync(o.topics.round(id), c.message, { qos: 1 });
    }).catch((err: unknown) => o.log(`coordinator: after reconnecting: ${err instanceof Error ? err.message : String(err)}`));
  };
  // The broker away longer than reconnectTimeoutMs ends the run (exit 4) rather than leaving it waiting forever.
  let lostAt: number | null = null;
  let giveUp: (err: Error) => void = () => {};
  const gaveUp = new Promise<never>((_, reject) => { giveUp = reject; });
  gaveUp.catch(() => {});
  const watch = o.reconnectTimeoutMs === undefined ? undefined : setInterval(() => {
    if (mqtt.connected) { lostAt = null; return; }
    if (lostAt === null) { lostAt = performance.now(); o.log("coordinator: lost the broker; trying again"); }
    else if (performance.now() - lostAt > (o.reconnectTimeoutMs ?? 0)) {
      giveUp(new LinkError(`the broker closed the coordinator's connection and was not back within ${(o.reconnectTimeoutMs ?? 0) / 1000} s`));
    }
  }, 100);
  mqtt.on("message", onMessage);
  mqtt.on("connect", onReconnect);
  try {
    return await Promise.race([rounds(), gaveUp]);
  } finally {
    clearInterval(watch);
    mqtt.removeListener("message", onMessage);
    mqtt.removeListener("connect", onReconnect);
  }

  async function rounds(): Promise<CoordinatorResult> {
    await subscribe();
    const needed = Math.max(o.minClients, o.waitForClients ?? 0);
    await waitFor(() => present.size >= needed, o.joinTimeoutMs, (wake) => { wakeJoin = wake; });
    wakeJoin = null;
    if (present.size < needed) {
      throw new LinkError(`${present.size} of the ${needed} clients needed said hello within ${o.joinTimeoutMs / 1000} s`);
    }
    let global: Float32Array = Float32Array.from(o.initial);
    const history: RoundReport[] = [];
    for (round = (o.startRound ?? 0) + 1; round <= o.rounds; round++) {
      const t0 = performance.now();
      const ids = [...present.keys()];
      const k = Math.max(o.minClients, Math.ceil(o.fraction * ids.length));
      const sampled = sampleClients(ids, k, o.seed, round);
      const lr = o.lrOf(round);
      const msg = Buffer.from(encodeMessage({
        kind: Kind.ROUND, encoding: o.encoding ?? "f32", modelVersion: o.expected.modelVersion, round, lr, examples: 0, sizes: [...o.expected.sizes], weights: global,
      }));
      let finish = () => {};
      const answered = new Promise<void>((resolve) => { finish = resolve; });
      const silent = o.silentIn ? sampled.filter((id) => o.silentIn?.(id, round)).length : 0;
      const c = { sampled: new Set(sampled), awaited: sampled.length - silent, message: msg, got: new Map<string, { examples: number; weights: Float32Array }>(), refused: 0, bytesIn: 0, validateMs: 0, done: finish };
      collecting = c;
      for (const id of sampled) await mqtt.publishAsync(o.topics.round(id), msg, { qos: 1 });
      if (c.awaited === 0) finish();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([answered, new Promise<void>((resolve) => { timer = setTimeout(resolve, o.roundTimeoutMs); })]);
      clearTimeout(timer);
      collecting = null;
      closed = { round, got: c.got };
      const updates = [...c.got].map(([id, u]) => ({ id, examples: u.examples, weights: u.weights }));
      const tAggregate = performance.now();
      const avg = fedAvg(global, updates, o.maxUpdateNorm);
      const aggregateMs = performance.now() - tAggregate;
      for (const r of avg.rejected) o.log(`round ${round}: dropped the update of ${r.id}: its distance from the global model ${r.norm.toPrecision(4)} is over the bound ${o.maxUpdateNorm}`);
      global = avg.weights;
      const tEvaluate = performance.now();
      const metrics = o.evaluate ? await o.evaluate(global) : {};
      const evaluateMs = performance.now() - tEvaluate;
      const memory = process.memoryUsage();
      const s3 = (ms: number) => Number((ms / 1000).toFixed(6));
      const mib = (bytes: number) => Number((bytes / 2 ** 20).toFixed(1));
      const report: RoundReport = {
        event: "round", round, lr, sampled: sampled.length, answered: avg.used.length, dropped: sampled.length - avg.used.length,
        refused: c.refused + avg.rejected.length, examples: avg.used.reduce((s, id) => s + (c.got.get(id)?.examples ?? 0), 0),
        bytes_sent: msg.length * sampled.length, bytes_received: c.bytesIn, ...metrics,
        seconds: Number(((performance.now() - t0) / 1000).toFixed(3)),
        validate_seconds: s3(c.validateMs), aggregate_seconds: s3(aggregateMs), evaluate_seconds: s3(evaluateMs), heap_mib: mib(memory.heapUsed), rss_mib: mib(memory.rss),
      };
      history.push(report);
      await o.onRound?.(report, global);
    }
    return { weights: global, history };
  }
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length), y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.every((v, i) => v === y[i]);
}

/** Resolves when `ready()` holds (checked whenever `wake` is called) or after `ms`. */
function waitFor(ready: () => boolean, ms: number, register: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    if (ready()) { resolve(); return; }
    const timer = setTimeout(resolve, ms);
    register(() => { if (ready()) { clearTimeout(timer); resolve(); } });
  });
}
