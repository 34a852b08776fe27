/* The edgeprop library (Arduino, PlatformIO): the training API (boards/common/edgeprop.c), compiled here
 * from its one copy in boards/common (a file of its own: each source keeps
 * its static names to itself). */
#include "../boards/common/edgeprop.c"
