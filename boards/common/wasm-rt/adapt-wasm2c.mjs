// Puts edgeprop's loads and stores (ep-wasm-memory.h) into wasm2c's generated
// C in place of its own: the block from the load_data/LOAD_DATA definitions
// to the last DEFINE_STORE (WABT 1.0.32's layout). Refuses output whose
// layout it does not know rather than compile the module with wasm2c's
// helpers by mistake.
//
//   node boards/common/wasm-rt/adapt-wasm2c.mjs <edgeprop.c>   (rewrites it in place)
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const START = '#if WABT_BIG_ENDIAN\nstatic inline void load_data(';
const END = 'DEFINE_STORE(i64_store32, u32, u64)\n';
const INCLUDE = '/* edgeprop: the memory\'s loads and stores (boards/common/wasm-rt/ep-wasm-memory.h) */\n#include "ep-wasm-memory.h"\n';

/** wasm2c's C with its load/store helpers replaced; throws when the layout is not 1.0.32's. */
export function adaptWasm2c(source) {
  if (typeof source !== 'string') throw new TypeError('adaptWasm2c: source must be a string');
  const start = source.indexOf(START);
  const end = source.indexOf(END, start);
  if (start < 0 || end < 0 || source.indexOf(START, start + 1) >= 0) {
    throw new Error('wasm2c output without the load/store block of WABT 1.0.32 (a different WABT?): cannot use edgeprop\'s wasm-rt');
  }
  // The memory's size, for the mask: the one allocation of the module's one
  // memory (fixed: as many pages at most as at first).
  const alloc = /wasm_rt_allocate_memory\(&instance->w2c_memory, (\d+), (\d+)\);/.exec(source);
  if (!alloc || alloc[1] !== alloc[2] || source.match(/wasm_rt_allocate_memory\(/g).length !== 1) {
    throw new Error('wasm2c output without exactly one fixed-size memory: edgeprop\'s wasm-rt needs the module\'s one memory fixed');
  }
  const bytes = Number(alloc[1]) * 65536;
  const define = `#ifndef EP_WASM_MEMORY_BYTES\n#define EP_WASM_MEMORY_BYTES ${bytes}u\n#endif\n`;
  const out = source.slice(0, start) + define + INCLUDE + source.slice(end + END.length);
  if (out.includes('wasm_asm("" ::"r"(result))')) throw new Error('wasm2c\'s load helpers are still there after adapting');
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) { process.stderr.write('usage: adapt-wasm2c.mjs <edgeprop.c>\n'); process.exit(2); }
  writeFileSync(`${file}.tmp`, adaptWasm2c(readFileSync(file, 'utf8')));
  renameSync(`${file}.tmp`, file);
}
