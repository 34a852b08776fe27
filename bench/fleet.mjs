// How the coordinator's own cost grows with the fleet (issue 24's numbers):
// the coordinator is `fleet serve --json` in a process of its own; the
// broker (aedes) and N simulated clients (each its own simulated board,
// spiral's rows dealt iid, 1 local epoch) run in this process, so the
// coordinator's figures are its alone. Per client count, from the coordinator's
// round events (rounds 2..R; round 1 warms the JIT): the seconds it spent
// decoding and checking the updates (messages.ts: CRC, shape, finite values)
// and averaging them (FedAvg with the norm bound), its heap and RSS after the
// round, its peak RSS (/usr/bin/time), and the round's wall seconds (mostly
// the clients' training, which shares the machine). No --val: scoring costs
// the validation rows, not the clients.
//
//   node bench/fleet.mjs [--clients 8,16,32,64] [--rounds 6] [--hidden 32]   (the model is 2,HIDDEN,3)
//
// The clients are the host's own code (FleetClient, the simulated board),
// bundled from host/ with esbuild into bench/out/ (node scripts/build.mjs
// first, for build/edgeprop.wasm and dist/).
//
// With --accuracy: issue 24's other number, the rounds the fleet needs to
// reach centralized accuracy minus 1 point (the centralized run's accuracy
// after its last round's epochs), f32 and f16, on docs/fleet.md's digits run
// (16 clients, Dirichlet(0.5), 25% dropping, SGD lr 0.05, 2 local epochs).
// Deterministic: the same figures on every machine.
//
//   node bench/fleet.mjs --accuracy [--rounds 40]
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i >= 0 ? process.argv[i + 1] : def; };
const counts = arg('clients', '8,16,32,64').split(',').map(Number);
const rounds = Number(arg('rounds', '6'));
const hidden = arg('hidden', '32');

if (process.argv.includes('--accuracy')) {
  const r = Number(arg('rounds', '40'));
  console.log('| weights | rounds to centralized - 1 point | fleet accuracy then | centralized after round ' + r + ' | fleet after round ' + r + ' | bytes per round per client |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const compress of ['f32', 'f16']) {
    const run = spawnSync(process.execPath, [join(ROOT, 'bin', 'edgeprop.js'), 'fleet', 'sim', '--data', join(ROOT, 'data', 'digits.csv'), '--loss', 'ce',
      '--hidden', hidden, '--opt', 'sgd', '--lr', '0.05', '--batch', '16', '--val-split', '0.25', '--clients', '16', '--split', 'dirichlet:0.5',
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

// The clients' side, from the host's sources: N FleetClients on simulated boards through an embedded broker.
const out = join(ROOT, 'bench', 'out');
mkdirSync(out, { recursive: true });
const esbuild = await import('esbuild');
await esbuild.build({
  stdin: {
    contents: `
      export { parseArgs } from './host/cli/args.ts';
      export { FLEET_SIM_OPTIONS, fleetSimSpecOf } from './host/cli/fleet-options.ts';
      export { startEmbeddedBroker } from './host/fleet/broker.ts';
      export { FleetClient } from './host/fleet/client.ts';
      export { connectBroker, endConnection } from './host/fleet/connection.ts';
      export { clientSettings, expectedModel } from './host/fleet/simulation.ts';
      export { shardRows, subset } from './host/fleet/shards.ts';
      export { fleetTopics } from './host/fleet/topics.ts';
      export { openSimulatedBoard } from './host/boards/open.ts';
      export { configureBoard } from './host/run/training-run.ts';`,
    resolveDir: ROOT, loader: 'ts',
  },
  outfile: join(out, 'fleet-clients.mjs'), bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning',
});
const h = await import(join(out, 'fleet-clients.mjs'));

const MODEL = ['--dataset', 'spiral', '--loss', 'ce', '--hidden', hidden, '--opt', 'sgd', '--lr', '0.1', '--batch', '16'];
const median = (v) => { const a = [...v].sort((x, y) => x - y); return a[Math.floor(a.length / 2)]; };
const ms = (v) => (1000 * v).toFixed(2);

console.log('| clients | validate ms per round | aggregate ms per round | coordinator heap MiB | coordinator RSS MiB | coordinator peak RSS MiB | round wall s |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const n of counts) {
  const fleet = `bench${process.pid}-${n}`;
  const spec = h.fleetSimSpecOf(h.parseArgs([...MODEL, '--clients', String(n), '--fleet', fleet], h.FLEET_SIM_OPTIONS, 'fleet sim'), () => {});
  const { settings, data } = spec.prepared;
  const broker = await h.startEmbeddedBroker();
  const topics = h.fleetTopics(fleet);
  const expected = h.expectedModel(settings);
  const boards = [], connections = [], clients = [];
  const shards = h.shardRows(data, n, { kind: 'iid' }, settings.run.seed, settings.run.loss);
  for (const [i, rows] of shards.entries()) {
    const id = `client-${String(i).padStart(3, '0')}`;
    const own = h.subset(data, rows, id);
    const ownSettings = h.clientSettings(settings, own.rows);
    const board = await h.openSimulatedBoard({});
    boards.push(board);
    await h.configureBoard(board, { ...spec.prepared, settings: ownSettings, data: own, loaded: null, resume: undefined });
    const mqtt = await h.connectBroker({ url: broker.url }, id, topics.hello(id), true);
    connections.push(mqtt);
    const client = new h.FleetClient(mqtt, { id, topics, board, data: own, settings: ownSettings, localEpochs: 1, expected, log: () => {} });
    await client.start();
    clients.push(client);
  }
  // The coordinator, alone in its process; --min-clients n: every round samples all n.
  const child = spawn('/usr/bin/time', ['-f', '%M', process.execPath, join(ROOT, 'bin', 'edgeprop.js'), 'fleet', 'serve', '--broker', broker.url, '--fleet', fleet,
    '--layers', `2,${hidden},3`, '--loss', 'ce', '--opt', 'sgd', '--lr', '0.1', '--rounds', String(rounds), '--min-clients', String(n), '--json'], { cwd: ROOT });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const code = await new Promise((resolve) => child.once('exit', resolve));
  for (const c of connections) await h.endConnection(c);
  for (const b of boards) await b.close();
  await broker.close();
  if (code !== 0) { console.error(stderr); process.exit(1); }
  const rs = stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.event === 'round');
  if (rs.some((e) => e.answered !== n)) { console.error(`not every client answered: ${rs.map((e) => e.answered)}`); process.exit(1); }
  const warm = rs.slice(1);
  const peakKiB = Number(stderr.trim().split('\n').pop());
  const last = warm[warm.length - 1];
  console.log(`| ${n} | ${ms(median(warm.map((e) => e.validate_seconds)))} | ${ms(median(warm.map((e) => e.aggregate_seconds)))} | ${last.heap_mib} | ${last.rss_mib} | ` +
    `${(peakKiB / 1024).toFixed(0)} | ${median(warm.map((e) => e.seconds)).toFixed(3)} |`);
}
