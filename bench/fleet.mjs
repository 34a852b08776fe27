// What a fleet round costs as the fleet grows (issue 24's numbers): `fleet
// sim` with 8 to 64 simulated clients on the embedded broker, all in one
// process (the coordinator, the broker and every client's board), no drops,
// spiral (300 rows, 2,32,3), 1 local epoch. Per client count: the mean wall
// seconds of a round (rounds 2..R: round 1 includes no start-up, but the
// JIT warms in it), the payload bytes per round per client, and the
// process's peak resident memory. The clients' training shares the CPU with
// the coordinator: this is the fleet's cost on one machine, not the
// coordinator's alone.
//
//   node bench/fleet.mjs [--clients 8,16,32,64] [--rounds 4]
//
// With --accuracy: issue 24's other number, the rounds the fleet needs to
// reach centralized accuracy minus 1 point (the centralized run's accuracy
// after its last round's epochs), f32 and f16, on docs/fleet.md's digits run
// (16 clients, Dirichlet(0.5), 25% dropping, SGD lr 0.05, 2 local epochs).
// Deterministic: the same figures on every machine.
//
//   node bench/fleet.mjs --accuracy [--rounds 40]
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1] : def; };
const counts = arg('clients', '8,16,32,64').split(',').map(Number);
const rounds = Number(arg('rounds', '4'));

if (process.argv.includes('--accuracy')) {
  const r = Number(arg('rounds', '40'));
  console.log('| weights | rounds to centralized - 1 point | fleet accuracy then | centralized after round ' + r + ' | fleet after round ' + r + ' | bytes per round per client |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const compress of ['f32', 'f16']) {
    const run = spawnSync(process.execPath, [join(ROOT, 'bin', 'edgeprop.js'), 'fleet', 'sim', '--data', join(ROOT, 'data', 'digits.csv'), '--loss', 'ce',
      '--hidden', '32', '--opt', 'sgd', '--lr', '0.05', '--batch', '16', '--val-split', '0.25', '--clients', '16', '--split', 'dirichlet:0.5',
      '--drop-rate', '0.25', '--rounds', String(r), '--local-epochs', '2', '--compress', compress, '--json'], { encoding: 'utf8', cwd: ROOT });
    if (run.status !== 0) { console.error(run.stderr); process.exit(1); }
    const events = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const rounds = events.filter((e) => e.event === 'round');
    const done = events.find((e) => e.event === 'done');
    const target = done.centralized_val_accuracy - 0.01;
    const reached = rounds.find((e) => e.val_accuracy >= target);
    const pct = (v) => `${(100 * v).toFixed(1)}%`;
    console.log(`| ${compress} | ${reached ? reached.round : `not in ${r}`} | ${reached ? pct(reached.val_accuracy) : '-'} | ${pct(done.centralized_val_accuracy)} | ${pct(done.val_accuracy)} | ${done.bytes_per_round_per_client} |`);
  }
  process.exit(0);
}

console.log('| clients | s per round | bytes per round per client | peak RSS MiB |');
console.log('| --- | --- | --- | --- |');
for (const n of counts) {
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, join(ROOT, 'bin', 'edgeprop.js'), 'fleet', 'sim', '--dataset', 'spiral',
    '--clients', String(n), '--rounds', String(rounds), '--json', '--no-centralized'], { encoding: 'utf8', cwd: ROOT });
  if (r.status !== 0) { console.error(r.stderr); process.exit(1); }
  const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const rs = events.filter((e) => e.event === 'round').slice(1);
  const secs = rs.reduce((s, e) => s + e.seconds, 0) / rs.length;
  const done = events.find((e) => e.event === 'done');
  const rssKiB = Number(r.stderr.trim().split('\n').pop());
  console.log(`| ${n} | ${secs.toFixed(3)} | ${done.bytes_per_round_per_client} | ${(rssKiB / 1024).toFixed(0)} |`);
}
