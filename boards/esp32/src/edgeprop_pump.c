/* The shared pump, compiled into the firmware from boards/common. Including
 * the sources (rather than pointing a library.json or build_src_filter outside
 * the project) keeps the one copy in boards/common and works with every
 * PlatformIO version: a plain relative #include. The engine comes from
 * edgeprop_engine_wasm3.c or edgeprop_engine_wasm2c.c (platformio.ini picks
 * one per environment). */
#include "../../common/error_frame.c"
#include "../../common/pump.c"
