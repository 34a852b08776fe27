// The ESP32 board for the library (boards/esp32/board_esp32.cpp): the HAL
// over Serial and the trainer task. Other targets bring their own board.
#if defined(ESP32)
#include "../boards/esp32/board_esp32.cpp"
#endif
