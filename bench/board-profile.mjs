// Where the emulated board's instructions go, per function: QEMU runs the
// firmware one instruction per translation block (-singlestep) with every
// block's execution logged (-d exec,nochain), so each logged line is one
// retired instruction; its pc is looked up in the ELF's function symbols. Two runs of the same training, EPOCHS_SHORT and
// EPOCHS_LONG epochs, are counted per function and subtracted, which cancels
// boot, setup and the upload, as bench/board.mjs does for the totals:
// the result is instructions per trained sample, per function. Functions
// GCC inlined count in the function they were inlined into.
//
//   node bench/board-profile.mjs [--workload P1] [--isa rv32imfc] [--mode streamed|resident] [--precision f32|int16] [--rows 200] [--top 25] [--calls]
//
// --calls: also each function's calls per sample (executions of its first
// instruction): on rv32imc, how many f32 operations the soft-float helpers
// (__mulsf3, __addsf3, ...) perform per sample, to compare with the plain C's.
//
// Slow (QEMU logs every instruction): keep --rows small; per-sample figures
// do not depend on the row count beyond the batch boundaries.
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buildFirmware, missingTools } from '../boards/qemu/launch.mjs';
import { getWorkload, writeCsv } from './workloads.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const EPOCHS_SHORT = 1, EPOCHS_LONG = 3;
const PROFILE_FOR = { streamed: 'esp32-c3', resident: 'esp32-s3' };

function parseArgs(argv) {
  const o = { workload: 'P1', isa: 'rv32imfc', mode: 'streamed', precision: 'f32', rows: 200, top: 25, pcs: null, calls: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--calls') { o.calls = true; continue; }
    const a = argv[i], v = argv[++i];
    if (v === undefined) throw new Error(`${a} needs a value`);
    if (a === '--workload') o.workload = getWorkload(v).id;
    else if (a === '--isa') o.isa = v;
    else if (a === '--mode') {
      if (!(v in PROFILE_FOR)) throw new Error(`--mode must be streamed or resident, not '${v}'`);
      o.mode = v;
    } else if (a === '--precision') {
      if (v !== 'f32' && v !== 'int16') throw new Error(`--precision must be f32 or int16, not '${v}'`);
      o.precision = v;
    } else if (a === '--rows') o.rows = Number(v);
    else if (a === '--top') o.top = Number(v);
    else if (a === '--pcs') o.pcs = v;
    else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(o.rows) || o.rows < 1) throw new Error('--rows must be a positive integer');
  return o;
}

function train(port, csv, w, epochs, mode, precision) {
  const args = ['bin/edgeprop.js', 'train', '--port', port, '--board', PROFILE_FOR[mode], '--data', csv, '--layers', w.layers.join(','), '--act', w.act,
    '--loss', w.loss, '--opt', w.optimizer.name, '--lr', String(w.optimizer.lr), '--batch', String(w.batch),
    '--epochs', String(epochs), '--no-shuffle', '--json', '--precision', precision,
    // Logging every instruction slows the board a hundredfold: a soft-float batch takes seconds to answer.
    '--timeout', '60000'];
  if (mode === 'resident') args.push('--resident');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b) => { err += b; });
    child.stdout.resume();
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`train exited ${code}: ${err.trim()}`))));
  });
}

/** Instructions per function for one run of `epochs` epochs on a fresh board. */
async function countRun(elf, csv, w, epochs, mode, precision, work) {
  const fifo = join(work, `exec-${epochs}.log`), uart = join(work, `uart-${epochs}.log`);
  if (spawnSync('mkfifo', [fifo]).status !== 0) throw new Error(`mkfifo ${fifo} failed`);
  const qemu = spawn('qemu-system-riscv32', ['-machine', 'virt', '-display', 'none', '-bios', 'none', '-m', '128M',
    '-chardev', `pty,id=uart0,logfile=${uart},logappend=off`, '-serial', 'chardev:uart0', '-monitor', 'none', '-singlestep',
    '-d', 'exec,nochain', '-D', fifo, '-kernel', elf], { stdio: ['ignore', 'pipe', 'pipe'] });
  const counts = new Map();
  const exited = new Promise((r) => qemu.once('exit', r));
  const lines = createInterface({ input: createReadStream(fifo) });
  const drained = new Promise((r) => lines.once('close', r));
  lines.on('line', (l) => {
    // "Trace 0: 0x... [00000000/80001234/00109003/ff000201] ": one instruction at pc 0x80001234
    const a = l.indexOf('/');
    if (!l.startsWith('Trace ') || a < 0) return;
    const pc = l.slice(a + 1, l.indexOf('/', a + 1));
    counts.set(pc, (counts.get(pc) ?? 0) + 1);
  });
  let out = '';
  const port = await new Promise((resolve, reject) => {
    qemu.stderr.on('data', (b) => { out += b; });
    qemu.stdout.on('data', (b) => {
      out += b;
    });
    const poll = setInterval(() => {
      const m = /char device redirected to (\/dev\/\S+) \(label uart0\)/.exec(out);
      if (m) { clearInterval(poll); resolve(m[1]); }
    }, 20);
    qemu.once('exit', () => reject(new Error(`qemu exited: ${out}`)));
  });
  try {
    // The firmware prints its stats line once booted and idle (a 2 MiB memory takes a while here).
    for (const end = Date.now() + 600_000; !(existsSync(uart) && readFileSync(uart, 'latin1').includes('edgeprop: stats '));) {
      if (Date.now() > end) throw new Error('the board did not boot');
      await new Promise((r) => setTimeout(r, 100));
    }
    await train(port, csv, w, epochs, mode, precision);
    // Let the board finish its last reply and go idle before counting stops.
    await new Promise((r) => setTimeout(r, 1500));
  } finally {
    qemu.kill('SIGTERM');
    await exited;
    await drained;
  }
  return { functions: bySymbol(counts, elf), calls: entries(counts, elf), pcs: counts };
}

/** [start, end) of a function symbol in the ELF. */
function functionRange(elf, name) {
  const nm = spawnSync('riscv64-unknown-elf-nm', ['-n', '-S', elf], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const line = nm.stdout.split('\n').map((l) => l.split(' ')).find((f) => f.length === 4 && f[3] === name);
  if (!line) throw new Error(`no function ${name} in ${elf}`);
  const start = parseInt(line[0], 16);
  return [start, start + parseInt(line[1], 16)];
}

/** Executions of each function's first instruction: its calls (a loop back to the entry would count too). */
function entries(counts, elf) {
  const out = new Map();
  for (const [addr, name] of functionSymbols(elf)) {
    const n = counts.get(addr.toString(16).padStart(8, '0'));
    if (n) out.set(name, (out.get(name) ?? 0) + n);
  }
  return out;
}

function functionSymbols(elf) {
  const nm = spawnSync('riscv64-unknown-elf-nm', ['-n', elf], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return nm.stdout.split('\n').map((l) => l.split(' ')).filter((f) => f.length === 3 && /[tT]/.test(f[1]))
    .map(([a, , name]) => [parseInt(a, 16), name]);
}

/** Instruction counts per pc summed per function (the nearest function symbol at or below the pc). */
function bySymbol(counts, elf) {
  const syms = functionSymbols(elf);
  const out = new Map();
  for (const [pcHex, n] of counts) {
    const pc = parseInt(pcHex, 16);
    let lo = 0, hi = syms.length - 1, at = -1;
    while (lo <= hi) { const mid = (lo + hi) >> 1; if (syms[mid][0] <= pc) { at = mid; lo = mid + 1; } else hi = mid - 1; }
    const name = at < 0 ? `0x${pcHex}` : syms[at][1];
    out.set(name, (out.get(name) ?? 0) + n);
  }
  return out;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const missing = missingTools();
  if (missing.length) throw new Error(`needs ${missing.join(', ')}`);
  const w = { ...getWorkload(o.workload), rows: o.rows };
  const work = mkdtempSync(join(tmpdir(), 'edgeprop-board-profile-'));
  try {
    const csv = join(work, 'data.csv');
    writeCsv(w, csv);
    const elf = buildFirmware({ isa: o.isa, engine: 'wasm2c', profile: PROFILE_FOR[o.mode], obj: join(work, 'fw') });
    const short = await countRun(elf, csv, w, EPOCHS_SHORT, o.mode, o.precision, work);
    const long = await countRun(elf, csv, w, EPOCHS_LONG, o.mode, o.precision, work);
    const samples = (EPOCHS_LONG - EPOCHS_SHORT) * w.rows;
    if (o.pcs) {
      // Per instruction of one function: where its cost sits (compare with objdump -d).
      const [lo, hi] = functionRange(elf, o.pcs);
      const rows = [...long.pcs.keys()].filter((pc) => { const a = parseInt(pc, 16); return a >= lo && a < hi; }).sort()
        .map((pc) => [pc, ((long.pcs.get(pc) ?? 0) - (short.pcs.get(pc) ?? 0)) / samples]).filter(([, n]) => n >= 0.05);
      for (const [pc, n] of rows) process.stdout.write(`${pc} ${n.toFixed(2)}\n`);
      return;
    }
    const per = [...new Set([...short.functions.keys(), ...long.functions.keys()])]
      .map((name) => [name, ((long.functions.get(name) ?? 0) - (short.functions.get(name) ?? 0)) / samples])
      .filter(([, n]) => Math.abs(n) >= 0.05)
      .sort((a, b) => b[1] - a[1]);
    const total = per.reduce((s, [, n]) => s + n, 0);
    process.stdout.write(`${o.workload} ${o.isa} ${o.mode} ${o.precision}, ${w.rows} rows: ${total.toFixed(1)} instructions per sample (whole firmware, idle loop included)\n`);
    const callsOf = (name) => ((long.calls.get(name) ?? 0) - (short.calls.get(name) ?? 0)) / samples;
    for (const [name, n] of per.slice(0, o.top)) {
      process.stdout.write(`${n.toFixed(1).padStart(10)}  ${o.calls ? `${callsOf(name).toFixed(1).padStart(9)} calls  ` : ''}${name}\n`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`board-profile: ${err.stack ?? err}\n`);
  process.exit(1);
});
