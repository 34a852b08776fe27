// What a board costs, measured on the emulated board (boards/qemu): per ISA
// and engine, the instructions the firmware retires inside the module per
// trained sample, beside the plain C trainer of the same math
// (bench/peers/plain.c) built bare metal for the same ISA and run on the same
// emulated CPU. QEMU runs with -icount shift=0, so every count is exact and
// reproducible: per sample = (3 epochs - 1 epoch) / (2 x rows), which cancels
// boot, setup and data generation.
//
//   node bench/board.mjs [--workloads P1,P2] [--isas rv32imc,rv32imfc] [--json-line]
// (P3 does not fit the C3's 40 KiB; --workloads P3 runs it under the S3 profile: slow under -icount)
//
// wasm3 rows need a wasm3 cross-built per ISA (as tests/emulated/wasm3.test.ts):
//   EDGEPROP_M3_INCLUDE, EDGEPROP_M3_RV32IMC_LIB, EDGEPROP_M3_RV32IMFC_LIB, EDGEPROP_M3_FLAGS
// --json-line prints one JSON object (rows and the markdown) for bench/run.mjs.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFirmware, missingTools, startEmulatedBoard } from '../boards/qemu/launch.mjs';
import { getWorkload, writeCsv } from './workloads.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const QEMU_DIR = join(ROOT, 'boards', 'qemu');
/** The ESP32-C3's clock, and the cycles per instruction assumed for it (an
 * in-order 4-stage core running from flash cache: loads, taken branches and
 * cache misses make it worse than 1; 1.5 is an estimate, not a measurement). */
const CLOCK_HZ = 160e6;
const ASSUMED_CPI = 1.5;
const EPOCHS_SHORT = 1, EPOCHS_LONG = 3;
/** The profile each workload runs under: the C3 where the model fits, the S3's bigger memory for P3. */
const PROFILE_FOR = { P1: 'esp32-c3', P2: 'esp32-c3', P3: 'esp32-s3' };

function parseArgs(argv) {
  const o = { workloads: ['P1', 'P2'], isas: ['rv32imc', 'rv32imfc'], jsonLine: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--workloads') o.workloads = argv[++i].split(',').map((k) => getWorkload(k.trim()).id);
    else if (a === '--isas') o.isas = argv[++i].split(',');
    else if (a === '--json-line') o.jsonLine = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

const log = (s) => process.stderr.write(`board: ${s}\n`);

function wasm3For(isa) {
  const include = process.env.EDGEPROP_M3_INCLUDE, lib = process.env[`EDGEPROP_M3_${isa.toUpperCase()}_LIB`];
  return include && lib ? { m3Include: include, m3Lib: lib, m3Flags: process.env.EDGEPROP_M3_FLAGS } : null;
}

/** plain.c's arguments for a workload, as plain-c.mjs passes them (one run, no warm-up). */
function plainArgs(w, epochs) {
  return [w.name, w.layers.join(','), w.act, w.loss, w.optimizer.name, String(w.optimizer.lr), String(w.batch),
    String(w.rows), String(epochs), '1', '0', '1'];
}

/** Instructions plain.c retires on the emulated CPU for `epochs` epochs. */
function plainInstructions(isa, w, epochs, work) {
  const obj = join(work, `plain-${isa}`);
  const literal = plainArgs(w, epochs).map((a) => JSON.stringify(a)).join(',');
  const mk = spawnSync('make', ['-s', '-C', QEMU_DIR, 'plain', `ISA=${isa}`, `PROFILE=${PROFILE_FOR[w.id]}`, `OBJ=${obj}`, `PLAIN_ARGS=${literal}`],
    { encoding: 'utf8' });
  if (mk.status !== 0) throw new Error(`building plain.c for ${isa} failed: ${mk.stderr}`);
  const run = spawnSync('qemu-system-riscv32', ['-machine', 'virt', '-display', 'none', '-bios', 'none', '-m', '128M',
    '-serial', 'stdio', '-monitor', 'none', '-icount', 'shift=0', '-kernel', join(obj, 'plain.elf')],
  { encoding: 'latin1', timeout: 600_000, input: '' });
  const line = run.stdout.split(/[\r\n\0]+/).find((l) => l.startsWith('edgeprop: plain '));
  if (!line) throw new Error(`plain.c on ${isa} printed no count: ${run.stdout.slice(-300)} ${run.stderr}`);
  const f = Object.fromEntries(line.slice('edgeprop: plain '.length).split(' ').map((kv) => kv.split('=')).map(([k, v]) => [k, Number(v)]));
  if (f.status !== 0) throw new Error(`plain.c on ${isa} exited ${f.status}`);
  return f;
}

function train(port, csv, w, epochs) {
  const args = ['bin/edgeprop.js', 'train', '--port', port, '--data', csv, '--layers', w.layers.join(','), '--act', w.act,
    '--loss', w.loss, '--opt', w.optimizer.name, '--lr', String(w.optimizer.lr), '--batch', String(w.batch),
    '--epochs', String(epochs), '--no-shuffle', '--json'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '', out = '';
    child.stdout.on('data', (b) => { out += b; });
    child.stderr.on('data', (b) => { err += b; });
    child.on('exit', (code) => {
      const done = out.split('\n').filter((l) => l.includes('"event":"done"')).map((l) => JSON.parse(l))[0];
      if (code !== 0 || !done) reject(new Error(`train exited ${code}: ${err.trim()}`));
      else if (!Number.isInteger(done.bytes_sent)) reject(new Error(`train's done event has no bytes_sent: ${JSON.stringify(done)}`));
      else resolve(done);
    });
  });
}

/** The module's instructions for `epochs` epochs on a freshly booted emulated board, and the RAM it reported. */
async function engineRun(elf, csv, w, epochs) {
  const board = await startEmulatedBoard({ elf, icount: true, bootTimeoutMs: 120_000 });
  try {
    const boot = await board.waitForStats({ after: 0 });
    const before = board.statsCount();
    const done = await train(board.path, csv, w, epochs);
    // The board may go idle during a run (the host pauses); the line that
    // counts follows the last frame the host sent (bytes_sent counts frames;
    // the link writes a few bytes more, so at least that many).
    const after = await board.waitForStats({ after: before, rxBytes: boot.rx_bytes + done.bytes_sent, timeoutMs: 600_000 });
    return { instructions: after.instructions - boot.instructions, heap_peak: after.heap_peak, stack_peak: after.stack_peak, ram: after.ram, load_instructions: after.load_instructions };
  } finally {
    await board.stop();
  }
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const missing = missingTools();
  if (missing.length) {
    const skipped = `needs ${missing.join(', ')}`;
    if (o.jsonLine) process.stdout.write(JSON.stringify({ skipped, rows: [], markdown: `Skipped: ${skipped}.` }) + '\n');
    else log(`skipped: ${skipped}`);
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'edgeprop-bench-board-'));
  const rows = [];
  try {
    for (const id of o.workloads) {
      const w = getWorkload(id);
      const profile = PROFILE_FOR[id];
      const csv = join(work, `${id}.csv`);
      writeCsv(w, csv);
      const samples = (EPOCHS_LONG - EPOCHS_SHORT) * w.rows;
      for (const isa of o.isas) {
        const p1 = plainInstructions(isa, w, EPOCHS_SHORT, work), p3 = plainInstructions(isa, w, EPOCHS_LONG, work);
        const plain = (p3.instructions - p1.instructions) / samples;
        rows.push({ id, isa, engine: 'plain-c', profile, instructions_per_sample: plain, heap_peak: p3.heap_peak, stack_peak: p3.stack_peak });
        log(`${id} ${isa} plain-c ${plain.toFixed(1)} instructions/sample`);
        for (const engine of ['wasm2c', 'wasm3']) {
          const m3 = engine === 'wasm3' ? wasm3For(isa) : {};
          if (!m3) { rows.push({ id, isa, engine, profile, skipped: `set EDGEPROP_M3_INCLUDE and EDGEPROP_M3_${isa.toUpperCase()}_LIB` }); continue; }
          try {
            const elf = buildFirmware({ isa, engine, profile, obj: join(work, `${profile}-${isa}-${engine}`), ...m3 });
            const r1 = await engineRun(elf, csv, w, EPOCHS_SHORT), r3 = await engineRun(elf, csv, w, EPOCHS_LONG);
            const per = (r3.instructions - r1.instructions) / samples;
            rows.push({ id, isa, engine, profile, instructions_per_sample: per, ratio_to_plain: per / plain,
              heap_peak: r3.heap_peak, stack_peak: r3.stack_peak, ram: r3.ram, load_instructions: r3.load_instructions,
              run_instructions: { [EPOCHS_SHORT]: r1.instructions, [EPOCHS_LONG]: r3.instructions } });
            log(`${id} ${isa} ${engine} ${per.toFixed(1)} instructions/sample (${(per / plain).toFixed(2)}x plain C)`);
          } catch (err) {
            rows.push({ id, isa, engine, profile, error: String(err.message ?? err).slice(0, 400) });
            log(`${id} ${isa} ${engine} ERROR ${err.message}`);
          }
        }
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const markdown = table(rows);
  if (o.jsonLine) process.stdout.write(JSON.stringify({ clock_hz: CLOCK_HZ, assumed_cpi: ASSUMED_CPI, rows, markdown }) + '\n');
  else process.stdout.write(markdown + '\n');
}

const int = (n) => Math.round(n).toLocaleString('en-US');

function table(rows) {
  const lines = [
    `Instructions retired inside the module per trained sample on QEMU's riscv32 \`virt\` (-icount shift=0), ` +
    `(${EPOCHS_LONG} epochs - ${EPOCHS_SHORT} epoch) / (${EPOCHS_LONG - EPOCHS_SHORT} x rows); plain-c is bench/peers/plain.c bare metal on the same CPU (whole program). ` +
    `Samples/s at ${CLOCK_HZ / 1e6} MHz assume ${ASSUMED_CPI} cycles per instruction. RAM: heap high-water (sbrk) + stack high-water (painting) ` +
    `beside the RAM the profile's board gives the firmware.`,
    '',
    '| workload | ISA | engine | profile | instructions/sample | x plain C | est. samples/s | heap peak B | stack peak B | RAM B |',
    '| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    if (r.skipped || r.error) { lines.push(`| ${r.id} | ${r.isa} | ${r.engine} | ${r.profile} | ${r.skipped ? `skipped: ${r.skipped}` : `error: ${r.error.replace(/\|/g, '/').split('\n')[0]}`} | | | | | |`); continue; }
    const sps = CLOCK_HZ / (ASSUMED_CPI * r.instructions_per_sample);
    lines.push(`| ${r.id} | ${r.isa} | ${r.engine} | ${r.profile} | ${int(r.instructions_per_sample)} | ${r.ratio_to_plain ? r.ratio_to_plain.toFixed(2) : '1'} | ${int(sps)} | ${int(r.heap_peak)} | ${int(r.stack_peak)} | ${r.ram ? int(r.ram) : ''} |`);
  }
  return lines.join('\n');
}

main().catch((err) => {
  process.stderr.write(`board: ${err.stack ?? err}\n`);
  process.exit(1);
});
