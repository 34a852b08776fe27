// What a board costs, measured on the emulated board (boards/qemu): per ISA
// and engine, the instructions the firmware retires inside the module per
// trained sample, beside the plain C trainer of the same math
// (bench/peers/plain.c) built bare metal for the same ISA and run on the same
// emulated CPU. QEMU runs with -icount shift=0, so every count is exact and
// reproducible: per sample = (3 epochs - 1 epoch) / (2 x rows), which cancels
// boot, setup and data generation.
//
//   node bench/board.mjs [--workloads P1,P2] [--isas rv32imc,rv32imfc] [--modes streamed,resident] [--precision f32,int16] [--ram] [--hand-tuned] [--int16-peer] [--json-line]
// --precision: the module's rows for each precision (default f32; docs/int16.md); each row names its precision.
// --batch N: the module's runs step every N rows instead of the workload's batch (the optimizer's share:
// docs/int16.md §9 compares batch 32 with 512); plain C keeps the workload's.
// --int16-peer: for int16, also a "plain C int16" row: bench/peers/int16.c (the same integer arithmetic,
// written from docs/int16.md) under plain.c's harness, built by boards/qemu's (lx106: boards/xtensa's) Makefile target `int16`.
// --isas lx106 (without --isas: P1 only, about 40 s): the ESP8266's core on QEMU's XTFPGA
// board (boards/xtensa) under the esp8266 profile, plain C and wasm2c (f32 and int16, and the int16 peer),
// streamed only (resident P1's rows do not fit the ESP8266's memory).
// (P3 does not fit the C3's 40 KiB; --workloads P3 runs it under the S3 profile: slow under -icount)
// Modes: `streamed` sends every row over the line each epoch (BATCH frames);
// `resident` uploads the rows once into the board's sample store (`train
// --resident`) and trains every epoch from it (one TRAIN_STORE frame per
// batch): the upload is in both runs, so the difference is training from the
// store. By default P1 runs both, the others streamed only.
// --ram: also the RAM table, one row per board profile (boards/profiles/*.json).
// --hand-tuned: for P2, also a "hand-tuned C" row: bench/peers/blocked.c (the
// same math with the module's 4x4 register-blocked loops, hand-tuned C) bare
// metal under plain.c's harness, the next limit below the module's build; its
// final loss must agree with plain.c's (printed).
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
/** The LX106 board (`--isas lx106`): its folder, emulator, nm and profile (P1's and P2's plans fit the
 * esp8266's 40 KiB; P3's do not), the ESP8266's 80 MHz default clock, wasm2c only (wasm3's runtime does
 * not fit), streamed only (resident P1's 48,000 B of rows and order do not fit either). */
const LX106 = {
  dir: join(ROOT, 'boards', 'xtensa'), profile: 'esp8266', clockHz: 80e6, engines: ['wasm2c'], modes: ['streamed'],
  qemu: ['qemu-system-xtensa', '-M', 'lx60-nommu', '-cpu', 'lx106', '-semihosting'], nm: 'xtensa-lx106-elf-nm',
  // plain.c holds the whole data set in RAM (P2: 139 KB), more than an ESP8266's 80 KiB: it gets all of the
  // LX106's data RAM up to the ESP8266's ROM area (0x3FFC0000..0x3FFFC000); its instructions do not depend on it.
  plainRamBytes: 245760,
};
const isLx106 = (isa) => isa === 'lx106';
/** The ESP32-C3's clock, and the cycles per instruction assumed for it (an
 * in-order 4-stage core running from flash cache: loads, taken branches and
 * cache misses make it worse than 1; 1.5 is an estimate, not a measurement). */
const CLOCK_HZ = 160e6;
const ASSUMED_CPI = 1.5;
const EPOCHS_SHORT = 1, EPOCHS_LONG = 3;
/** The profile each workload runs under: the C3 where the model fits, the S3's bigger memory for P3. */
const PROFILE_FOR = { P1: 'esp32-c3', P2: 'esp32-c3', P3: 'esp32-s3' };
/** Where the resident rows fit: P1's 1,000 rows (44,000 B) and their order
 * (4,000 B) do not fit the C3's 40 KiB or the ESP32's 48 KiB, so resident
 * runs take the S3 profile's memory (the CPU is still the ISA's). */
const RESIDENT_PROFILE_FOR = { P1: 'esp32-s3', P2: 'esp32-s3', P3: 'esp32-s3' };
const MODES = ['streamed', 'resident'];
const PRECISIONS = ['f32', 'int16'];
/** --ram: every board profile, with the ISA that stands in for its CPU on QEMU (the ESP32 and S3 are Xtensa with a single-precision FPU). */
const RAM_PROFILES = [['esp32-c3', 'rv32imc'], ['esp32', 'rv32imfc'], ['esp32-s3', 'rv32imfc']];
/** The workload the RAM table trains (P2 with Adam: the plan held against AIfES), one epoch, streamed. */
const RAM_WORKLOAD = 'P2';
const DEFAULT_MODES = { P1: ['streamed', 'resident'], P2: ['streamed'], P3: ['streamed'] };
/** --hand-tuned: the workloads blocked.c is measured for (its layer sizes must be multiples of 4). */
const HAND_TUNED_WORKLOADS = ['P2'];
/** How far blocked.c's final loss may be from plain.c's (the same math, summed in another order). */
const HAND_TUNED_LOSS_TOLERANCE = 1e-4;
/** Without --isas: both RISC-V ISAs, and the lx106 for P1 only (cheap; its P2 adds over a minute). */
const DEFAULT_ISAS = ['rv32imc', 'rv32imfc'];
const defaultIsasFor = (id) => (id === 'P1' ? [...DEFAULT_ISAS, 'lx106'] : DEFAULT_ISAS);
const profileFor = (isa, id) => (isLx106(isa) ? LX106.profile : PROFILE_FOR[id]);
const clockFor = (isa) => (isLx106(isa) ? LX106.clockHz : CLOCK_HZ);

function parseArgs(argv) {
  const o = { workloads: ['P1', 'P2'], isas: null, modes: null, precisions: ['f32'], batch: null, ram: false, handTuned: false, int16Peer: false, jsonLine: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--workloads') o.workloads = argv[++i].split(',').map((k) => getWorkload(k.trim()).id);
    else if (a === '--isas') o.isas = argv[++i].split(',');
    else if (a === '--modes') {
      o.modes = argv[++i].split(',').map((m) => m.trim());
      for (const m of o.modes) if (!MODES.includes(m)) throw new Error(`--modes: '${m}' is not one of ${MODES.join(', ')}`);
    } else if (a === '--precision') {
      o.precisions = argv[++i].split(',').map((m) => m.trim());
      for (const m of o.precisions) if (!PRECISIONS.includes(m)) throw new Error(`--precision: '${m}' is not one of ${PRECISIONS.join(', ')}`);
    } else if (a === '--int16-peer') o.int16Peer = true;
    else if (a === '--batch') o.batch = Number(argv[++i]);
    else if (a === '--ram') o.ram = true;
    else if (a === '--hand-tuned') o.handTuned = true;
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

/**
 * Instructions plain.c retires on the emulated CPU for `epochs` epochs, and
 * the final loss it printed; target 'blocked' runs bench/peers/blocked.c
 * under the same harness instead.
 */
function plainInstructions(isa, w, epochs, work, target = 'plain') {
  const source = `${target}.c`;
  const obj = join(work, `${target}-${isa}`);
  const literal = plainArgs(w, epochs).map((a) => JSON.stringify(a)).join(',');
  const mk = spawnSync('make', ['-s', '-C', isLx106(isa) ? LX106.dir : QEMU_DIR, target, `ISA=${isa}`, `PROFILE=${profileFor(isa, w.id)}`, `OBJ=${obj}`, `PLAIN_ARGS=${literal}`,
    ...(isLx106(isa) ? [`RAM_BYTES=${LX106.plainRamBytes}`] : [])],
    { encoding: 'utf8' });
  if (mk.status !== 0) throw new Error(`building ${source} for ${isa} failed: ${mk.stderr}`);
  const [qemu, ...machine] = isLx106(isa) ? LX106.qemu : ['qemu-system-riscv32', '-machine', 'virt', '-bios', 'none', '-m', '128M'];
  const run = spawnSync(qemu, [...machine, '-display', 'none',
    '-serial', 'stdio', '-monitor', 'none', '-icount', 'shift=0', '-kernel', join(obj, `${target}.elf`)],
  { encoding: 'latin1', timeout: 600_000, input: '' });
  const lines = run.stdout.split(/[\r\n\0]+/);
  const line = lines.find((l) => l.startsWith('edgeprop: plain '));
  if (!line) throw new Error(`${source} on ${isa} printed no count: ${run.stdout.slice(-300)} ${run.stderr}`);
  const f = Object.fromEntries(line.slice('edgeprop: plain '.length).split(' ').map((kv) => kv.split('=')).map(([k, v]) => [k, Number(v)]));
  if (f.status !== 0) throw new Error(`${source} on ${isa} exited ${f.status}`);
  const result = lines.find((l) => l.startsWith('{"tool":'));
  return { ...f, final_loss: result ? JSON.parse(result).final_loss : undefined };
}

/** The "hand-tuned C" row: blocked.c per sample beside plain.c's (and the wasm2c row's, if measured), its loss checked against plain.c's. */
function handTunedRow(isa, w, work, samples, plain, plainLong, wasm2c) {
  const profile = PROFILE_FOR[w.id];
  const b1 = plainInstructions(isa, w, EPOCHS_SHORT, work, 'blocked'), b3 = plainInstructions(isa, w, EPOCHS_LONG, work, 'blocked');
  const per = (b3.instructions - b1.instructions) / samples;
  if (typeof b3.final_loss !== 'number' || typeof plainLong.final_loss !== 'number') throw new Error(`blocked.c or plain.c on ${isa} printed no final loss`);
  const lossDiff = Math.abs(b3.final_loss - plainLong.final_loss);
  log(`${w.id} ${isa} hand-tuned C ${per.toFixed(1)} instructions/sample (${(per / plain).toFixed(2)}x plain C` +
    `${wasm2c ? `, ${(per / wasm2c).toFixed(2)}x wasm2c` : ''}); final loss after ${EPOCHS_LONG} epochs ${b3.final_loss} (plain.c ${plainLong.final_loss})`);
  if (!(lossDiff <= HAND_TUNED_LOSS_TOLERANCE)) {
    throw new Error(`blocked.c's final loss ${b3.final_loss} is ${lossDiff} from plain.c's ${plainLong.final_loss} on ${isa}`);
  }
  return { id: w.id, isa, mode: '', engine: 'hand-tuned C', profile, instructions_per_sample: per, ratio_to_plain: per / plain,
    ratio_to_wasm2c: wasm2c ? per / wasm2c : undefined, final_loss: b3.final_loss, plain_final_loss: plainLong.final_loss,
    heap_peak: b3.heap_peak, stack_peak: b3.stack_peak };
}

let batchOverride = null;

function train(port, csv, w, epochs, mode, profile, precision = 'f32') {
  // --board: the host sizes the chunk for the profile's memory as a user's `train --board` does.
  const args = ['bin/edgeprop.js', 'train', '--port', port, '--board', profile, '--data', csv, '--layers', w.layers.join(','), '--act', w.act,
    '--loss', w.loss, '--opt', w.optimizer.name, '--lr', String(w.optimizer.lr), '--batch', String(batchOverride ?? w.batch),
    '--epochs', String(epochs), '--no-shuffle', '--json', '--precision', precision];
  if (mode === 'resident') args.push('--resident');
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

/** Static RAM of a firmware image: .data, .bss and .noinit, from the RAM's start to where the heap begins (link.ld). */
function staticRam(elf, isa) {
  const nm = spawnSync(isLx106(isa) ? LX106.nm : 'riscv64-unknown-elf-nm', [elf], { encoding: 'utf8' });
  if (nm.status !== 0) throw new Error(`nm ${elf} failed: ${nm.stderr}`);
  const sym = (name) => {
    const line = nm.stdout.split('\n').find((l) => l.endsWith(` ${name}`));
    if (!line) throw new Error(`${elf} has no symbol ${name}`);
    return parseInt(line.split(' ')[0], 16);
  };
  return sym('__heap_start') - sym('__data_start');
}

/** The module's instructions for `epochs` epochs on a freshly booted emulated board, and the RAM it reported. */
async function engineRun(elf, csv, w, epochs, mode, profile, icount = true, precision = 'f32') {
  const board = await startEmulatedBoard({ elf, icount, bootTimeoutMs: 120_000 });
  try {
    const boot = await board.waitForStats({ after: 0 });
    const before = board.statsCount();
    const done = await train(board.path, csv, w, epochs, mode, profile, precision);
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
  batchOverride = o.batch;
  const missing = [...new Set([...(o.isas ?? DEFAULT_ISAS), ...(o.ram ? ['rv32imc'] : [])].flatMap((isa) => missingTools(isa)))];
  if (missing.length) {
    const skipped = `needs ${missing.join(', ')}`;
    if (o.jsonLine) process.stdout.write(JSON.stringify({ skipped, rows: [], markdown: `Skipped: ${skipped}.` }) + '\n');
    else log(`skipped: ${skipped}`);
    return;
  }
  // The default's lx106 rows are skipped, not the whole run, where its tools are missing.
  const lx106Missing = o.isas ? [] : missingTools('lx106');
  const work = mkdtempSync(join(tmpdir(), 'edgeprop-bench-board-'));
  const rows = [], ramRows = [];
  try {
    for (const id of o.workloads) {
      const w = getWorkload(id);
      const csv = join(work, `${id}.csv`);
      writeCsv(w, csv);
      const samples = (EPOCHS_LONG - EPOCHS_SHORT) * w.rows;
      for (const isa of o.isas ?? defaultIsasFor(id)) {
        const profile = profileFor(isa, id);
        if (isLx106(isa) && lx106Missing.length) { rows.push({ id, isa, mode: '', engine: 'plain-c', profile, skipped: `needs ${lx106Missing.join(', ')}` }); continue; }
        const p1 = plainInstructions(isa, w, EPOCHS_SHORT, work), p3 = plainInstructions(isa, w, EPOCHS_LONG, work);
        const plain = (p3.instructions - p1.instructions) / samples;
        rows.push({ id, isa, mode: '', engine: 'plain-c', profile, instructions_per_sample: plain, heap_peak: p3.heap_peak, stack_peak: p3.stack_peak });
        log(`${id} ${isa} plain-c ${plain.toFixed(1)} instructions/sample`);
        const engineRowsFrom = rows.length;
        for (const mode of o.modes ?? (isLx106(isa) ? LX106.modes : DEFAULT_MODES[id])) {
          const modeProfile = mode === 'resident' && !isLx106(isa) ? RESIDENT_PROFILE_FOR[id] : profile;
          for (const precision of o.precisions) for (const engine of ['wasm2c', 'wasm3']) {
            if (isLx106(isa) && !(LX106.engines.includes(engine) && LX106.modes.includes(mode))) {
              rows.push({ id, isa, mode, engine, profile: modeProfile, skipped: `the ${isa} board runs ${LX106.engines.join(', ')} ${LX106.modes.join(', ')} only (${LX106.profile}'s memory)` });
              continue;
            }
            const m3 = engine === 'wasm3' ? wasm3For(isa) : {};
            if (!m3) { rows.push({ id, isa, mode, engine, precision, profile: modeProfile, skipped: `set EDGEPROP_M3_INCLUDE and EDGEPROP_M3_${isa.toUpperCase()}_LIB` }); continue; }
            try {
              const elf = buildFirmware({ isa, engine, profile: modeProfile, obj: join(work, `${modeProfile}-${isa}-${engine}`), ...m3 });
              const r1 = await engineRun(elf, csv, w, EPOCHS_SHORT, mode, modeProfile, true, precision);
              const r3 = await engineRun(elf, csv, w, EPOCHS_LONG, mode, modeProfile, true, precision);
              const per = (r3.instructions - r1.instructions) / samples;
              rows.push({ id, isa, mode, engine, precision, profile: modeProfile, instructions_per_sample: per, ratio_to_plain: per / plain,
                static_ram: staticRam(elf, isa), heap_peak: r3.heap_peak, stack_peak: r3.stack_peak, ram: r3.ram, load_instructions: r3.load_instructions,
                run_instructions: { [EPOCHS_SHORT]: r1.instructions, [EPOCHS_LONG]: r3.instructions } });
              log(`${id} ${isa} ${mode} ${engine} ${precision} ${per.toFixed(1)} instructions/sample (${(per / plain).toFixed(2)}x plain C)`);
            } catch (err) {
              rows.push({ id, isa, mode, engine, precision, profile: modeProfile, error: String(err.message ?? err).slice(0, 400) });
              log(`${id} ${isa} ${mode} ${engine} ERROR ${err.message}`);
            }
          }
        }
        if (o.int16Peer && o.precisions.includes('int16')) {
          // The plain C int16 trainer of docs/int16.md (bench/peers/int16.c), beside the module's int16 rows
          // (lx106: built by boards/xtensa's `int16` target, with plain.c's RAM).
          try {
            const q1 = plainInstructions(isa, w, EPOCHS_SHORT, work, 'int16'), q3 = plainInstructions(isa, w, EPOCHS_LONG, work, 'int16');
            const per = (q3.instructions - q1.instructions) / samples;
            rows.push({ id, isa, mode: '', engine: 'plain-c int16', precision: 'int16', profile, instructions_per_sample: per, ratio_to_plain: per / plain, final_loss: q3.final_loss,
              heap_peak: q3.heap_peak, stack_peak: q3.stack_peak });
            log(`${id} ${isa} plain-c int16 ${per.toFixed(1)} instructions/sample`);
          } catch (err) {
            rows.push({ id, isa, mode: '', engine: 'plain-c int16', precision: 'int16', profile, error: String(err.message ?? err).slice(0, 400) });
            log(`${id} ${isa} plain-c int16 ERROR ${err.message}`);
          }
        }
        if (o.handTuned && HAND_TUNED_WORKLOADS.includes(id) && !isLx106(isa)) {
          const wasm2c = rows.slice(engineRowsFrom).find((r) => r.engine === 'wasm2c' && r.mode === 'streamed' && r.instructions_per_sample !== undefined);
          try {
            rows.push(handTunedRow(isa, w, work, samples, plain, p3, wasm2c?.instructions_per_sample));
          } catch (err) {
            rows.push({ id, isa, mode: '', engine: 'hand-tuned C', profile, error: String(err.message ?? err).slice(0, 400) });
            log(`${id} ${isa} hand-tuned C ERROR ${err.message}`);
          }
        }
      }
    }
    if (o.ram) ramRows.push(...await ramPerProfile(work));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const markdown = table(rows) + (ramRows.length ? '\n\n' + ramTable(ramRows) : '');
  if (o.jsonLine) process.stdout.write(JSON.stringify({ clock_hz: CLOCK_HZ, assumed_cpi: ASSUMED_CPI, rows, ram: ramRows, markdown }) + '\n');
  else process.stdout.write(markdown + '\n');
}

/**
 * RAM high-water per board profile: the firmware built for the profile (its
 * module memory, RAM size and stack), RAM_WORKLOAD trained one epoch (no
 * -icount: only the peaks count here); static data + heap peak + stack peak
 * against the RAM the profile's board gives the firmware.
 */
async function ramPerProfile(work) {
  const w = getWorkload(RAM_WORKLOAD);
  const csv = join(work, `ram-${w.id}.csv`);
  writeCsv(w, csv);
  const out = [];
  for (const [profile, isa] of RAM_PROFILES) {
    for (const engine of ['wasm2c', 'wasm3']) {
      const m3 = engine === 'wasm3' ? wasm3For(isa) : {};
      if (!m3) { out.push({ profile, isa, engine, id: w.id, skipped: `set EDGEPROP_M3_INCLUDE and EDGEPROP_M3_${isa.toUpperCase()}_LIB` }); continue; }
      try {
        const elf = buildFirmware({ isa, engine, profile, obj: join(work, `${profile}-${isa}-${engine}`), ...m3 });
        const r = await engineRun(elf, csv, w, 1, 'streamed', profile, false);
        const staticBytes = staticRam(elf, isa);
        const total = staticBytes + r.heap_peak + r.stack_peak;
        out.push({ profile, isa, engine, id: w.id, static_ram: staticBytes, heap_peak: r.heap_peak, stack_peak: r.stack_peak, total, ram: r.ram, fits: total <= r.ram });
        log(`RAM ${profile} ${isa} ${engine}: ${total} of ${r.ram} B`);
      } catch (err) {
        out.push({ profile, isa, engine, id: w.id, error: String(err.message ?? err).slice(0, 400) });
        log(`RAM ${profile} ${isa} ${engine} ERROR ${err.message}`);
      }
    }
  }
  return out;
}

function ramTable(rows) {
  const lines = [
    `RAM high-water per board profile: the firmware built for the profile (its module memory and RAM; QEMU's ISA standing in for the CPU), ` +
    `${RAM_WORKLOAD} streamed for one epoch. Static = .data + .bss + .noinit; heap = the sbrk break's high-water (wasm2c: the module's linear memory ` +
    `and the runtime); stack = the painted stack's high-water. RAM = what the profile's board gives the firmware (the S3: its PSRAM, where the ` +
    `module's memory lives, with the internal SRAM).`,
    '',
    '| profile | ISA (stand-in) | engine | workload | static B | heap peak B | stack peak B | total B | RAM B | fits |',
    '| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const r of rows) {
    if (r.skipped || r.error) { lines.push(`| ${r.profile} | ${r.isa} | ${r.engine} | ${r.id} | ${r.skipped ? `skipped: ${r.skipped}` : `error: ${r.error.replace(/\|/g, '/').split('\n')[0]}`} | | | | | |`); continue; }
    lines.push(`| ${r.profile} | ${r.isa} | ${r.engine} | ${r.id} | ${int(r.static_ram)} | ${int(r.heap_peak)} | ${int(r.stack_peak)} | ${int(r.total)} | ${int(r.ram)} | ${r.fits ? 'yes' : '**no**'} |`);
  }
  return lines.join('\n');
}

const int = (n) => Math.round(n).toLocaleString('en-US');

/** The engine column: int16 rows say so (docs/int16.md). */
const engineLabel = (r) => (r.precision === 'int16' && !r.engine.includes('int16') ? `${r.engine} int16` : r.engine);

function table(rows) {
  const lines = [
    `Instructions retired inside the module per trained sample on QEMU's riscv32 \`virt\` (lx106: its XTFPGA board with the LX106 core) (-icount shift=0), ` +
    `(${EPOCHS_LONG} epochs - ${EPOCHS_SHORT} epoch) / (${EPOCHS_LONG - EPOCHS_SHORT} x rows); plain-c is bench/peers/plain.c bare metal on the same CPU (whole program). ` +
    (rows.some((r) => r.engine === 'hand-tuned C') ? 'hand-tuned C is bench/peers/blocked.c (the same math with the module\'s 4x4 register-blocked loops) the same way. ' : '') +
    `Samples/s at ${CLOCK_HZ / 1e6} MHz (lx106: ${LX106.clockHz / 1e6} MHz) assume ${ASSUMED_CPI} cycles per instruction. ` +
    `Streamed: every row crosses the line each epoch; resident: the rows were uploaded once into the board's sample store (\`train --resident\`) ` +
    `and each epoch trains from it (resident P1 needs the S3 profile's memory: 48,000 B of rows and order). ` +
    `RAM: static data + heap high-water (sbrk) + stack high-water (painting) beside the RAM the profile's board gives the firmware.`,
    '',
    '| workload | ISA | mode | engine | profile | instructions/sample | x plain C | est. samples/s | static B | heap peak B | stack peak B | RAM B |',
    '| --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    if (r.skipped || r.error) { lines.push(`| ${r.id} | ${r.isa} | ${r.mode} | ${engineLabel(r)} | ${r.profile} | ${r.skipped ? `skipped: ${r.skipped}` : `error: ${r.error.replace(/\|/g, '/').split('\n')[0]}`} | | | | | | |`); continue; }
    const sps = clockFor(r.isa) / (ASSUMED_CPI * r.instructions_per_sample);
    lines.push(`| ${r.id} | ${r.isa} | ${r.mode} | ${engineLabel(r)} | ${r.profile} | ${int(r.instructions_per_sample)} | ${r.ratio_to_plain ? r.ratio_to_plain.toFixed(2) : '1'} | ${int(sps)} | ${r.static_ram ? int(r.static_ram) : ''} | ${int(r.heap_peak)} | ${int(r.stack_peak)} | ${r.ram ? int(r.ram) : ''} |`);
  }
  return lines.join('\n');
}

main().catch((err) => {
  process.stderr.write(`board: ${err.stack ?? err}\n`);
  process.exit(1);
});
