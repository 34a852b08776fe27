/* Readable lines on the link, in the protocol's text framing: the line, CRLF,
 * then a 0x00 so the host's frame splitter takes it as text instead of
 * gluing it to the next frame (docs/protocol.md, 1.3 and 2.4). No stdio:
 * picolibc's printf would bring in its float formatting. */
#ifndef EDGEPROP_QEMU_TEXT_LINE_H
#define EDGEPROP_QEMU_TEXT_LINE_H

#include <stdint.h>

typedef struct text_line {
  char buf[320];
  unsigned len;
} text_line;

void text_begin(text_line *t, const char *s);
void text_str(text_line *t, const char *s);
void text_u64(text_line *t, uint64_t v);
void text_hex(text_line *t, uint32_t v);
/* " key=value" */
void text_field(text_line *t, const char *key, uint64_t v);
/* Writes the line, CRLF and the delimiter. */
void text_send(text_line *t);

#endif
