// The flags of `fleet sim`, `fleet serve` and `fleet join`, and how they
// become typed values once (FleetSettings, BrokerOptions, the sim's spec).
// The model, optimizer and batch flags are sim's own (run-options.ts); what
// a fleet does not have (epochs: it has rounds and local epochs; early
// stopping, checkpoints, reports) is left out of its tables.
import { HELP_OPTION, type OptionSpec, type Parsed } from "./args.js";
import { DATA_OPTIONS, MODEL_OPTIONS, OPTIMIZER_OPTIONS, TRAINING_OPTIONS, resolveRun, runSpecOf } from "./run-options.js";
import { LINK_OPTIONS, linkOptionsOf } from "./link-flags.js";
import { REPLY_OPTIONS } from "./serial-flags.js";
import { UsageError } from "../errors.js";
import { parseSplit } from "../fleet/shards.js";
import { checkTopicName } from "../fleet/topics.js";
import type { BrokerOptions } from "../fleet/connection.js";
import type { FleetSettings, FleetSimSpec } from "../fleet/simulation.js";
import type { RunSettings, RunSpec } from "../run/run-spec.js";
import { validationRows } from "../data/validation-split.js";
import { cut, cutList } from "../text/quote.js";
import { readModel } from "../model/model-file.js";
import { checkAgainstModel, readDataFile, type Dataset } from "../data/dataset.js";
import { numberName, readCsv } from "../data/csv.js";
import { checkOutputFile } from "../files/output-path.js";
import { readInputText } from "../files/input-file.js";

/** What a fleet trains with: sim's flags without those a fleet has no use for. */
const NOT_IN_A_FLEET = new Set(["epochs", "early-stop", "min-delta", "normalize", "schedule"]);
const RUN_OPTIONS: OptionSpec[] = [...DATA_OPTIONS, ...MODEL_OPTIONS, ...OPTIMIZER_OPTIONS, ...TRAINING_OPTIONS].filter((o) => !NOT_IN_A_FLEET.has(o.name));

export const BROKER_OPTIONS: OptionSpec[] = [
  { name: "broker", kind: "string", value: "URL", help: "the MQTT broker: mqtt://HOST:PORT, or mqtts:// for TLS (fleet sim: an embedded broker when absent)" },
  { name: "fleet", kind: "string", value: "NAME", default: "default", help: "the fleet's name: its topics are edgeprop/NAME/... (docs/fleet.md)" },
  { name: "username", kind: "string", value: "NAME", help: "MQTT username (under docs/fleet.md's ACL a client's is its --id; fleet sim: the coordinator's, each client logs in as its id with --password)" },
  { name: "password", kind: "string", value: "TEXT", help: "MQTT password" },
  { name: "ca", kind: "string", value: "FILE.pem", help: "mqtts://: the CA certificate to trust" },
];

export const ROUND_OPTIONS: OptionSpec[] = [
  { name: "rounds", kind: "int", min: 1, default: 10, help: "federated rounds" },
  { name: "local-epochs", kind: "int", min: 1, default: 1, help: "epochs each client trains on its rows per round" },
  { name: "fraction", kind: "number", min: 0, max: 1, default: 1, help: "share of the clients present sampled each round (Flower's fraction_fit)" },
  { name: "min-clients", kind: "int", min: 1, default: 1, help: "clients sampled at least, and needed before round 1 (min_fit_clients)" },
  { name: "round-timeout", kind: "number", min: 0.01, default: 30, help: "seconds a round waits for the sampled clients' updates" },
  { name: "join-timeout", kind: "number", min: 0.01, default: 60, help: "seconds to wait for --min-clients clients to join" },
  { name: "reconnect-timeout", kind: "number", min: 0.01, default: 60, help: "seconds the coordinator keeps trying a lost broker again (it then resubscribes and sends the round in progress again) before giving up (exit 4)" },
  { name: "compress", kind: "string", choices: ["f32", "f16"], default: "f32", help: "how weights travel: f32 (exact) or f16 (half the bytes, rounded to nearest even)" },
  { name: "checkpoint", kind: "string", value: "FILE.json", help: "write the global model and its round here after every round (atomically)" },
  { name: "resume", kind: "string", value: "FILE.json", help: "continue a fleet from the round its --checkpoint file closed (the same flags otherwise)" },
  { name: "report", kind: "string", value: "FILE.html", help: "write a self-contained HTML report after every round: validation accuracy and loss per round, clients sampled, answered and dropped, bytes" },
  { name: "max-update-norm", kind: "number", min: 0, default: 1000, help: "drop an update whose L2 distance from the global model is larger (the norm bound)" },
];

export const FLEET_SIM_OPTIONS: OptionSpec[] = [
  ...RUN_OPTIONS, ...ROUND_OPTIONS,
  { name: "clients", kind: "int", min: 1, max: 1000, default: 4, help: "simulated clients, each with its shard of the rows" },
  { name: "split", kind: "string", value: "iid|dirichlet:ALPHA|by:COLUMN", default: "iid", help: "how the rows are dealt out: iid, label-skewed by Dirichlet(ALPHA) (needs ce or bce), or one client per value of COLUMN (a natural partition; --clients is then the number of values)" },
  { name: "drop-rate", kind: "number", min: 0, max: 1, default: 0, help: "probability that a sampled client ignores a round (simulated dropout, drawn from its id and the round; the round does not wait for it)" },
  { name: "no-centralized", kind: "flag", help: "skip the centralized run beside the fleet" },
  { name: "emulated-clients", kind: "int", min: 0, help: "with --emulate: only the first N clients run on the emulated board, the others (and the centralized run) on the simulated one" },
  ...BROKER_OPTIONS,
  ...LINK_OPTIONS,
  { name: "json", kind: "flag", help: "print one JSON event per line" },
  HELP_OPTION,
];

export const FLEET_SERVE_OPTIONS: OptionSpec[] = [
  ...MODEL_OPTIONS, ...OPTIMIZER_OPTIONS.filter((o) => o.name !== "schedule"),
  ...TRAINING_OPTIONS.filter((o) => ["seed", "init"].includes(o.name)),
  { name: "load", kind: "string", value: "MODEL.json", help: "start from these weights (gives layers and activations)" },
  { name: "val", kind: "string", value: "FILE.csv", help: "held-out rows the global model is scored on after every round" },
  { name: "target", kind: "string", value: "COLS", help: "--val: target column name(s) (default: the last column)" },
  { name: "save", kind: "string", value: "MODEL.json", help: "write the final global model here (atomically)" },
  ...ROUND_OPTIONS, ...BROKER_OPTIONS,
  { name: "json", kind: "flag", help: "print one JSON event per line" },
  HELP_OPTION,
];

export const FLEET_JOIN_OPTIONS: OptionSpec[] = [
  ...RUN_OPTIONS,
  { name: "id", kind: "string", value: "ID", help: "this client's id (its topics, and its MQTT username under docs/fleet.md's ACL)" },
  { name: "local-epochs", kind: "int", min: 1, default: 1, help: "epochs trained on the rows per round" },
  { name: "max-rounds", kind: "int", min: 1, help: "leave after this many rounds answered (default: until Ctrl-C)" },
  { name: "reconnect-timeout", kind: "number", min: 0.01, default: 60, help: "seconds to keep trying a lost broker again before giving up (exit 4)" },
  ...BROKER_OPTIONS,
  { name: "port", kind: "string", value: "PATH", help: "train a real board on this serial port (e.g. /dev/ttyUSB0); --board PROFILE then names its profile (the baud its firmware runs at, the chunk its memory fits), --baud overrides the rate" },
  ...REPLY_OPTIONS,
  ...LINK_OPTIONS.map((o) => o.name === "board"
    ? { ...o, help: "the board's profile (boards/profiles: esp32, esp32-s3, esp32-c3): with --port the real board's (its firmware's baud, the chunk its memory fits), else the simulated board's memory limit and baud" }
    : o.name === "baud" ? { ...o, help: "with --port: the serial line's rate (default: the --board profile's, else 115200); else the simulated line's throttle (0 = unthrottled)" } : o),
  HELP_OPTION,
];

/** --broker and its credentials, for the commands that cannot start an embedded broker (serve, join). */
export function requiredBrokerOptionsOf(a: Parsed): BrokerOptions {
  const broker = brokerOptionsOf(a);
  if (!broker) throw new UsageError("--broker URL is required (e.g. mqtt://localhost:1883)");
  return broker;
}

export function brokerOptionsOf(a: Parsed): BrokerOptions | null {
  if (a.broker === undefined) {
    for (const f of ["username", "password", "ca"]) if (a[f] !== undefined) throw new UsageError(`--${f} applies to a --broker URL`);
    return null;
  }
  const url = String(a.broker);
  if (!/^mqtts?:\/\/[^\s/]+/.test(url)) throw new UsageError(`--broker ${url.slice(0, 80)}: expected mqtt://HOST:PORT or mqtts://HOST:PORT`);
  if (a.ca !== undefined) checkCaFile(String(a.ca), url);
  return {
    url,
    ...(a.username !== undefined ? { username: String(a.username) } : {}),
    ...(a.password !== undefined ? { password: String(a.password) } : {}),
    ...(a.ca !== undefined ? { caFile: String(a.ca) } : {}),
  };
}

/** --ca FILE.pem: goes with mqtts://, and is read now (a PEM certificate), not when the first connection fails. */
function checkCaFile(file: string, url: string): void {
  if (!url.startsWith("mqtts://")) throw new UsageError(`--ca ${cut(file)} is the CA a TLS broker is checked against: it goes with an mqtts:// --broker, not ${cut(url)}`);
  if (!readInputText(file).includes("-----BEGIN CERTIFICATE-----")) throw new UsageError(`--ca ${cut(file)}: not a PEM certificate (no -----BEGIN CERTIFICATE----- line)`);
}

export function fleetSettingsOf(a: Parsed): FleetSettings {
  return {
    fleet: checkTopicName("--fleet", String(a.fleet ?? "default")),
    rounds: Number(a.rounds ?? 10), localEpochs: Number(a["local-epochs"] ?? 1), fraction: Number(a.fraction ?? 1),
    minClients: Number(a["min-clients"] ?? 1), roundTimeoutMs: Number(a["round-timeout"] ?? 30) * 1000,
    joinTimeoutMs: Number(a["join-timeout"] ?? 60) * 1000, reconnectTimeoutMs: Number(a["reconnect-timeout"] ?? 60) * 1000, maxUpdateNorm: Number(a["max-update-norm"] ?? 1000),
    compress: a.compress === "f16" ? "f16" : "f32",
    checkpoint: a.checkpoint !== undefined ? checkedOutput("--checkpoint", String(a.checkpoint)) : null,
    resume: a.resume !== undefined ? String(a.resume) : null,
    report: a.report !== undefined ? checkedOutput("--report", String(a.report)) : null,
  };
}

function checkedOutput(flag: string, file: string): string {
  checkOutputFile(flag, file);
  return file;
}

/** `fleet sim`'s whole spec from its flags, read and checked before a broker or board is started. */
export function fleetSimSpecOf(a: Parsed, log: (line: string) => void): FleetSimSpec {
  // A fleet's --checkpoint and --resume are the coordinator's file (fleetSettingsOf), not a training run's folder.
  const split = parseSplit(String(a.split ?? "iid"));
  const asRun = Object.assign({}, a, { checkpoint: undefined, resume: undefined });
  const prepared = runSpecOf(asRun);
  const rowValues = split.kind === "by" ? columnValuesOf(asRun, prepared, split.column) : null;
  return {
    prepared, evaluation: prepared.validation ?? prepared.data, fleet: fleetSettingsOf(a),
    clients: rowValues ? new Set(rowValues).size : Number(a.clients ?? 4), split, rowValues, dropRate: Number(a["drop-rate"] ?? 0),
    broker: brokerOptionsOf(a), link: linkOptionsOf(a), emulatedClients: emulatedClientsOf(a), centralized: !a["no-centralized"], log,
  };
}

/** --emulated-clients N: goes with --emulate. */
function emulatedClientsOf(a: Parsed): number | null {
  if (a["emulated-clients"] === undefined) return null;
  if (a.emulate === undefined) throw new UsageError(`--emulated-clients ${a["emulated-clients"]} says how many clients run on the emulated board: it goes with --emulate PROFILE`);
  return Number(a["emulated-clients"]);
}

/**
 * --split by:COLUMN: the column's value in each training row, as text (a text
 * field as written, a number as JavaScript prints it). The column is read
 * from the whole data file, so it may be one the model leaves out (--drop);
 * the training table's rows are matched to the file's by line, since
 * --missing drop may have left rows out; with --val-split the held-out rows
 * are taken out as runSpecOf took them.
 */
function columnValuesOf(a: Parsed, prepared: RunSpec, column: string): string[] {
  const table = prepared.table;
  if (!table) throw new UsageError(`--split by:${cut(column)} deals out rows by a column of a data file: give --data FILE.csv`);
  const file = readCsv(table.file, { delimiter: table.delimiter });
  const c = file.columns.indexOf(column);
  if (c < 0) throw new UsageError(`--split by:${cut(column)}: ${table.file} has no column '${cut(column)}' (its columns: ${cutList(file.columns)})`);
  const rowAtLine = new Map<number, number>();
  for (let r = 0; r < file.rows; r++) rowAtLine.set(file.lines[r] ?? 0, r);
  const text = file.text[c] ?? null;
  const all = Array.from(table.lines, (line) => {
    const r = rowAtLine.get(line);
    if (r === undefined) throw new Error(`by:${column}: the training row at line ${line} is not a row of ${table.file}`);
    const code = text?.codes[r] ?? -1;
    return text && code >= 0 ? (text.names[code] ?? "") : numberName(file.values[r * file.columns.length + c] ?? NaN);
  });
  if (prepared.validationSource?.kind !== "split") return all;
  // The rows before the split, to find which runSpecOf held out (validationRows is seeded and depends on the labels).
  const whole = runSpecOf(Object.assign({}, a, { "val-split": undefined })).data;
  const held = new Set(validationRows(whole, prepared.validationSource.fraction, prepared.settings.run.seed, prepared.settings.run.loss));
  const kept = all.filter((_, r) => !held.has(r));
  if (kept.length !== prepared.data.rows) throw new Error(`by:${column}: ${kept.length} values for ${prepared.data.rows} training rows`);
  return kept;
}

/** `fleet serve`'s model (no rows of its own: --layers and --loss, or --load), its starting weights and its --val rows. */
export function fleetServeSpecOf(a: Parsed): { settings: RunSettings; loaded: Float32Array | null; val: Dataset | null; save: string | null } {
  const loaded = a.load ? readModel(String(a.load)) : null;
  const settings = resolveRun(a, null, loaded);
  let val: Dataset | null = null;
  if (a.val !== undefined) {
    const read = readDataFile(String(a.val), { target: a.target as string | undefined, ...(loaded?.classes ? { knownClasses: loaded.classes } : {}) });
    checkAgainstModel(read.data, read.table, settings.run.sizes, settings.run.loss);
    val = read.data;
  }
  const save = a.save !== undefined ? String(a.save) : null;
  if (save) checkOutputFile("--save", save);
  return { settings, loaded: loaded?.weights ?? null, val, save };
}

/** `fleet join`'s id. */
export function clientIdOf(a: Parsed): string {
  if (a.id === undefined) throw new UsageError("--id ID is required (this client's name in the fleet)");
  return checkTopicName("--id", String(a.id));
}
