// The start of a small C program that includes the board's wasm-rt loads and
// stores (boards/common/wasm-rt/ep-wasm-memory.h) the way the generated C
// does (its core types defined first), up to main's memory variable `m`: the
// probes of checked-wasm-rt.test.ts and masked-wasm-rt.test.ts go on from it.
export const WASM_RT_PROBE_PRELUDE: readonly string[] = [
  "#include <stdlib.h>",
  "#include <string.h>",
  "#define WASM_RT_CORE_TYPES_DEFINED",
  "typedef unsigned char u8; typedef signed char s8; typedef unsigned short u16; typedef short s16;",
  "typedef unsigned int u32; typedef int s32; typedef unsigned long long u64; typedef long long s64;",
  "typedef float f32; typedef double f64;",
  '#include "ep-wasm-memory.h"',
  "int main(int argc, char **argv) {",
  "  wasm_rt_memory_t m; (void)argc;",
];
