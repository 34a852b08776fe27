/* The edgeprop library (Arduino, PlatformIO): the pump's own ERROR frame, CRC-32 and COBS (boards/common/error_frame.c), compiled here
 * from its one copy in boards/common (a file of its own: each source keeps
 * its static names to itself). */
#include "../boards/common/error_frame.c"
