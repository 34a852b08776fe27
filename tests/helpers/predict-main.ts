// A C program around an exported header (`edgeprop export --format c`) for
// the tests that compare the header with `predict`: it reads each row's raw
// inputs as words from stdin (so `nan` reaches the header as a missing
// value, and a category as its enum's index), and prints one line per row:
// edgeprop_predict's status, then the outputs (0 where the status is not 0).

/** The C source of that program, including `header`. */
export function predictMainC(header: string): string {
  return `#include <stdio.h>
#include <stdlib.h>
#include "${header}"
int main(void)
{
  float in[EDGEPROP_INPUTS], out[EDGEPROP_OUTPUTS];
  char word[64];
  for (;;) {
    int i, k, status;
    for (i = 0; i < EDGEPROP_INPUTS; i++) {
      if (scanf("%63s", word) != 1) return 0;
      in[i] = strtof(word, 0);
    }
    status = edgeprop_predict(in, out);
    printf("%d", status);
    for (k = 0; k < EDGEPROP_OUTPUTS; k++) printf(" %.9g", status == 0 ? out[k] : 0.0f);
    printf("\\n");
  }
}
`;
}
