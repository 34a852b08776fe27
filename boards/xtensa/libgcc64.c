/* The 64-bit multiply and divide entry points GCC calls on the LX106 (no
 * 32x32 high multiply, no divide instruction) that Debian's lx106 libgcc
 * leaves out (the ESP8266 keeps them in its mask ROM). The divisions are
 * libgcc's own __udivmoddi4/__divmoddi4, which it does ship; the multiply is
 * built on __umulsidi3 (lib1funcs.S, built from gcc-12-source: Makefile). */
#include <stddef.h>
#include <stdint.h>

uint64_t __umulsidi3(uint32_t a, uint32_t b);
int64_t __divmoddi4(int64_t a, int64_t b, int64_t *rem);
uint64_t __udivmoddi4(uint64_t a, uint64_t b, uint64_t *rem);

int64_t __muldi3(int64_t a, int64_t b);
int64_t __divdi3(int64_t a, int64_t b);
uint64_t __udivdi3(uint64_t a, uint64_t b);
uint64_t __umoddi3(uint64_t a, uint64_t b);

/* Modulo 2^64: the low halves' full product plus the cross terms' low words. */
int64_t __muldi3(int64_t a, int64_t b) {
  uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
  uint32_t al = (uint32_t)ua, ah = (uint32_t)(ua >> 32), bl = (uint32_t)ub, bh = (uint32_t)(ub >> 32);
  uint32_t cross = al * bh + ah * bl;
  return (int64_t)(__umulsidi3(al, bl) + ((uint64_t)cross << 32));
}

int64_t __divdi3(int64_t a, int64_t b) {
  int64_t r; /* __divmoddi4 always stores the remainder */
  return __divmoddi4(a, b, &r);
}
uint64_t __udivdi3(uint64_t a, uint64_t b) { return __udivmoddi4(a, b, NULL); }
uint64_t __umoddi3(uint64_t a, uint64_t b) {
  uint64_t r;
  (void)__udivmoddi4(a, b, &r);
  return r;
}
