/* The wasm3 engine (boards/common/engine_wasm3.c) for the library. wasm3's
 * headers come from the Wasm3 library (a dependency in library.json and
 * library.properties); its d_m3* flags must be the global build flags, which
 * reach the library and this file alike (docs/boards.md). */
#if !EDGEPROP_ENGINE_WASM2C
#include <wasm3.h> /* names the Wasm3 library for PlatformIO's dependency finder */
#include "../boards/common/engine_wasm3.c"
#endif
