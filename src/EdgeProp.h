/* The edgeprop library's header for sketches (Arduino IDE, PlatformIO):
 * the training API (edgeprop.h) and what the board gives a sketch
 * (edgeprop_board.h). The sources live in boards/; this folder only puts
 * them where Arduino and PlatformIO look (src/, next to library.properties
 * and library.json). */
#ifndef EDGEPROP_LIBRARY_H
#define EDGEPROP_LIBRARY_H

#include "../boards/common/edgeprop.h"
#include "../boards/common/edgeprop_board.h"

#endif
