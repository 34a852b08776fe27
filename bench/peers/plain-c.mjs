#!/usr/bin/env node
// Compile bench/peers/plain.c (gcc -O2 -std=c99, no -march=native, no -ffast-math)
// into bench/out/plain-c and run it on a workload; relays its one JSON line.
//   node bench/peers/plain-c.mjs --workload P2 --runs 5 [--warmup 1] [--quick]
import { spawnSync } from 'node:child_process';
import { mkdirSync, existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCli, emit } from './common.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const src = join(here, 'plain.c');
const outDir = join(here, '..', 'out');
const exe = join(outDir, 'plain-c');

const cli = parseCli();
const w = cli.w;

const probe = spawnSync('gcc', ['--version'], { encoding: 'utf8' });
if (probe.error || probe.status !== 0) {
  emit({ tool: 'plain-c', workload: w.name, epochs: cli.epochs, skipped: 'gcc not found' });
  process.exit(0);
}

mkdirSync(outDir, { recursive: true });
if (!existsSync(exe) || statSync(exe).mtimeMs < statSync(src).mtimeMs) {
  const cc = spawnSync('gcc', ['-O2', '-std=c99', '-o', exe, src, '-lm'], { encoding: 'utf8' });
  if (cc.status !== 0) {
    process.stderr.write(cc.stderr || String(cc.error));
    emit({ tool: 'plain-c', workload: w.name, epochs: cli.epochs, error: 'compile failed' });
    process.exit(1);
  }
}

const args = [
  w.name, w.layers.join(','), w.act, w.loss, w.optimizer.name, String(w.optimizer.lr),
  String(w.batch), String(w.rows), String(cli.epochs), String(cli.runs), String(cli.warmup), String(cli.seed),
];
const run = spawnSync(exe, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
if (run.status !== 0) {
  emit({ tool: 'plain-c', workload: w.name, epochs: cli.epochs, error: `exit ${run.status}` });
  process.exit(1);
}
const line = run.stdout.trim().split('\n').pop();
emit(JSON.parse(line));
