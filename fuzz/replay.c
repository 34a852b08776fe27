/* The harness (harness.c) without libFuzzer: runs each file named on the
 * command line once, as libFuzzer does when given files. Used by the checked
 * build (`make -C fuzz checked`), which runs the corpus and the hostile
 * streams with every memory access of the module checked aligned and inside
 * the plan (boards/common/wasm-rt/ep-wasm-memory.h, EP_WASM_CHECKED). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv) {
  int i;
  for (i = 1; i < argc; i++) {
    FILE *f = fopen(argv[i], "rb");
    uint8_t *data;
    long size;
    if (!f || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
      fprintf(stderr, "edgeprop replay: cannot read %s\n", argv[i]);
      return 2;
    }
    data = malloc((size_t)size + 1);
    if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) {
      fprintf(stderr, "edgeprop replay: cannot read %s\n", argv[i]);
      return 2;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(data, (size_t)size);
    free(data);
  }
  return 0;
}
