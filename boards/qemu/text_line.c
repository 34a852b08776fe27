#include "text_line.h"

#include "hal.h"

static void put(text_line *t, char c) {
  if (t->len < sizeof t->buf) t->buf[t->len++] = c;
}

void text_begin(text_line *t, const char *s) {
  t->len = 0;
  text_str(t, s);
}

void text_str(text_line *t, const char *s) {
  while (*s) put(t, *s++);
}

void text_u64(text_line *t, uint64_t v) {
  char digits[20];
  int n = 0;
  do {
    digits[n++] = (char)('0' + (int)(v % 10u));
    v /= 10u;
  } while (v);
  while (n) put(t, digits[--n]);
}

void text_hex(text_line *t, uint32_t v) {
  static const char hex[] = "0123456789abcdef";
  int shift;
  text_str(t, "0x");
  for (shift = 28; shift >= 0; shift -= 4) put(t, hex[(v >> shift) & 0xFu]);
}

void text_field(text_line *t, const char *key, uint64_t v) {
  put(t, ' ');
  text_str(t, key);
  put(t, '=');
  text_u64(t, v);
}

void text_send(text_line *t) {
  static const uint8_t end[] = {'\r', '\n', 0x00};
  (void)ep_hal_write((const uint8_t *)t->buf, t->len);
  (void)ep_hal_write(end, sizeof end);
}
