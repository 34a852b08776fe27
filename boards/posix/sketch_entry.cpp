// The sketch's setup() is C++ (an .ino is C++); sketch_main.c is C: this is
// the one C entry point into it.
void setup();
extern "C" void edgeprop_sketch_setup(void) { setup(); }
