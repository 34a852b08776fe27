/* The wasm2c engine for the <board>-wasm2c envs: the same engine source the
 * POSIX board uses (boards/posix/engine_wasm2c.c: nothing in it is POSIX but
 * a feature-test macro), around the module translated to C. src/w2c/ holds
 * the generated files (see docs/boards.md, "wasm2c on a real board"):
 *   edgeprop.c, edgeprop.h        wasm2c build/boards/<profile>/edgeprop.wasm -n edgeprop
 *   wasm-rt.h, wasm-rt-impl.c/.h, ep-wasm-memory.h
 *                                 edgeprop's runtime (boards/common/wasm-rt)
 *   w2c-api.h                     EP_W2C_API / EP_W2C_BOOT_VOID / EP_W2C_HAS_BUSY,
 *                                 as boards/posix/Makefile detects them
 * No signal handler: the memory is calloc'd, a power of two, and every
 * access is masked into it (proven aligned and inside the plan by the checked
 * build in npm test); traps longjmp back.
 * PlatformIO compiles src/w2c/edgeprop.c and wasm-rt-impl.c on their own. */
#if __has_include("w2c-api.h")
#include "w2c-api.h"
#else
#error "src/w2c/ is missing: generate it for the wasm2c engine (docs/boards.md, \"wasm2c on a real board\")"
#endif
#include "../../posix/engine_wasm2c.c"
