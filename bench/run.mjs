#!/usr/bin/env node
// npm run bench [-- --quick]: edgeprop beside its peers on the same workloads
// (P1, P2, P3 of bench/workloads.mjs, docs/benchmarks.md "Workloads"), in one run, so the ratios hold on a noisy
// machine. Prints Markdown tables and writes bench/results.json (atomically).
//
//   node bench/run.mjs [--quick] [--runs N] [--rounds N] [--warmup N] [--workloads P1,P2,P3]
//                      [--tools NAME,...] [--out FILE] [--docs | --no-docs]
//                      [--no-wasm2c-build] [--timeout SECONDS]
//
// Every speed row runs in its own child process, one at a time (bench/edgeprop.mjs
// for edgeprop's boards, bench/peers/*.mjs for the others); each prints one JSON
// line with the samples/s of its timed runs after its warm-up. A round runs every
// row once; a row's figure is the median of its timed runs over all rounds.
//   (full)       5 timed runs x 2 rounds, the workloads' own epochs
//   --quick      3 timed runs x 2 rounds; P3 2 epochs; wasm3 a quarter of the epochs
//                (at least 1); meant to finish within 5 minutes on 2 cores
//   --docs       also rewrite the generated part of docs/benchmarks.md (default for a
//                full run; a --quick run leaves the docs alone unless --docs is given)
// EDGEPROP_WASM3=/path/to/wasm3 adds a wasm3 that is not on the PATH.
// Targets are reported, never asserted: the exit code is 0 unless a row failed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync, readdirSync, mkdirSync } from 'node:fs';
import { cpus, availableParallelism, type as osType, release as osRelease, arch, totalmem, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WORKLOADS, getWorkload } from './workloads.mjs';
import {
  ROOT, DIST, WASM2C_BOARD, defaultChunk, toolName, dataset, workloadFlags, loadLibrary,
} from './edgeprop.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const T0 = performance.now();
const elapsed = () => (performance.now() - T0) / 1000;
const log = (msg) => process.stderr.write(`[${elapsed().toFixed(1).padStart(6)}s] ${msg}\n`);

// --------------------------------------------------------------------------
// options

function parseCli(argv) {
  const o = { quick: false, runs: undefined, rounds: undefined, warmup: 1, workloads: ['P1', 'P2', 'P3'], tools: null,
    out: join(HERE, 'results.json'), docs: undefined, wasm2cBuild: true, timeout: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const val = () => { const v = eq > 0 ? arg.slice(eq + 1) : argv[++i]; if (v === undefined) throw new Error(`${flag} needs a value`); return v; };
    const int = (min) => { const v = Number(val()); if (!Number.isInteger(v) || v < min) throw new Error(`${flag}: expected an integer >= ${min}`); return v; };
    switch (flag) {
      case '--quick': o.quick = true; break;
      case '--runs': o.runs = int(1); break;
      case '--warmup': o.warmup = int(0); break;
      case '--rounds': o.rounds = int(1); break;
      case '--workloads': case '--workload': o.workloads = val().split(',').map((k) => getWorkload(k.trim()).id); break;
      case '--tools': case '--tool': o.tools = val().split(',').map((s) => s.trim()).filter(Boolean); break;
      case '--out': o.out = val(); break;
      case '--docs': o.docs = true; break;
      case '--no-docs': o.docs = false; break;
      case '--no-wasm2c-build': o.wasm2cBuild = false; break;
      case '--timeout': o.timeout = int(1); break;
      case '--help': case '-h':
        {
          const src = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1);
          const head = src.slice(0, src.findIndex((l) => !l.startsWith('//')));
          process.stdout.write(head.map((l) => l.slice(3)).join('\n') + '\n');
        }
        process.exit(0);
        break;
      default: throw new Error(`unknown argument ${arg} (see --help)`);
    }
  }
  if (o.runs === undefined) o.runs = o.quick ? 3 : 5;
  if (o.rounds === undefined) o.rounds = 2;
  if (o.docs === undefined) o.docs = !o.quick && !o.tools && o.workloads.length === WORKLOADS.length;
  if (o.timeout === undefined) o.timeout = o.quick ? 150 : 900;
  return o;
}

const opts = parseCli(process.argv.slice(2));
const wanted = (tool) => !opts.tools || opts.tools.some((t) => tool === t || tool.startsWith(t));

// --------------------------------------------------------------------------
// the machine

function sh(cmd, args, o = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', cwd: ROOT, ...o });
  return { ok: !r.error && r.status === 0, out: (r.stdout ?? '').trim(), err: (r.stderr ?? '').trim(), status: r.status, error: r.error };
}

function firstLine(s) { return (s || '').split('\n')[0].trim(); }

function which(name) {
  const r = sh('sh', ['-c', `command -v ${name}`]);
  return r.ok && r.out ? r.out : null;
}

function pkgVersion(name) {
  try { return JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version; } catch { return null; }
}

function machineInfo() {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) cpuModel = m[1].trim();
  } catch { /* not Linux */ }
  let os = `${osType()} ${osRelease()}`;
  try {
    const m = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (m) os = `${m[1]} (${osType()} ${osRelease()})`;
  } catch { /* not Linux */ }
  const git = sh('git', ['rev-parse', '--short', 'HEAD']);
  const dirty = sh('git', ['status', '--porcelain', '--untracked-files=no']);
  return {
    cpu: cpuModel,
    cores: typeof availableParallelism === 'function' ? availableParallelism() : cpus().length,
    node: process.version,
    v8: process.versions.v8,
    os,
    arch: arch(),
    memory_gb: +(totalmem() / 2 ** 30).toFixed(1),
    gcc: firstLine(sh('gcc', ['--version']).out) || null,
    tfjs: pkgVersion('@tensorflow/tfjs'),
    tfjs_backend_wasm: pkgVersion('@tensorflow/tfjs-backend-wasm'),
    edgeprop_commit: git.ok ? git.out + (dirty.ok && dirty.out ? '+dirty' : '') : null,
    loadavg_start: loadavg().map((x) => +x.toFixed(2)),
  };
}

// --------------------------------------------------------------------------
// builds (not timed)

function newestMtime(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

function ensureBuilt(notes) {
  const wasm = join(ROOT, 'build', 'edgeprop.wasm');
  if (!existsSync(DIST) || !existsSync(wasm)) {
    log('dist/ or build/ missing: npm run build');
    const r = sh(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (!r.ok) throw new Error('npm run build failed');
    return;
  }
  const built = Math.min(statSync(DIST).mtimeMs, statSync(wasm).mtimeMs);
  const src = Math.max(newestMtime(join(ROOT, 'assembly')), newestMtime(join(ROOT, 'host')));
  if (src > built) {
    const msg = 'assembly/ or host/ is newer than build/ and dist/: these figures are of the last build (npm run build to refresh)';
    log(`warning: ${msg}`);
    notes.push(msg);
  }
}

/** The wasm2c board: make -C boards/posix ENGINE=wasm2c, into bench/out/. */
function buildWasm2c() {
  if (!opts.wasm2cBuild) return existsSync(WASM2C_BOARD) ? null : 'not built (--no-wasm2c-build)';
  if (!existsSync(join(ROOT, 'boards', 'posix', 'Makefile'))) return 'boards/posix/Makefile not found';
  mkdirSync(join(HERE, 'out'), { recursive: true });
  const t = performance.now();
  const r = sh('make', ['-s', '-C', join(ROOT, 'boards', 'posix'), 'ENGINE=wasm2c',
    `OBJ=${join(HERE, 'out', 'wasm2c')}`, `BIN=${WASM2C_BOARD}`]);
  if (!r.ok) {
    const why = r.error ? r.error.message : (r.err || r.out).split('\n').filter(Boolean).slice(-2).join(' / ');
    return `make -C boards/posix ENGINE=wasm2c failed: ${why.slice(0, 300)}`;
  }
  if (!existsSync(WASM2C_BOARD)) return 'make succeeded but produced no board binary';
  log(`wasm2c board built in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return null;
}

// --------------------------------------------------------------------------
// child processes

function runChild(label, script, args, env) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [script, ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: opts.timeout * 1000, maxBuffer: 64 << 20,
    env: { ...process.env, ...env },
  });
  const wall = (performance.now() - t) / 1000;
  const lines = (r.stdout ?? '').trim().split('\n').filter((l) => l.startsWith('{'));
  let row = null;
  try { row = lines.length ? JSON.parse(lines[lines.length - 1]) : null; } catch { row = null; }
  if (r.error || r.status !== 0 || !row) {
    const tail = (r.stderr ?? '').trim().split('\n').slice(-3).join(' / ');
    const why = r.error?.code === 'ETIMEDOUT' ? `timed out after ${opts.timeout} s`
      : r.error ? r.error.message : `exit ${r.status}${r.signal ? ` (${r.signal})` : ''}`;
    row = { ...(row ?? {}), error: `${why}${tail ? `: ${tail.slice(0, 400)}` : ''}` };
  }
  row.wall_s = +wall.toFixed(2);
  return row;
}

// --------------------------------------------------------------------------
// rows

// In --quick mode only the interpreter gets fewer epochs: TensorFlow.js pays a
// per-fit overhead, so cutting its epochs would flatter edgeprop's ratio to it.
const SLOW = new Set(['edgeprop-wasi-wasm3']);

function epochsFor(w, tool) {
  if (!opts.quick) return w.epochs;
  const e = w.id === 'P3' ? 2 : w.epochs;
  return SLOW.has(tool) ? Math.max(1, Math.ceil(e / 4)) : e;
}

const PEERS = [
  { tool: 'plain-c', script: 'peers/plain-c.mjs', args: [] },
  { tool: 'plain-js', script: 'peers/plain-js.mjs', args: [] },
  { tool: 'tfjs-cpu', script: 'peers/tfjs.mjs', args: ['--backend', 'cpu'] },
  { tool: 'tfjs-wasm', script: 'peers/tfjs.mjs', args: ['--backend', 'wasm'] },
];

function edgepropVariants() {
  const list = [
    { variant: 'v8' },
    { variant: 'memory-link' },
    { variant: 'wasi:node' },
  ];
  const wasm3 = process.env.EDGEPROP_WASM3 || which('wasm3');
  if (wasm3 && existsSync(wasm3)) {
    const v = firstLine(sh(wasm3, ['--version']).out);
    list.push({ variant: 'wasi:wasm3', runtime: { path: wasm3, version: v || null } });
  } else {
    list.push({ variant: 'wasi:wasm3', skipped: process.env.EDGEPROP_WASM3 ? `EDGEPROP_WASM3=${process.env.EDGEPROP_WASM3} not found`
      : 'wasm3 is not on the PATH (set EDGEPROP_WASM3=/path/to/wasm3 to add one)' });
  }
  const wasmtime = which('wasmtime');
  if (wasmtime) list.push({ variant: 'wasi:wasmtime', runtime: { path: wasmtime, version: firstLine(sh(wasmtime, ['--version']).out) || null } });
  else list.push({ variant: 'wasi:wasmtime', skipped: 'wasmtime is not on the PATH' });
  list.push({ variant: 'wasm2c' });
  return list.map((v) => ({ ...v, tool: toolName(v.variant) }));
}

function fmtInt(n) { return n === null || n === undefined ? '' : Math.round(n).toLocaleString('en-US'); }
function fmtRatio(x) { return x === null || x === undefined || !Number.isFinite(x) ? '' : x >= 10 ? x.toFixed(1) : x >= 0.1 ? x.toFixed(2) : x.toPrecision(2); }
function median(a) {
  const s = [...a].sort((p, q) => p - q);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
/** (max - min) / median of the timed runs. */
function spread(runs) {
  if (!runs || runs.length < 2) return null;
  return +((Math.max(...runs) - Math.min(...runs)) / median(runs)).toFixed(3);
}

// --------------------------------------------------------------------------
// memory: edgeprop plan beside the theoretical minimum

const PLAN_OPTIMIZERS = ['sgd', 'momentum', 'adagrad', 'rmsprop', 'adam'];
const MIN_SLOTS = { sgd: 0, momentum: 1, adagrad: 1, rmsprop: 1, adam: 2 };
const AIFES_P2_ADAM = 33136;

function memoryRows(lib, chunks) {
  const staticBytes = new lib.DirectBoard().e.static_bytes();
  const rows = [];
  for (const id of opts.workloads) {
    const w = getWorkload(id);
    const chunk = chunks[id];
    for (const opt of PLAN_OPTIMIZERS) {
      const flags = workloadFlags(w, 1, chunk).map((f, i, a) => (a[i - 1] === '--opt' ? opt : f));
      const lrAt = flags.indexOf('--lr');
      flags.splice(lrAt, 2); // each optimizer's own default lr; the plan does not depend on it
      const p = lib.prepareRun(lib.parseArgs(flags, lib.SIM_OPTIONS, 'sim'), dataset(w));
      const plan = lib.computePlan(p.settings.run, staticBytes);
      let params = 0;
      for (let l = 1; l < w.layers.length; l++) params += w.layers[l] * (w.layers[l - 1] + 1);
      const levels = w.layers.reduce((a, b) => a + b, 0);
      const minBytes = params * (2 + MIN_SLOTS[opt]) * 4 + chunk * levels * 4;
      rows.push({
        kind: 'memory', tool: 'edgeprop-plan', workload: w.name, optimizer: opt, chunk, samples_per_s: null,
        bytes: plan.total_bytes, min_bytes: minBytes, over_min: +(plan.total_bytes / minBytes).toFixed(3),
        training_bytes: plan.params_bytes + plan.grads_bytes + plan.optimizer_bytes + plan.activations_bytes,
        parameters: params, plan,
      });
    }
    if (id === 'P2') {
      rows.push({ kind: 'memory', tool: 'aifes', workload: w.name, optimizer: 'adam', samples_per_s: null,
        bytes: AIFES_P2_ADAM, parameters_bytes: 6928, training_bytes: 26208, source: 'AIfES, native C, measured on the same machines for P2 (docs/benchmarks.md)' });
    }
  }
  // The CLI must say the same (edgeprop plan --json) for the row the issue names.
  const p2 = rows.find((r) => r.tool === 'edgeprop-plan' && r.workload === 'P2-mlp-small' && r.optimizer === 'adam');
  if (p2) {
    const w = getWorkload('P2');
    const r = sh(process.execPath, [join(ROOT, 'bin', 'edgeprop.js'), 'plan', '--layers', w.layers.join(','), '--act', w.act,
      '--loss', w.loss, '--opt', 'adam', '--batch', String(w.batch), '--chunk', String(p2.chunk), '--json']);
    try { p2.cli_total_bytes = JSON.parse(r.out).total_bytes; } catch { p2.cli_total_bytes = null; }
  }
  return rows;
}

// --------------------------------------------------------------------------
// tables

function speedTable(rows) {
  const out = ['| workload | tool | samples/s | x edgeprop-v8 | board compute samples/s | epochs | runs (spread) | final loss | board bytes | note |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | --- |'];
  for (const r of rows) {
    const note = r.skipped ? `skipped: ${r.skipped}` : r.error ? `error: ${r.error}` : r.note ?? '';
    const runs = r.runs ? `${r.runs.length}${r.spread !== null && r.spread !== undefined ? ` (${(r.spread * 100).toFixed(0)}%)` : ''}` : '';
    out.push(`| ${r.id} | ${r.tool} | ${fmtInt(r.samples_per_s)} | ${fmtRatio(r.ratio_to_edgeprop_v8)} | ${fmtInt(r.board_samples_per_s)} | ${r.epochs ?? ''} | ${runs} | ${r.final_loss !== undefined ? Number(r.final_loss).toPrecision(5) : ''} | ${fmtInt(r.bytes)} | ${note.replace(/\|/g, '\\|')} |`);
  }
  return out.join('\n');
}

/** Epochs of a resident row: enough that the per-epoch figure is not one epoch's noise. */
const RESIDENT_EPOCHS = 10;

function linkTable(rows) {
  const out = ['| link | baud | rows x epochs | seconds (median) | epochs/s | line bytes / epoch (sent + received) | payload bytes/s | goodput (share of line rate) | wire bytes / line rate | note |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |'];
  for (const r of rows) {
    const upload = r.mode === 'resident' && r.upload_seconds !== undefined
      ? `once before the epochs: the upload, ${r.upload_seconds.toFixed(2)} s and ${fmtInt(r.upload_bytes)} line bytes` : '';
    const note = r.skipped ? `skipped: ${r.skipped}` : r.error ? `error: ${r.error}` : upload;
    out.push(`| ${r.tool} (${r.mode ?? 'streaming'}) | ${fmtInt(r.baud)} | ${r.rows ?? ''} x ${r.epochs ?? ''} | ${r.seconds ?? ''} | ${r.epochs_per_s ?? ''} | ${fmtInt(r.line_bytes_per_epoch)} | ${fmtInt(r.goodput_bytes_per_s)} | ${r.goodput_share !== undefined ? (r.goodput_share * 100).toFixed(1) + '%' : ''} | ${r.wire_share !== undefined && r.wire_share !== null ? (r.wire_share * 100).toFixed(1) + '%' : ''} | ${note.replace(/\|/g, '\\|')} |`);
  }
  return out.join('\n');
}

function memoryTable(rows) {
  const out = ['| workload | optimizer | chunk | edgeprop plan bytes | of which training (params, grads, state, activations) | theoretical minimum | plan / minimum | AIfES |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |'];
  for (const r of rows.filter((r) => r.tool === 'edgeprop-plan')) {
    const aifes = rows.find((a) => a.tool === 'aifes' && a.workload === r.workload && a.optimizer === r.optimizer);
    out.push(`| ${r.workload} | ${r.optimizer} | ${r.chunk} | ${fmtInt(r.bytes)} | ${fmtInt(r.training_bytes)} | ${fmtInt(r.min_bytes)} | ${r.over_min.toFixed(2)} | ${aifes ? fmtInt(aifes.bytes) : ''} |`);
  }
  return out.join('\n');
}

function targetTable(targets) {
  const out = ['| target | measured | goal | met |', '| --- | ---: | ---: | --- |'];
  for (const t of targets) {
    const v = t.value === null ? 'n/a' : t.format === 'int' ? fmtInt(t.value) : t.format === 'pct' ? `${(t.value * 100).toFixed(1)}%` : `${fmtRatio(t.value)}`;
    const goal = t.goal === null ? '-' : t.format === 'int' ? `${t.op} ${fmtInt(t.goal)}` : t.format === 'pct' ? `${t.op} ${(t.goal * 100).toFixed(0)}%` : `${t.op} ${fmtRatio(t.goal)}`;
    out.push(`| ${t.name} | ${v} | ${goal} | ${t.met === null ? (t.value === null ? (t.why ?? 'not measured') : '') : t.met ? 'yes' : 'no'} |`);
  }
  return out.join('\n');
}

// --------------------------------------------------------------------------
// main

async function main() {
  const notes = [];
  const machine = machineInfo();
  log(`edgeprop bench${opts.quick ? ' --quick' : ''}: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);
  ensureBuilt(notes);
  const lib = await loadLibrary();

  // Which boards, and the chunk each workload uses on all of them.
  const variants = edgepropVariants().filter((v) => wanted(v.tool) || (v.variant === 'v8'));
  const wasm2cSkip = variants.some((v) => v.variant === 'wasm2c') ? buildWasm2c() : null;
  for (const v of variants) if (v.variant === 'wasm2c' && wasm2cSkip) v.skipped = wasm2cSkip;
  const wanted0 = defaultChunk();
  const chunks = Object.fromEntries(opts.workloads.map((id) => [id, Math.max(1, Math.min(getWorkload(id).batch, wanted0))]));
  const chunkWhy = {};
  for (const v of variants) {
    if (v.skipped) continue;
    const p = runChild(`probe ${v.tool}`, join(HERE, 'edgeprop.mjs'), ['--probe', '--variant', v.variant, '--chunk', String(wanted0)]);
    if (p.skipped || p.error) { v.skipped = p.skipped; v.probeError = p.error; continue; }
    v.board = { description: p.description, memory_limit: p.memory_limit, max_chunk: p.max_chunk };
    for (const id of opts.workloads) {
      if (p.chunks?.[id] && p.chunks[id] < chunks[id]) { chunks[id] = p.chunks[id]; chunkWhy[id] = v.tool; }
    }
  }
  log(`chunks: ${opts.workloads.map((id) => `${id} ${chunks[id]}${chunkWhy[id] ? ` (limited by ${chunkWhy[id]})` : ''}`).join(', ')}`);
  machine.runtimes = Object.fromEntries(variants.filter((v) => v.runtime).map((v) => [v.tool, v.runtime]));
  machine.wasm2c = firstLine(sh('wasm2c', ['--version']).out) || null;

  // Speed: every (workload, tool) pair once per round; a round covers every
  // workload, so a burst of load elsewhere on the machine hits one round of each
  // row rather than every run of one row. The row's figure is the median of all
  // its timed runs over the rounds.
  const byKey = new Map();
  const speed = [];
  const plan = [];
  for (const id of opts.workloads) {
    const w = getWorkload(id);
    for (const v of variants) {
      if (!wanted(v.tool) && v.variant !== 'v8') continue;
      plan.push({ id, w, tool: v.tool, epochs: epochsFor(w, v.tool), v });
    }
    for (const peer of PEERS) if (wanted(peer.tool)) plan.push({ id, w, tool: peer.tool, epochs: epochsFor(w, peer.tool), peer });
  }
  for (let round = 1; round <= opts.rounds; round++) {
    for (const job of plan) {
      const { id, w, tool, epochs, v, peer } = job;
      const key = `${id}|${tool}`;
      const prev = byKey.get(key);
      if (prev && (prev.skipped || prev.error)) continue;
      let row;
      if (v && (v.skipped || v.probeError)) {
        row = { tool, workload: w.name, epochs, chunk: chunks[id], ...(v.skipped ? { skipped: v.skipped } : { error: v.probeError }) };
      } else if (v) {
        row = runChild(tool, join(HERE, 'edgeprop.mjs'), ['--variant', v.variant, '--workload', id,
          '--runs', String(opts.runs), '--warmup', String(opts.warmup), '--epochs', String(epochs), '--chunk', String(chunks[id])]);
      } else {
        row = runChild(tool, join(HERE, peer.script), [...peer.args, '--workload', id,
          '--runs', String(opts.runs), '--warmup', String(opts.warmup), '--epochs', String(epochs)]);
      }
      row = { kind: 'speed', id, workload: w.name, ...row, tool };
      if (!prev) {
        row.round_medians = row.samples_per_s ? [row.samples_per_s] : [];
        row.board_round_medians = row.board_samples_per_s ? [row.board_samples_per_s] : [];
        byKey.set(key, row);
        speed.push(row);
      } else {
        const runs = [...(prev.runs ?? []), ...(row.runs ?? [])];
        const medians = [...prev.round_medians, ...(row.samples_per_s ? [row.samples_per_s] : [])];
        const board = [...prev.board_round_medians, ...(row.board_samples_per_s ? [row.board_samples_per_s] : [])];
        const wall = +((prev.wall_s ?? 0) + (row.wall_s ?? 0)).toFixed(2);
        Object.assign(prev, row, { runs, round_medians: medians, board_round_medians: board, wall_s: wall });
        if (runs.length) prev.samples_per_s = Math.round(median(runs));
        if (board.length) prev.board_samples_per_s = Math.round(median(board));
      }
      const shown = byKey.get(key);
      const tag = opts.rounds > 1 ? `round ${round}/${opts.rounds} ` : '';
      log(`${tag}${id} ${tool.padEnd(22)} ${row.skipped ? `skipped: ${row.skipped}` : row.error ? `ERROR ${row.error}` : `${fmtInt(row.samples_per_s)} samples/s${prev ? ` (so far ${fmtInt(shown.samples_per_s)})` : ''}`}`);
    }
  }
  for (const id of opts.workloads) {
    const v8 = speed.find((r) => r.id === id && r.tool === 'edgeprop-v8' && r.samples_per_s);
    for (const r of speed.filter((r) => r.id === id)) {
      r.ratio_to_edgeprop_v8 = v8 && r.samples_per_s ? +(r.samples_per_s / v8.samples_per_s).toFixed(4) : null;
      r.spread = spread(r.runs);
      if (r.runs?.length) r.best_samples_per_s = Math.max(...r.runs);
      if (r.bytes === undefined) r.bytes = null;
      if (r.samples_per_s === undefined) r.samples_per_s = null;
    }
  }

  // The link: P1 streamed through the protocol at a simulated line rate, and
  // the same rows resident on the board (RESIDENT_EPOCHS epochs after one upload).
  const link = [];
  if (opts.workloads.includes('P1') && wanted('edgeprop-memory-link')) {
    const w = getWorkload('P1');
    const ml = variants.find((v) => v.variant === 'memory-link');
    for (const baud of [115200, 921600]) {
      const tool = `edgeprop-memory-link@${baud}`;
      let row;
      if (ml?.skipped || ml?.probeError) row = { tool, workload: w.name, baud, epochs: 1, ...(ml.skipped ? { skipped: ml.skipped } : { error: ml.probeError }) };
      else {
        row = runChild(tool, join(HERE, 'edgeprop.mjs'), ['--variant', 'memory-link', '--baud', String(baud), '--workload', 'P1',
          '--runs', String(opts.quick ? 2 : opts.runs), '--warmup', String(opts.quick ? 0 : 1), '--epochs', '1', '--chunk', String(chunks.P1)]);
      }
      row = { kind: 'link', id: 'P1', workload: w.name, baud, mode: 'streaming', ...row, tool };
      if (row.samples_per_s === undefined) row.samples_per_s = null;
      if (row.bytes === undefined) row.bytes = null;
      link.push(row);
      log(`P1 ${tool.padEnd(22)} ${row.skipped ? `skipped: ${row.skipped}` : row.error ? `ERROR ${row.error}` : `goodput ${(row.goodput_share * 100).toFixed(1)}% of the line rate`}`);
      // The same rows resident on the board: uploaded once, then epochs with no rows on the line.
      let res;
      if (ml?.skipped || ml?.probeError) res = { tool, workload: w.name, baud, epochs: RESIDENT_EPOCHS, ...(ml.skipped ? { skipped: ml.skipped } : { error: ml.probeError }) };
      else {
        res = runChild(`${tool} resident`, join(HERE, 'edgeprop.mjs'), ['--variant', 'memory-link', '--baud', String(baud), '--workload', 'P1', '--resident',
          '--runs', String(opts.quick ? 2 : opts.runs), '--warmup', String(opts.quick ? 0 : 1), '--epochs', String(RESIDENT_EPOCHS), '--chunk', String(chunks.P1)]);
      }
      res = { kind: 'link', id: 'P1', workload: w.name, baud, ...res, mode: 'resident', tool };
      if (res.samples_per_s === undefined) res.samples_per_s = null;
      if (res.bytes === undefined) res.bytes = null;
      link.push(res);
      log(`P1 ${tool.padEnd(22)} resident ${res.skipped ? `skipped: ${res.skipped}` : res.error ? `ERROR ${res.error}` : `${res.epochs_per_s} epochs/s, ${res.line_bytes_per_epoch} line bytes an epoch`}`);
    }
  }

  const memory = memoryRows(lib, chunks);
  const checked = memory.find((r) => r.cli_total_bytes !== undefined);
  if (checked && checked.cli_total_bytes !== checked.bytes) {
    notes.push(`edgeprop plan --json says ${checked.cli_total_bytes} bytes for P2/Adam, computePlan ${checked.bytes}`);
  }

  // Targets (issue 6), reported, not asserted.
  const sps = (id, tool) => speed.find((r) => r.id === id && r.tool === tool)?.samples_per_s ?? null;
  const ratio = (a, b) => (a && b ? a / b : null);
  const targets = [];
  const target = (name, value, op, goal, format = 'ratio', why) => {
    targets.push({ name, value: value ?? null, op, goal, format, met: value === null || value === undefined || goal === null ? null : op === '>=' ? value >= goal : value < goal, ...(why ? { why } : {}) });
  };
  target('P2 edgeprop-v8 / tfjs-wasm', ratio(sps('P2', 'edgeprop-v8'), sps('P2', 'tfjs-wasm')), '>=', 8);
  target('P2 edgeprop-v8 / plain-c (gcc -O2)', ratio(sps('P2', 'edgeprop-v8'), sps('P2', 'plain-c')), '>=', 0.64);
  target('P3 edgeprop-v8 samples/s', sps('P3', 'edgeprop-v8'), '>=', 40000, 'int');
  const p2plan = memory.find((r) => r.tool === 'edgeprop-plan' && r.workload === 'P2-mlp-small' && r.optimizer === 'adam');
  target('P2 Adam plan bytes (AIfES: 33,136)', p2plan?.bytes ?? null, '<', AIFES_P2_ADAM, 'int');
  const l115 = link.find((r) => r.baud === 115200);
  target('P1 streaming goodput at 115200 baud', l115?.goodput_share ?? null, '>=', 0.9, 'pct', l115?.skipped ? 'memory link not built' : undefined);
  const l921 = link.find((r) => r.baud === 921600);
  target('P1 streaming goodput at 921600 baud', l921?.goodput_share ?? null, '>=', null, 'pct', l921?.skipped ? 'memory link not built' : undefined);
  target('P2 edgeprop-wasi-wasm3 / plain-c (end to end, protocol over stdio)', ratio(sps('P2', 'edgeprop-wasi-wasm3'), sps('P2', 'plain-c')), '>=', 1 / 12, 'ratio', 'wasm3 not measured');
  const boardSps = (id, tool) => speed.find((r) => r.id === id && r.tool === tool)?.board_samples_per_s ?? null;
  target('P2 edgeprop-wasi-wasm3 board compute / plain-c', ratio(boardSps('P2', 'edgeprop-wasi-wasm3'), sps('P2', 'plain-c')), '>=', 1 / 12, 'ratio', 'wasm3 not measured, or its board time not reported');
  // Interpreter cost: compute rates, i.e. the board's own compute time where it
  // reports one (the WASI build and the memory link do), else the end-to-end
  // figure (edgeprop-v8 and the peers are in-process, so theirs is compute).
  const compute = (id, tool) => {
    const r = speed.find((x) => x.id === id && x.tool === tool);
    if (!r || !r.samples_per_s) return [null, null];
    return r.board_samples_per_s ? [r.board_samples_per_s, 'board compute'] : [r.samples_per_s, tool === 'edgeprop-v8' ? 'in-process' : 'end to end'];
  };
  for (const id of opts.workloads) {
    for (const other of ['edgeprop-v8', 'edgeprop-wasm2c']) {
      const [a, ba] = compute(id, 'edgeprop-wasi-wasm3');
      const [b, bb] = compute(id, other);
      target(`${id} edgeprop-wasi-wasm3 / ${other}${a && b ? ` (${ba} / ${bb})` : ''}`, ratio(a, b), '>=', null, 'ratio', `wasm3${other === 'edgeprop-v8' ? '' : ' or wasm2c'} not measured`);
    }
  }
  for (const id of opts.workloads) {
    target(`${id} edgeprop-memory-link / edgeprop-v8 (protocol cost)`, ratio(sps(id, 'edgeprop-memory-link'), sps(id, 'edgeprop-v8')), '>=', null, 'ratio', 'memory link not built');
  }

  // The emulated board (bench/board.mjs): instructions per sample per ISA and engine.
  const board = wanted('board') ? runChild('emulated board', join(HERE, 'board.mjs'), ['--json-line', '--workloads', (opts.quick ? ['P1'] : opts.workloads.filter((id) => id !== 'P3')).join(',')]) : null;
  if (board) log(`emulated board: ${board.error ?? board.skipped ?? `${board.rows.length} rows`}`);

  machine.loadavg_end = loadavg().map((x) => +x.toFixed(2));
  const total = elapsed();
  const result = {
    machine,
    mode: opts.quick ? 'quick' : 'full',
    date: new Date().toISOString(),
    runs: opts.runs, rounds: opts.rounds, warmup: opts.warmup,
    only: opts.tools || opts.workloads.length !== WORKLOADS.length
      ? [opts.workloads.length !== WORKLOADS.length ? `--workloads ${opts.workloads.join(',')}` : '', opts.tools ? `--tools ${opts.tools.join(',')}` : ''].filter(Boolean).join(' ')
      : null,
    chunks, elapsed_s: +total.toFixed(1),
    notes,
    targets,
    rows: [...speed, ...link, ...memory],
    board,
  };

  const md = renderMarkdown(result, speed, link, memory, targets);
  process.stdout.write(md + '\n');

  mkdirSync(dirname(opts.out), { recursive: true });
  const tmp = `${opts.out}.tmp-${process.pid}`;
  // Paths inside the repository are recorded relative to it: the file is
  // committed, and a machine's checkout path means nothing elsewhere.
  const repo = join(HERE, '..') + '/';
  const relative = (_k, v) => (typeof v === 'string' ? v.split(repo).join('') : v);
  writeFileSync(tmp, JSON.stringify(result, relative, 2) + '\n');
  renameSync(tmp, opts.out);
  log(`wrote ${opts.out}`);
  if (opts.docs) { updateDocs(md); log('updated docs/benchmarks.md'); }
  if (opts.quick && total > 300) log(`warning: --quick took ${total.toFixed(0)} s, over its 5-minute budget`);
  log(`done in ${total.toFixed(1)} s`);
  const failed = [...speed, ...link].filter((r) => r.error);
  if (failed.length) {
    log(`${failed.length} row(s) failed: ${failed.map((r) => `${r.id} ${r.tool}`).join(', ')}`);
    process.exitCode = 1;
  }
}

function renderMarkdown(result, speed, link, memory, targets) {
  const m = result.machine;
  const lines = [];
  lines.push(`Machine: ${m.cpu}, ${m.cores} cores, ${m.memory_gb} GB, ${m.os}, ${m.arch}; Node ${m.node} (V8 ${m.v8}); ${m.gcc ?? 'no gcc'}; ` +
    `TensorFlow.js ${m.tfjs ?? '?'}${m.wasm2c ? `; wasm2c ${m.wasm2c}` : ''}` +
    `${Object.entries(m.runtimes ?? {}).map(([k, v]) => `; ${k}: ${v.version ?? v.path}`).join('')}. ` +
    `edgeprop ${m.edgeprop_commit ?? '?'}. Load average ${m.loadavg_start.join(' ')} at the start, ${m.loadavg_end.join(' ')} at the end.`);
  lines.push('');
  const only = result.only ? ` restricted to ${result.only}` : '';
  lines.push(`Mode: ${result.mode} (\`npm run bench${result.mode === 'quick' ? ' -- --quick' : ''}\`${only}), ${result.date}, ${result.elapsed_s} s in all. ` +
    `Median of ${result.runs * result.rounds} timed runs per row (${result.rounds} round(s) of ${result.runs}, each after ${result.warmup} warm-up run(s)), each tool in its own process, one at a time. ` +
    `Chunk (rows the board holds at once) for every edgeprop row: ${Object.entries(result.chunks).map(([k, v]) => `${k} ${v}`).join(', ')}.`);
  for (const n of result.notes) lines.push('', `Note: ${n}`);
  lines.push('', '#### Training speed', '', speedTable(speed));
  if (link.length) lines.push('', '#### Serial link (simulated, P1 streamed and resident)', '', linkTable(link));
  lines.push('', '#### Memory on the board', '', memoryTable(memory));
  if (result.board) lines.push('', '#### Emulated board (QEMU riscv32, bench/board.mjs)', '', result.board.markdown ?? `error: ${result.board.error}`);
  lines.push('', '#### Targets (issue 6; reported, not asserted)', '', targetTable(targets));
  return lines.join('\n');
}

const BEGIN = '<!-- bench:begin (generated by npm run bench; edit outside these markers) -->';
const END = '<!-- bench:end -->';

function updateDocs(md) {
  const path = join(ROOT, 'docs', 'benchmarks.md');
  let doc = existsSync(path) ? readFileSync(path, 'utf8') : `# Benchmarks\n\n${BEGIN}\n${END}\n`;
  const a = doc.indexOf(BEGIN), b = doc.indexOf(END);
  if (a < 0 || b < a) doc = `${doc.trimEnd()}\n\n${BEGIN}\n${END}\n`;
  const i = doc.indexOf(BEGIN), j = doc.indexOf(END);
  doc = doc.slice(0, i + BEGIN.length) + '\n' + md + '\n' + doc.slice(j);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, doc);
  renameSync(tmp, path);
}

main().catch((err) => {
  process.stderr.write(`bench: ${err.stack ?? err}\n`);
  process.exit(1);
});
