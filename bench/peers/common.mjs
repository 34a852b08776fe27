// Shared CLI handling for the comparison peers.
//   --workload P1|P2|P3 (or full name)   default P2
//   --runs N      timed runs (default 5; --quick: 3)
//   --warmup N    untimed warm-up runs (default 1)
//   --quick       runs 3 and, for P3, 2 epochs instead of 5
//   --epochs N    override the epoch count
//   --seed N      data seed (default 1)
//   --backend cpu|wasm   (tfjs only)
import { getWorkload } from '../workloads.mjs';

export function parseCli(argv = process.argv.slice(2)) {
  const o = { workload: 'P2', runs: undefined, warmup: 1, quick: false, epochs: undefined, seed: 1, backend: 'cpu' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const val = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case '--workload': case '-w': o.workload = val(); break;
      case '--runs': o.runs = parseInt(val(), 10); break;
      case '--warmup': o.warmup = parseInt(val(), 10); break;
      case '--quick': o.quick = true; break;
      case '--epochs': o.epochs = parseInt(val(), 10); break;
      case '--seed': o.seed = parseInt(val(), 10); break;
      case '--backend': o.backend = val(); break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  const w = getWorkload(o.workload);
  if (o.runs === undefined) o.runs = o.quick ? 3 : 5;
  if (o.epochs === undefined) o.epochs = o.quick && w.id === 'P3' ? 2 : w.epochs;
  if (!(o.runs >= 1) || !(o.warmup >= 0) || !(o.epochs >= 1)) throw new Error('bad --runs/--warmup/--epochs');
  return { ...o, w };
}

export function median(a) {
  const s = [...a].sort((p, q) => p - q);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

export function nowSec() {
  return Number(process.hrtime.bigint()) / 1e9;
}

export function emit(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

/** Report result line; `runs` are samples/s of the timed runs. */
export function result(tool, cli, runs, extra) {
  return {
    tool, workload: cli.w.name, epochs: cli.epochs, rows: cli.w.rows, batch: cli.w.batch,
    warmup: cli.warmup,
    runs: runs.map((r) => Math.round(r)), samples_per_s: Math.round(median(runs)),
    ...extra,
  };
}
