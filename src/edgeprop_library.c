/* The edgeprop library's C sources for Arduino and PlatformIO: the shared
 * pump, the training API and the storage key rule (boards/common), and the
 * wasm3 engine unless the build uses wasm2c (EDGEPROP_ENGINE_WASM2C, whose
 * engine and module the project compiles itself: boards/esp32/src). Included
 * rather than copied: the one copy stays in boards/common. */
#include "../boards/common/error_frame.c"
#include "../boards/common/pump.c"
#include "../boards/common/edgeprop.c"
#include "../boards/common/storage_key.c"
