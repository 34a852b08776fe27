/* The edgeprop library (Arduino, PlatformIO): the board pump (boards/common/pump.c), compiled here
 * from its one copy in boards/common (a file of its own: each source keeps
 * its static names to itself). */
#include "../boards/common/pump.c"
