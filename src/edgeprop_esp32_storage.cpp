// The ESP32 storage for the library (boards/esp32/storage_littlefs.cpp).
#if defined(ESP32)
#include "../boards/esp32/storage_littlefs.cpp"
#endif
