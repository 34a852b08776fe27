/* The wasm3 engine (boards/common/engine_wasm3.c) for the <board> envs.
 * wasm3's headers come from lib_deps (wasm3/Wasm3); its d_m3* flags from the
 * global build_flags, which reach the library and this file alike. */
#include "../../common/engine_wasm3.c"
