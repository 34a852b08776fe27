// A fleet client: one board (any Board: in-process, simulated, emulated, on a
// serial port) with its own rows. It announces itself (a retained HELLO with
// its row count), and for every ROUND addressed to it sets the global
// weights and the round's lr on the board, trains E local epochs with the
// session every command uses (run/session.ts: the rows streamed, or resident
// in the board's store, uploaded once), pulls the weights and publishes them
// with its example count. Every round starts from a fresh optimizer (the
// configured state: Adam's moments zero, step 0). Rounds are handled one at a time, in arrival order.
import type { MqttClient } from "mqtt";
import type { Board, OptimizerState } from "../boards/board.js";
import type { Dataset } from "../data/dataset.js";
import type { RunSettings } from "../run/run-spec.js";
import { runSession } from "../run/session.js";
import { uploadResident } from "../run/resident-epoch.js";
import { mulberry32 } from "../data/rng.js";
import { crc32 } from "../protocol/crc32.js";
import { decodeMessage, encodeMessage, helloMessage, Kind, MessageRefused, type Expected } from "./messages.js";
import type { FleetTopics } from "./topics.js";

export interface FleetClientOptions {
  id: string;
  topics: FleetTopics;
  /** Configured for the run (configureBoard), with a sample store of data.rows rows when settings.run.storeRows > 0. */
  board: Board;
  data: Dataset;
  settings: RunSettings;
  localEpochs: number;
  expected: Expected;
  /** Simulation only (fleet sim --drop-rate): the probability of ignoring a round, drawn from the id and round. */
  dropRate?: number;
  log: (line: string) => void;
}

/** fleet sim --drop-rate: whether client `id` ignores round `round` (a draw from the id and round alone, so a run repeats). */
export function dropsRound(id: string, round: number, dropRate: number): boolean {
  return dropRate > 0 && mulberry32(crc32(new TextEncoder().encode(`${id}:${round}`)))() < dropRate;
}

export class FleetClient {
  private queue: Promise<void> = Promise.resolve();
  private uploaded = false;
  private lastRound = 0;
  /** The last ROUND trained and the UPDATE it gave: the same ROUND again (a coordinator back from a lost broker) is answered with it. */
  private lastAnswer: { round: Uint8Array; update: Buffer } | null = null;
  /** The optimizer's state as configured, before any step: every round starts from it. */
  private freshOptimizer: OptimizerState | null = null;
  /** Rounds trained and answered. */
  answered = 0;

  constructor(private readonly mqtt: MqttClient, private readonly o: FleetClientOptions) {}

  /** Subscribes to its round topic and announces itself. */
  async start(): Promise<void> {
    const { mqtt, o } = this;
    this.freshOptimizer = await o.board.getOptimizerState();
    mqtt.on("message", (topic, payload) => {
      if (topic !== o.topics.round(o.id)) return;
      const bytes = new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength).slice();
      this.queue = this.queue.then(() => this.onRound(bytes)).catch((err: unknown) => {
        o.log(`client ${o.id}: round failed: ${err instanceof Error ? err.message : String(err)}`);
      });
    });
    await mqtt.subscribeAsync(o.topics.round(o.id), { qos: 1 });
    const hello = Buffer.from(encodeMessage(helloMessage(o.data.rows)));
    await mqtt.publishAsync(o.topics.hello(o.id), hello, { qos: 1, retain: true });
    // Back after a lost connection (MQTT.js reconnected and renewed the subscription): the will cleared the HELLO, so
    // say it again; the coordinator sends the round in progress again to a sampled client that has not answered.
    mqtt.on("connect", () => {
      o.log(`client ${o.id}: reconnected to the broker`);
      mqtt.publishAsync(o.topics.hello(o.id), hello, { qos: 1, retain: true }).catch((err: unknown) => {
        o.log(`client ${o.id}: could not say hello again: ${err instanceof Error ? err.message : String(err)}`);
      });
    });
  }

  /** Withdraws its HELLO (an empty retained message) and waits for the round in hand. */
  async stop(): Promise<void> {
    await this.queue;
    if (this.mqtt.connected) await this.mqtt.publishAsync(this.o.topics.hello(this.o.id), Buffer.alloc(0), { qos: 1, retain: true });
  }

  private async onRound(bytes: Uint8Array): Promise<void> {
    const { o } = this;
    let m;
    try {
      m = decodeMessage(bytes, o.expected);
      if (m.kind !== Kind.ROUND) throw new MessageRefused(`kind ${m.kind} on a round topic`);
      // The same round again is a restarted coordinator's (it resumes from its last closed round); an older one is a replay.
      if (m.round < this.lastRound) throw new MessageRefused(`round ${m.round} after round ${this.lastRound}`);
    } catch (err) {
      if (err instanceof MessageRefused) { o.log(`client ${o.id}: dropped a round message: ${err.message}`); return; }
      throw err;
    }
    this.lastRound = m.round;
    if (o.dropRate && dropsRound(o.id, m.round, o.dropRate)) return;
    // The same ROUND again (its answer may have been lost with a restarted broker): training is deterministic given the
    // round's weights, lr and number, so the answer is the same update; it is sent again without training again.
    const last = this.lastAnswer;
    if (last && Buffer.from(last.round).equals(Buffer.from(bytes))) {
      await this.mqtt.publishAsync(o.topics.update(o.id), last.update, { qos: 1 });
      return;
    }
    const { board, data, settings } = o;
    const resident = (settings.run.storeRows ?? 0) > 0;
    if (resident && !this.uploaded) { await uploadResident(board, data); this.uploaded = true; }
    await board.setWeights(m.weights);
    // A fresh optimizer every round, as a Flower client builds its torch optimizer inside fit(): Adam's moments and step
    // count, momentum buffers and Adagrad's sums start over from the configured state. What a round trains on then
    // depends only on the round's weights, lr and number, so a resumed coordinator gives the uninterrupted run's model.
    if (this.freshOptimizer) await board.setOptimizerState(this.freshOptimizer);
    // Round r trains the epochs (r-1)E .. rE-1: a shuffled epoch's order is new every round, and round 1's first is sim's first.
    const first = (m.round - 1) * o.localEpochs;
    await runSession(board, data, {
      epochs: first + o.localEpochs, startEpoch: first, batch: settings.batch, chunk: settings.run.chunk,
      shuffle: settings.shuffle, resident, stored: resident, seed: settings.run.seed, lr: m.lr, schedule: { kind: "constant" },
    });
    const weights = await board.getWeights(); // sent in the round's encoding (f16 halves the bytes)
    const update = encodeMessage({
      kind: Kind.UPDATE, encoding: m.encoding ?? "f32", modelVersion: o.expected.modelVersion, round: m.round, lr: 0, examples: data.rows, sizes: [...o.expected.sizes], weights,
    });
    this.lastAnswer = { round: bytes, update: Buffer.from(update) };
    await this.mqtt.publishAsync(o.topics.update(o.id), this.lastAnswer.update, { qos: 1 });
    this.answered++;
  }
}
