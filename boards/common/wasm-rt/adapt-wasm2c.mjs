// Puts edgeprop's loads and stores (ep-wasm-memory.h) into wasm2c's generated
// C in place of its own: the block from the load_data/LOAD_DATA definitions
// to the last DEFINE_STORE (WABT 1.0.32's layout). Refuses output whose
// layout it does not know rather than compile the module with wasm2c's
// helpers by mistake.
//
// Every access `X_load(&instance->w2c_memory, (u64)(BASE) + OFF)` (and each
// store) becomes `X_load_at(&instance->w2c_memory, ep_mem, BASE, OFF)`, with
// `ep_mem` the memory's data pointer read once at the top of each function:
//  - the board build masks only BASE into the memory and adds OFF after, so
//    the compiler computes `ep_mem + (BASE & mask)` once for all the accesses
//    off one base (the module's 4x4 blocks: one base, four offsets) and folds
//    OFF into each lw/flw/sw's immediate;
//  - the data pointer is a local the stores cannot alias (wasm2c's stores go
//    through a u8 copy, which may alias anything, so `mem->data` would
//    otherwise be loaded again after every store). The memory never grows
//    (wasm-rt-impl.c), so the pointer is the same for the whole run.
// A masked base plus OFF can reach past the memory by OFF + the access's
// bytes: the memory is allocated with a guard of (the largest OFF in the
// module + 8) bytes after it (the rewritten wasm_rt_allocate_memory call
// passes it), so no address, whatever the module computes, leaves the
// allocation.
//
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const START = '#if WABT_BIG_ENDIAN\nstatic inline void load_data(';
const END = 'DEFINE_STORE(i64_store32, u32, u64)\n';
const INCLUDE = '/* edgeprop: the memory\'s loads and stores (boards/common/wasm-rt/ep-wasm-memory.h) */\n#include "ep-wasm-memory.h"\n';

// Any load or store of the memory, and the form the rewrite knows.
const ANY_ACCESS = /\b[if](?:32|64)_(?:load|store)(?:8|16|32)?(?:_[su])?\(&instance->w2c_memory,/g;
const ACCESS = /\b([if](?:32|64)_(?:load|store)(?:8|16|32)?(?:_[su])?)\(&instance->w2c_memory, \(u64\)\((w2c_\w+)\)(?: \+ (\d+)u?)?([,)])/g;
// One function of the generated C: its opening line to the first closing
// brace in column 0 (wasm2c indents everything inside a function).
const FUNCTION = /^((?:static )?\w+ w2c_\w+\(Z_edgeprop_instance_t\* instance[^)]*\) \{\n)([\s\S]*?^\}\n)/gm;
// A static offset larger than this would need a guard this large after the
// memory: refuse rather than allocate it (AssemblyScript's are a few dozen bytes).
const MAX_GUARD = 4096;

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
  let maxOffset = 0;
  const body = (source.slice(0, start) + define + INCLUDE + source.slice(end + END.length)).replace(FUNCTION, (_, open, rest) => {
    let uses = false;
    const rewritten = rest.replace(ACCESS, (_m, name, base, offset, after) => {
      uses = true;
      const off = offset === undefined ? 0 : Number(offset);
      maxOffset = Math.max(maxOffset, off);
      return `${name}_at(&instance->w2c_memory, ep_mem, ${base}, ${off}u${after}`;
    });
    return uses ? `${open}  u8 *const ep_mem = instance->w2c_memory.data;\n${rewritten}` : open + rewritten;
  });
  const left = body.match(ANY_ACCESS);
  if (left) throw new Error(`wasm2c output with ${left.length} load(s)/store(s) of a form edgeprop's wasm-rt does not know (${left[0]}...)`);
  const guard = maxOffset + 8;
  if (guard > MAX_GUARD) throw new Error(`a static offset of ${maxOffset} bytes: the guard after the memory would be ${guard} bytes (at most ${MAX_GUARD})`);
  const allocate = /wasm_rt_allocate_memory\(&instance->w2c_memory, (\d+), (\d+)\);/;
  const out = body.replace(allocate, `ep_wasm_allocate_memory(&instance->w2c_memory, $1, $2, ${guard}u); /* + the guard: (u32 base & mask) + offsets up to ${maxOffset} + 8 bytes */`);
  if (out.includes('wasm_rt_allocate_memory(')) throw new Error('wasm2c\'s memory allocation is still there after adapting');
  if (out.includes('wasm_asm("" ::"r"(result))')) throw new Error('wasm2c\'s load helpers are still there after adapting');
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) { process.stderr.write('usage: adapt-wasm2c.mjs <edgeprop.c>\n'); process.exit(2); }
  writeFileSync(`${file}.tmp`, adaptWasm2c(readFileSync(file, 'utf8')));
  renameSync(`${file}.tmp`, file);
}
