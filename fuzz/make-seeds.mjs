// Writes the seed corpus (fuzz/corpus/) in the harness's input language (see
// decode_input in fuzz/harness.c): the two repro streams of issue 14 as raw
// bytes, and valid sessions built from frame operations. Run it again after
// changing the language; regression inputs found by the fuzzer live beside
// these (fuzz/corpus/regress-*).
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "fuzz", "corpus");
mkdirSync(out, { recursive: true });

// Operations (op % 12), with the seq mode in bits 4-5 (0: the expected seq).
const OP = { HELLO: 0, CONFIGURE: 1, SET: 2, GET: 3, BATCH: 4, EVAL: 5, SET_LR: 6, RESET: 7, ANY: 8, RAW: 9, DELIM: 10, DAMAGED: 11 };

function raw(bytes) {
  const b = Buffer.alloc(3 + bytes.length);
  b[0] = OP.RAW;
  b.writeUInt16LE(bytes.length, 1);
  Buffer.from(bytes).copy(b, 3);
  return b;
}

for (const name of ["trap-configure.bin", "livelock.bin"]) {
  writeFileSync(join(out, `repro-${name}`), raw(readFileSync(join(root, "tests", "fixtures", "repro", name))));
}

// template, patches; region which, offset mode (<96: the interesting table), count/floats; batch flags, rows, exact length
const floats = (n) => Array.from({ length: n }, (_, i) => (i * 37) % 160);
const sessions = {
  "session-ce-adam": [
    OP.HELLO, OP.CONFIGURE, 0, 0,
    OP.GET, 0, 0, 10,
    OP.SET, 0, 0, 4, ...Array(16).fill(0x3c),
    OP.BATCH, 0, 8, 0, ...floats(8 * 4),
    OP.BATCH, 1, 8, 0, ...floats(8 * 4),
    OP.EVAL, 2, 4, 0, ...floats(4 * 4),
    OP.SET_LR, 0, OP.RESET, OP.HELLO,
  ],
  "session-mse-sgd": [
    OP.HELLO, OP.CONFIGURE, 1, 0,
    OP.BATCH, 5, 1, 0, 4, 5, 6, 0, 0, 0, 0,
    OP.GET, 1, 0, 3, OP.GET, 0, 0, 3,
    OP.EVAL, 0, 1, 0, 1, 2,
  ],
  "session-bce-rmsprop-extreme": [
    OP.HELLO, OP.CONFIGURE, 2, 2, 1 | (9 << 1), 19, 0, 3, 1, // size 8 = 65535 and chunk = 0
    OP.CONFIGURE, 2, 1, 1 | (1 << 1), 0x80 + 19,
    OP.CONFIGURE, 2, 0,
    OP.BATCH, 1, 16, 0, ...floats(16 * 7),
    OP.GET, 1, 7, 0x80 | 19, OP.SET, 0, 8, 8, ...Array(32).fill(1),
    OP.DELIM, OP.DAMAGED, 0, 0, OP.ANY, 0x42, 3, 1, 2, 3,
  ],
  // version 2's fields: 4-8-8-3 with layers 1..2 frozen and the inputs normalised,
  // statistics written (region 2), a batch trained, evaluated, the statistics read back
  "session-freeze-normalize": [
    OP.HELLO, OP.CONFIGURE, 2, 2, 2, 2, 2 | (1 << 2), 1,
    OP.SET, 2, 0, 8, ...Array(16).fill(0x3c), ...Array(16).fill(0x40),
    OP.BATCH, 1, 16, 0, ...floats(16 * 7),
    OP.EVAL, 0, 4, 0, ...floats(4 * 4),
    OP.GET, 2, 0, 8, OP.GET, 1, 0, 40,
    OP.CONFIGURE, 0x80, 0, // a version-1 block: 128 bytes, its appended fields absent
    OP.BATCH, 1, 8, 0, ...floats(8 * 4),
  ],
  // int16 (docs/int16.md, byte 152): 3-4-2 relu trained and evaluated in integers, its weights
  // read and set; then 4-8-8-3 tanh asks for int16 (refused at its activation byte) and f32 again
  "session-int16": [
    OP.HELLO, OP.CONFIGURE, 0, 1, 2 | (3 << 2), 1,
    OP.BATCH, 0, 8, 0, ...floats(8 * 4),
    OP.BATCH, 1, 8, 0, ...floats(8 * 4),
    OP.EVAL, 2, 4, 0, ...floats(4 * 4),
    OP.GET, 0, 0, 10, OP.SET, 0, 0, 4, ...Array(16).fill(0x7f),
    OP.BATCH, 1, 8, 0, ...floats(8 * 4),
    OP.CONFIGURE, 2, 1, 2 | (3 << 2), 1,
    OP.CONFIGURE, 2, 0,
    OP.BATCH, 1, 16, 0, ...floats(16 * 7),
  ],
};
for (const [name, ops] of Object.entries(sessions)) writeFileSync(join(out, name), Buffer.from(ops));
console.log(`wrote ${2 + Object.keys(sessions).length} seeds to ${out}`);
