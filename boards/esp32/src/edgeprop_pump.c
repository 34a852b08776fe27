/* The shared pump, compiled into the firmware from boards/common. Including
 * the sources (rather than pointing a library.json or build_src_filter outside
 * the project) keeps the one copy in boards/common and works with every
 * PlatformIO version: a plain relative #include. wasm3's headers come from
 * lib_deps (wasm3/Wasm3). */
#include "../../common/error_frame.c"
#include "../../common/pump.c"
#include "../../common/engine_wasm3.c"
