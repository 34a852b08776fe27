/* The edgeprop library (Arduino, PlatformIO): the storage HAL's key rule (boards/common/storage_key.c), compiled here
 * from its one copy in boards/common (a file of its own: each source keeps
 * its static names to itself). */
#include "../boards/common/storage_key.c"
