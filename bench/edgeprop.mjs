#!/usr/bin/env node
// edgeprop on a benchmark workload, through one of its boards; prints one JSON
// line like the peers in bench/peers/ ({tool, workload, runs[], samples_per_s,
// final_loss, ...}, or {tool, workload, skipped: reason} when that board is not
// available in this build or on this machine).
//
//   node bench/edgeprop.mjs --variant v8 --workload P2 [--runs 5] [--warmup 1] [--quick]
//                           [--epochs N] [--chunk N] [--baud N] [--seed N] [--resident]
//   node bench/edgeprop.mjs --probe --variant V      which chunk each workload can use
//
// Variants (tool name in brackets):
//   v8            [edgeprop-v8]           the module in-process, --link direct
//   memory-link   [edgeprop-memory-link]  the serial protocol over an in-memory byte link
//   wasi:RUNTIME  [edgeprop-wasi-RUNTIME] build/edgeprop-wasi.wasm in a child process under
//                                         a WASI runtime (node, wasm3, wasmtime), over stdio
//   wasm2c        [edgeprop-wasm2c]       the firmware pump built for a PC with the module
//                                         translated by wasm2c (`make -C boards/posix
//                                         ENGINE=wasm2c`; bench/run.mjs builds it into
//                                         bench/out/edgeprop-board; EDGEPROP_BOARD=PATH
//                                         picks another build), run as --engine exec:PATH
// --baud N throttles a simulated link to the line rate (memory-link only); the
// result then carries goodput_share = payload bytes of the rows streamed /
// (seconds * baud / 10). --resident trains from the board's sample store instead
// (the rows uploaded once, then one TRAIN_STORE per batch): the result carries
// the upload's seconds and bytes apart from the epochs'; both modes report
// epochs_per_s and line_bytes_per_epoch (sent + received).
//
// Every variant is opened exactly as `edgeprop sim` opens it: the flags go
// through the CLI's own parser (SIM_OPTIONS) and openSimulatedBoard, so a link
// or engine this build does not have is reported as skipped, never silently
// replaced by another. Data: bench/workloads.mjs makeData (seed 1, as the
// peers). samples/s = rows * epochs / SessionResult.seconds (the time spent in
// board.train only, not configure or the per-epoch weight pull).
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, delimiter } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { getWorkload, makeData, WORKLOADS } from './workloads.mjs';
import { median } from './peers/common.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The bundled host library; EDGEPROP_DIST=PATH measures another build of it. */
export const DIST = process.env.EDGEPROP_DIST || join(ROOT, 'dist', 'edgeprop.mjs');
/** Where bench/run.mjs builds the wasm2c board (make ... OBJ=bench/out/wasm2c BIN=this). */
export const WASM2C_BOARD = join(ROOT, 'bench', 'out', 'edgeprop-board');
/** Where `make -C boards/posix ENGINE=wasm2c` puts it by default. */
export const WASM2C_BOARD_DEFAULT = join(ROOT, 'boards', 'posix', 'edgeprop-board');

/** The wasm2c board to run: EDGEPROP_BOARD, else the bench's build, else the default build. */
export function wasm2cBoard(env = process.env) {
  if (env.EDGEPROP_BOARD) return env.EDGEPROP_BOARD;
  return existsSync(WASM2C_BOARD) ? WASM2C_BOARD : WASM2C_BOARD_DEFAULT;
}

/** Rows per chunk when nothing else decides (host/model/plan.ts DEFAULT_CHUNK). */
export function defaultChunk() {
  try {
    const m = /DEFAULT_CHUNK\s*=\s*(\d+)/.exec(readFileSync(join(ROOT, 'host', 'model', 'plan.ts'), 'utf8'));
    if (m) return Number(m[1]);
  } catch { /* fall through */ }
  return 8;
}

export function toolName(variant) {
  if (variant === 'v8') return 'edgeprop-v8';
  if (variant === 'memory-link') return 'edgeprop-memory-link';
  if (variant === 'wasm2c') return 'edgeprop-wasm2c';
  if (variant.startsWith('wasi:')) return `edgeprop-wasi-${basename(variant.slice(5))}`;
  throw new Error(`unknown --variant ${variant} (v8, memory-link, wasi:RUNTIME, wasm2c)`);
}

/**
 * EDGEPROP_WASM3=/path/to/wasm3: a wasm3 built outside the repo. Its folder goes
 * first on PATH so that `--engine wasi:wasm3` finds it (the same as a user who
 * installed it); a binary with another name is passed as `wasi:PATH`.
 */
export function wasm3Engine(env = process.env) {
  const p = env.EDGEPROP_WASM3;
  if (!p) return 'wasi:wasm3';
  return basename(p) === 'wasm3' ? 'wasi:wasm3' : `wasi:${p}`;
}

function applyWasm3Path(env = process.env) {
  const p = env.EDGEPROP_WASM3;
  if (p && basename(p) === 'wasm3') env.PATH = dirname(p) + delimiter + (env.PATH ?? '');
}

/** The `edgeprop sim` flags that pick the board of a variant. */
export function variantFlags(variant, baud) {
  const flags = [];
  if (variant === 'v8') flags.push('--link', 'direct');
  else if (variant === 'memory-link') flags.push('--link', 'memory');
  else if (variant === 'wasm2c') {
    const exe = wasm2cBoard();
    flags.push('--engine', `exec:${/\s/.test(exe) ? JSON.stringify(exe) : exe}`);
  } else if (variant === 'wasi:wasm3') flags.push('--engine', wasm3Engine());
  else if (variant.startsWith('wasi:')) flags.push('--engine', variant);
  else throw new Error(`unknown --variant ${variant}`);
  if (baud) flags.push('--baud', String(baud));
  return flags;
}

/** The `edgeprop sim` flags of a workload (no --data: the data is handed in). */
export function workloadFlags(w, epochs, chunk, seed = 1) {
  return [
    '--layers', w.layers.join(','), '--act', w.act, '--loss', w.loss,
    '--opt', w.optimizer.name, '--lr', String(w.optimizer.lr),
    '--batch', String(w.batch), '--epochs', String(epochs), '--chunk', String(chunk),
    '--no-shuffle', '--seed', String(seed), '--init', 'pytorch',
  ];
}

export function dataset(w, seed = 1) {
  const { x, y } = makeData(w, seed);
  const nIn = w.layers[0];
  const nT = w.loss === 'ce' ? 1 : w.layers[w.layers.length - 1];
  return {
    name: w.name, rows: w.rows, nIn, nT, x, t: y,
    inputNames: Array.from({ length: nIn }, (_, i) => `x${i}`),
    targetNames: nT === 1 ? [w.loss === 'ce' ? 'label' : 'y'] : Array.from({ length: nT }, (_, k) => `y${k}`),
  };
}

export async function loadLibrary() {
  if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run 'npm run build' first`);
  return import(pathToFileURL(DIST).href);
}

class Skip extends Error {}

/** Opens the variant's board as `edgeprop sim` would, or throws Skip with the reason. */
async function openBoard(lib, variant, simArgs) {
  if (variant === 'wasm2c' && !existsSync(wasm2cBoard())) {
    throw new Skip(`${wasm2cBoard()} not built (make -C boards/posix ENGINE=wasm2c)`);
  }
  let a;
  try {
    a = lib.parseArgs(simArgs, lib.SIM_OPTIONS, 'sim');
  } catch (err) {
    throw new Skip(`not in this build: ${err.message}`);
  }
  let board;
  try {
    board = await lib.openSimulatedBoard(a);
  } catch (err) {
    throw new Skip(`could not open the board: ${err.message}`);
  }
  if (variant !== 'v8' && board instanceof lib.DirectBoard) {
    await board.close().catch(() => {});
    throw new Skip(`the flags ${simArgs.filter((s) => /^--(link|engine|baud)$/.test(s)).join(' ')} opened '${board.description}', not the requested board`);
  }
  return { a, board };
}

async function hello(board) {
  const t0 = performance.now();
  const timeout = new Promise((_, rej) => setTimeout(() => rej(new Error('no answer to HELLO within 20 s')), 20000).unref());
  const info = await Promise.race([board.hello(), timeout]);
  return { info, ms: performance.now() - t0 };
}

/** Which chunk (<= wanted) each workload can use on this variant's board. */
export async function probe(variant, wantedChunk = defaultChunk()) {
  const tool = toolName(variant);
  if (variant.startsWith('wasi:')) applyWasm3Path();
  const lib = await loadLibrary();
  const w0 = WORKLOADS[0];
  let opened;
  try {
    opened = await openBoard(lib, variant, [...workloadFlags(w0, 1, 1), ...variantFlags(variant)]);
  } catch (err) {
    if (err instanceof Skip) return { tool, skipped: err.message };
    throw err;
  }
  const { board } = opened;
  try {
    const { info } = await hello(board);
    const staticBytes = new lib.DirectBoard().e.static_bytes();
    const chunks = {};
    for (const w of WORKLOADS) {
      let c = Math.max(1, Math.min(wantedChunk, w.batch, info.maxChunk || wantedChunk));
      const a = lib.parseArgs(workloadFlags(w, 1, c), lib.SIM_OPTIONS, 'sim');
      const p = lib.prepareRun(a, dataset(w));
      while (c > 1 && info.memoryLimit > 0 &&
        lib.computePlan({ ...p.settings.run, chunk: c }, staticBytes).total_bytes > info.memoryLimit) c--;
      chunks[w.id] = c;
    }
    return { tool, description: board.description, memory_limit: info.memoryLimit, max_chunk: info.maxChunk, chunks };
  } finally {
    await board.close().catch(() => {});
  }
}

/** Trains the workload `warmup + runs` times on one board; the timed runs give the median. */
export async function measure(o) {
  const w = getWorkload(o.workload);
  const tool = toolName(o.variant) + (o.baud ? `@${o.baud}` : '');
  const epochs = o.epochs ?? (o.quick && w.id === 'P3' ? 2 : w.epochs);
  const chunk = o.chunk ?? Math.max(1, Math.min(w.batch, defaultChunk()));
  const runsN = o.runs ?? (o.quick ? 3 : 5);
  const warmup = o.warmup ?? 1;
  const base = { tool, workload: w.name, epochs, rows: w.rows, batch: w.batch, chunk, warmup };
  if (o.variant.startsWith('wasi:')) applyWasm3Path();
  const lib = await loadLibrary();
  const data = dataset(w, o.seed ?? 1);
  const simArgs = [...workloadFlags(w, epochs, chunk), ...variantFlags(o.variant, o.baud)];
  let opened;
  try {
    opened = await openBoard(lib, o.variant, simArgs);
  } catch (err) {
    if (err instanceof Skip) return { ...base, skipped: err.message };
    throw err;
  }
  const { a, board } = opened;
  try {
    const { info, ms: helloMs } = await hello(board);
    const prepared = lib.prepareRun(a, data);
    const s = prepared.settings;
    const runs = [], seconds = [], boardSeconds = [], losses = [];
    let plan = null, firstLoss = NaN, wire = null;
    const rowBytes = 4 * (data.nIn + data.nT);
    if (o.resident) return await measureResident({ o, w, base, board, info, helloMs, prepared, data, warmup, runsN, lib });
    for (let r = 0; r < warmup + runsN; r++) {
      plan = await lib.configureBoard(board, prepared);
      const before = board.stats();
      const res = await lib.runSession(board, data, {
        epochs: s.epochs, batch: s.batch, chunk: s.run.chunk, shuffle: false, seed: s.run.seed,
        lr: s.run.optimizer.lr, schedule: s.schedule,
      });
      const after = board.stats();
      if (r < warmup) continue;
      runs.push(res.samples / res.seconds);
      seconds.push(res.seconds);
      firstLoss = res.history[0].loss;
      losses.push(res.history[res.history.length - 1].loss);
      wire = {
        bytes_sent: after.bytesSent - before.bytesSent,
        bytes_received: after.bytesReceived - before.bytesReceived,
        retransmits: after.retransmits - before.retransmits,
        board_seconds: (after.boardMicros - before.boardMicros) / 1e6,
        line_seconds: after.lineSeconds - before.lineSeconds,
      };
      boardSeconds.push(wire.board_seconds);
    }
    const out = {
      ...base, runs: runs.map((x) => Math.round(x)), samples_per_s: Math.round(median(runs)),
      seconds: +median(seconds).toFixed(6),
      first_loss: +firstLoss.toPrecision(9), final_loss: +losses[losses.length - 1].toPrecision(9),
      deterministic: losses.every((l) => l === losses[0]),
      bytes: plan.total_bytes, plan,
      board: board.description, protocol: info.protocol, build_id: info.buildId, hello_ms: +helloMs.toFixed(2),
    };
    if (o.variant !== 'v8') {
      out.link = wire;
      // What the board itself measured: its compute alone, without the link.
      const b = median(boardSeconds);
      out.board_samples_per_s = b > 0 ? Math.round((w.rows * epochs) / b) : null;
    }
    if (o.baud) {
      const payload = w.rows * epochs * rowBytes;
      const lineRate = o.baud / 10; // bytes per second, 10 bits a byte
      const med = median(seconds);
      out.baud = o.baud;
      out.payload_bytes = payload;
      out.goodput_bytes_per_s = Math.round(payload / med);
      out.goodput_share = +(payload / (med * lineRate)).toFixed(4);
      out.wire_share = wire ? +(wire.bytes_sent / (med * lineRate)).toFixed(4) : null;
      out.mode = 'streaming';
      out.epochs_per_s = +(epochs / med).toPrecision(4);
      out.line_bytes_per_epoch = wire ? Math.round((wire.bytes_sent + wire.bytes_received) / epochs) : null;
    }
    return out;
  } finally {
    await board.close().catch(() => {});
  }
}

/**
 * --resident: the data set uploaded once to the board's sample store (the
 * plan grows by the store), then the epochs trained from it, one TRAIN_STORE
 * per batch (the Board methods --resident uses: storeRows, trainStored).
 */
async function measureResident({ o, w, base, board, info, helloMs, prepared, data, warmup, runsN, lib }) {
  const s = prepared.settings;
  const residentRun = { ...prepared, settings: { ...s, run: { ...s.run, storeRows: data.rows } } };
  const epochSeconds = [], uploadSeconds = [], losses = [];
  let plan = null, upload = null, epochsWire = null;
  const bytes = (a, b) => ({ sent: b.bytesSent - a.bytesSent, received: b.bytesReceived - a.bytesReceived, retransmits: b.retransmits - a.retransmits });
  for (let r = 0; r < warmup + runsN; r++) {
    plan = await lib.configureBoard(board, residentRun);
    const before = board.stats();
    const t0 = performance.now();
    await board.storeRows(data.x, data.t, 0, data.nIn, data.nT, { clear: true });
    const held = await board.storeRows(data.x, data.t, data.rows, data.nIn, data.nT);
    if (held.held !== data.rows) throw new Error(`the store holds ${held.held} rows after an upload of ${data.rows}`);
    const t1 = performance.now();
    const mid = board.stats();
    await board.setLr(s.run.optimizer.lr);
    let loss = NaN;
    for (let epoch = 0; epoch < s.epochs; epoch++) {
      const results = await board.trainStored({ rows: data.rows, batch: s.batch, epoch, shuffle: false });
      const bad = results.find((x) => x.status !== 0);
      if (bad) throw new Error(`resident epoch ${epoch + 1} batch ${bad.index + 1}: status ${bad.status}`);
      loss = results.reduce((a, x) => a + x.lossSum, 0) / data.rows;
    }
    const t2 = performance.now();
    const after = board.stats();
    if (r < warmup) continue;
    uploadSeconds.push((t1 - t0) / 1000);
    epochSeconds.push((t2 - t1) / 1000);
    losses.push(loss);
    upload = bytes(before, mid);
    epochsWire = bytes(mid, after);
  }
  const med = median(epochSeconds);
  const out = {
    ...base, mode: 'resident', epochs: s.epochs, runs: epochSeconds.map((x) => Math.round((w.rows * s.epochs) / x)),
    samples_per_s: Math.round((w.rows * s.epochs) / med), seconds: +med.toFixed(6),
    upload_seconds: +median(uploadSeconds).toFixed(6), upload_bytes: upload.sent + upload.received,
    final_loss: +losses[losses.length - 1].toPrecision(9), deterministic: losses.every((l) => l === losses[0]),
    bytes: plan.total_bytes, store_bytes: plan.store_bytes, plan,
    board: board.description, protocol: info.protocol, build_id: info.buildId, hello_ms: +helloMs.toFixed(2),
    link: epochsWire,
    epochs_per_s: +(s.epochs / med).toPrecision(4),
    line_bytes_per_epoch: Math.round((epochsWire.sent + epochsWire.received) / s.epochs),
  };
  if (o.baud) {
    out.baud = o.baud;
    out.wire_share = +(epochsWire.sent / (med * (o.baud / 10))).toFixed(4);
  }
  return out;
}

function parseCli(argv) {
  const o = { variant: 'v8', workload: 'P2', quick: false, probe: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const val = () => (eq > 0 ? arg.slice(eq + 1) : argv[++i]);
    const int = () => { const v = Number(val()); if (!Number.isInteger(v) || v < 0) throw new Error(`${flag}: expected an integer`); return v; };
    switch (flag) {
      case '--variant': o.variant = val(); break;
      case '--workload': case '-w': o.workload = val(); break;
      case '--runs': o.runs = int(); break;
      case '--warmup': o.warmup = int(); break;
      case '--epochs': o.epochs = int(); break;
      case '--chunk': o.chunk = int(); break;
      case '--baud': o.baud = int(); break;
      case '--seed': o.seed = int(); break;
      case '--quick': o.quick = true; break;
      case '--probe': o.probe = true; break;
      case '--resident': o.resident = true; break;
      default: throw new Error(`unknown argument ${arg}`);
    }
  }
  toolName(o.variant);
  return o;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const o = parseCli(process.argv.slice(2));
  // A failure (also one thrown from a link's event handler) is one JSON line too.
  const fail = (err) => {
    process.stderr.write(`${err?.stack ?? err}\n`);
    process.stdout.write(JSON.stringify({ tool: toolName(o.variant) + (o.baud ? `@${o.baud}` : ''),
      workload: getWorkload(o.workload).name, error: String(err?.message ?? err).split('\n')[0] }) + '\n');
    process.exit(1);
  };
  process.on('uncaughtException', fail);
  process.on('unhandledRejection', fail);
  const out = await (o.probe ? probe(o.variant, o.chunk) : measure(o)).catch(fail);
  process.stdout.write(JSON.stringify(out) + '\n');
  // A board in a child process that did not close cleanly must not hold us.
  process.exit(0);
}
