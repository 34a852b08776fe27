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
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1] : def; };
const counts = arg('clients', '8,16,32,64').split(',').map(Number);
const rounds = Number(arg('rounds', '4'));

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
