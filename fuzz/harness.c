/* libFuzzer harness: the module as the pump runs it (build/edgeprop.wasm
 * through wasm2c, boards/common/pump.c, engine_wasm2c.c), over a HAL that
 * reads the fuzz input and checks everything the board writes.
 *
 * Each input is a program of operations (structure-aware: most make a
 * well-formed COBS/CRC frame of a chosen type with a mutated payload, some add
 * raw bytes, delimiters or damaged frames); see decode_input(). It runs on a
 * fresh instance (ep_engine_reload), then a delimiter and a HELLO follow in a
 * read of their own. After each input, abort() (a libFuzzer crash) unless:
 *   - the module never trapped (the pump restarted nothing);
 *   - nothing past static data + the largest accepted plan changed (canary),
 *     and no initialised static byte changed;
 *   - every piece of output between 0x00s is the banner or a well-formed
 *     frame (COBS, length, CRC);
 *   - the final HELLO got its HELLO reply.
 * EDGEPROP_FUZZ_SELFTEST=canary|frame|hello makes the harness break one rule
 * itself, so a test can see each check fire. EDGEPROP_FUZZ_RAW=1 takes each
 * input as the serial byte stream itself (to replay a session file). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "error_frame.h"
#include "hal.h"
#include "pump.h"

/* ---- the protocol, as docs/protocol.md gives it -------------------------- */

enum { T_HELLO = 0x01, T_CONFIGURE = 0x02, T_SET_WEIGHTS = 0x03, T_GET_WEIGHTS = 0x04, T_BATCH = 0x05,
       T_EVAL = 0x06, T_SET_LR = 0x07, T_RESET = 0x08, T_REPLY = 0x80 };
enum { HEADER = 5, TRAILER = 4 };
enum { STATUS_OK = 0 };
/* The CONFIGURE reply's total_bytes (assembly/protocol/payload.ts). */
enum { CONFIGURE_REPLY_TOTAL = 28, CONFIGURE_REPLY_BYTES = 44 };
/* Config block fields (assembly/config.ts): version 1 is 128 bytes, version 2
 * (the default here) 160, with the frozen-layer count, the input flags and the
 * store rows at 144..151. */
enum { CONFIG_V1_BYTES = 128, CONFIG_BYTES = 160, C_FROZEN = 144, C_INPUT_FLAGS = 145, C_STORE_ROWS = 148, C_PRECISION = 152,
       C_VERSION = 0, C_LAYERS = 1, C_LOSS = 2, C_OPT = 3, C_FLAGS = 4, C_INIT = 5,
       C_CHUNK = 6, C_SEED = 8, C_SIZES = 12, C_ACTS = 30, C_LR = 40, C_MOMENTUM = 48, C_ALPHA = 72,
       C_EPS = 80, C_BETA1 = 88, C_BETA2 = 96 };
enum { LOSS_MSE = 0, LOSS_CE = 1, LOSS_BCE = 2 };
/* The unconfigured arena after static data: rx for MIN_RX_PAYLOAD (160) and
 * tx for TX_PAYLOAD (192), each encodedFrameBytes() (assembly/plan.ts). */
enum { MIN_RX_PAYLOAD = 160, TX_PAYLOAD = 192, FRAME_OVERHEAD = 9 };
static uint32_t encoded_frame_bytes(uint32_t payload) {
  uint32_t raw = FRAME_OVERHEAD + payload;
  return (raw + (raw + 253) / 254 + 1 + 7) & ~7u;
}

#define FINAL_HELLO_SEQ 0xBEEF
#define MAX_STREAM (1u << 18)
#define CANARY(i) ((uint8_t)(0xA5 ^ ((i) * 7)))

static void fail(const char *what, const char *detail) {
  fprintf(stderr, "edgeprop fuzz: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  abort();
}

/* ---- building the byte stream from the fuzz input ------------------------ */

typedef struct { const uint8_t *p; size_t n, at; } reader;
static uint8_t byte(reader *r) { return r->at < r->n ? r->p[r->at++] : 0; }
static uint16_t u16(reader *r) { uint16_t lo = byte(r); return (uint16_t)(lo | (byte(r) << 8)); }
static uint32_t u32(reader *r) { uint32_t lo = u16(r); return lo | ((uint32_t)u16(r) << 16); }

static const uint16_t INTERESTING16[] = {0, 1, 2, 3, 7, 8, 46, 47, 127, 128, 255, 256, 4095, 4096,
                                         16383, 16384, 32767, 32768, 65534, 65535};
static const uint32_t INTERESTING32[] = {0, 1, 2, 45, 46, 47, 0x3fffffffu, 0x40000000u, 1073610036u,
                                         0x7fffffffu, 0x80000000u, 0xfffffffcu, 0xffffffffu};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static uint8_t g_stream[MAX_STREAM];
static size_t g_stream_len;
static uint16_t g_expected;  /* the seq the module should execute next */
static uint8_t g_shape[CONFIG_BYTES]; /* the last CONFIGURE sent (to size BATCH rows) */

static void put(const uint8_t *b, size_t n) {
  if (g_stream_len + n > MAX_STREAM) n = MAX_STREAM - g_stream_len;
  memcpy(g_stream + g_stream_len, b, n);
  g_stream_len += n;
}

static void put_frame(uint8_t type, uint16_t seq, const uint8_t *payload, uint16_t len, int damage, reader *r) {
  static uint8_t raw[HEADER + 65535 + TRAILER];
  static uint8_t enc[sizeof raw + sizeof raw / 254 + 2];
  size_t n = HEADER + (size_t)len + TRAILER, m;
  uint32_t crc;
  raw[0] = type;
  raw[1] = (uint8_t)seq;
  raw[2] = (uint8_t)(seq >> 8);
  raw[3] = (uint8_t)len;
  raw[4] = (uint8_t)(len >> 8);
  memcpy(raw + HEADER, payload, len);
  crc = ep_crc32(raw, HEADER + len);
  memcpy(raw + HEADER + len, &crc, 4); /* little-endian hosts only (x86, arm) */
  if (damage) raw[byte(r) % n] ^= (uint8_t)(1u << (byte(r) & 7));
  m = ep_cobs_encode(raw, n, enc, sizeof enc);
  put(enc, m);
}

static uint16_t next_seq(uint8_t op, reader *r) {
  switch ((op >> 4) & 3) {
    case 2: return (uint16_t)(g_expected - 1 - (byte(r) & 3)); /* a repeat */
    case 3: return u16(r);
    default: return g_expected;
  }
}

static void put_f64(uint8_t *at, double v) { memcpy(at, &v, 8); }

/* `which` bit 7: a version-1 block (its appended fields absent), else version 2. */
static void config_template(uint8_t *b, uint8_t which) {
  memset(b, 0, CONFIG_BYTES);
  b[C_VERSION] = (which & 0x80) ? 1 : 2;
  put_f64(b + C_LR, 0.01);
  put_f64(b + C_ALPHA, 0.99);
  put_f64(b + C_EPS, 1e-8);
  put_f64(b + C_BETA1, 0.9);
  put_f64(b + C_BETA2, 0.999);
  b[C_SEED] = 7;
  switch (which % 3) {
    case 0: /* 3-4-2 relu, ce, adam, chunk 8 */
      b[C_LAYERS] = 2; b[C_LOSS] = LOSS_CE; b[C_OPT] = 3; b[C_CHUNK] = 8;
      b[C_SIZES] = 3; b[C_SIZES + 2] = 4; b[C_SIZES + 4] = 2; b[C_ACTS] = 1;
      break;
    case 1: /* 2-1, mse, sgd with momentum, chunk 1 */
      b[C_LAYERS] = 1; b[C_LOSS] = LOSS_MSE; b[C_OPT] = 0; b[C_CHUNK] = 1;
      b[C_SIZES] = 2; b[C_SIZES + 2] = 1;
      put_f64(b + C_MOMENTUM, 0.9);
      break;
    default: /* 4-8-8-3 tanh, bce, rmsprop centered + momentum, chunk 16 */
      b[C_LAYERS] = 3; b[C_LOSS] = LOSS_BCE; b[C_OPT] = 2; b[C_FLAGS] = 2; b[C_CHUNK] = 16;
      b[C_SIZES] = 4; b[C_SIZES + 2] = 8; b[C_SIZES + 4] = 8; b[C_SIZES + 6] = 3;
      b[C_ACTS] = 4; b[C_ACTS + 1] = 4;
      put_f64(b + C_MOMENTUM, 0.5);
      break;
  }
}

static void op_configure(uint8_t op, reader *r) {
  uint8_t b[CONFIG_BYTES];
  int patches, i;
  uint16_t seq = next_seq(op, r);
  uint8_t which = byte(r);
  config_template(b, which);
  patches = byte(r) % 8;
  for (i = 0; i < patches; i++) {
    uint8_t kind = byte(r);
    if (kind & 1) { /* a u16 field: the chunk or a size, often an interesting value */
      int field = (kind >> 1) % 10;
      uint8_t v = byte(r);
      uint16_t x = (v & 0x80) ? u16(r) : INTERESTING16[v % COUNT(INTERESTING16)];
      int off = field == 0 ? C_CHUNK : C_SIZES + 2 * (field - 1);
      b[off] = (uint8_t)x;
      b[off + 1] = (uint8_t)(x >> 8);
    } else if (kind & 2) { /* version 2's fields: frozen layers (legal or not), input flags, store rows, precision */
      uint8_t v = byte(r);
      switch ((kind >> 2) % 4) {
        case 0: b[C_FROZEN] = (v & 0x80) ? v : (uint8_t)(v % 9); break;
        case 1: b[C_INPUT_FLAGS] = (v & 0x80) ? v : (uint8_t)(v & 1); break;
        case 3: b[C_PRECISION] = (v & 0x80) ? v : (uint8_t)(v & 1); break; /* docs/int16.md */
        default: { uint32_t rows = (v & 0x80) ? u32(r) : (uint32_t)(v % 4); memcpy(b + C_STORE_ROWS, &rows, 4); break; }
      }
    } else {
      uint8_t off = byte(r) % CONFIG_BYTES;
      b[off] = byte(r);
    }
  }
  memcpy(g_shape, b, CONFIG_BYTES);
  put_frame(T_CONFIGURE, seq, b, (which & 0x80) ? CONFIG_V1_BYTES : CONFIG_BYTES, 0, r);
  if (seq == g_expected) g_expected++;
}

static uint32_t some_u32(reader *r) {
  uint8_t m = byte(r);
  if (m < 96) return INTERESTING32[m % COUNT(INTERESTING32)];
  if (m < 200) return m - 96;
  return u32(r);
}

static void op_region(uint8_t op, reader *r, int set) {
  uint8_t p[8 + 4 * 40];
  uint16_t seq = next_seq(op, r), len;
  uint8_t which = byte(r);
  uint32_t offset = some_u32(r);
  memset(p, 0, sizeof p);
  /* PARAMS, OPTIMIZER, INPUT_STATS, or a region past them */
  p[0] = (which & 0xfc) == 0xfc ? which : (uint8_t)((which & 3) % 3);
  memcpy(p + 4, &offset, 4);
  if (set) {
    uint8_t m = byte(r);
    int floats = m % 40, i;
    len = (uint16_t)(8 + 4 * floats + ((m & 0x80) ? (m >> 5) & 3 : 0));
    for (i = 8; i < len; i++) p[i] = byte(r);
  } else {
    uint8_t m = byte(r);
    uint16_t count = (m & 0x80) ? INTERESTING16[m % COUNT(INTERESTING16)] : (uint16_t)(m % 50);
    memcpy(p + 8, &count, 2);
    len = (m & 0x40) ? (uint16_t)(8 + (byte(r) % 4)) : 10;
  }
  put_frame(set ? T_SET_WEIGHTS : T_GET_WEIGHTS, seq, p, len, 0, r);
  if (seq == g_expected) g_expected++;
}

static void op_batch(uint8_t op, reader *r, int evaluate) {
  static uint8_t p[8 + 16384];
  uint16_t seq = next_seq(op, r);
  uint8_t flags = byte(r), m = byte(r);
  uint16_t rows = (m & 0x80) ? INTERESTING16[m % COUNT(INTERESTING16)] : (uint16_t)(m % 20);
  uint16_t n_in = (uint16_t)(g_shape[C_SIZES] | (g_shape[C_SIZES + 1] << 8));
  uint8_t layers = g_shape[C_LAYERS] > 8 ? 8 : g_shape[C_LAYERS];
  uint16_t n_out = (uint16_t)(g_shape[C_SIZES + 2 * layers] | (g_shape[C_SIZES + 2 * layers + 1] << 8));
  uint32_t n_t = (!evaluate || (flags & 2)) ? (g_shape[C_LOSS] == LOSS_CE ? 1u : n_out) : 0u;
  uint8_t lm = byte(r);
  size_t len = (lm & 0x80) ? (size_t)lm * 3 : 8 + (size_t)rows * (n_in + n_t) * 4; /* exact, or not */
  size_t i;
  if (len > sizeof p) len = sizeof p;
  if (len < 8) len = 8;
  memset(p, 0, 8);
  p[0] = flags;
  memcpy(p + 2, &rows, 2);
  { uint32_t step = (flags & 4) ? some_u32(r) : 0; memcpy(p + 4, &step, 4); }
  for (i = 8; i + 4 <= len; i += 4) {
    /* small floats, class labels, or raw bits */
    uint8_t k = byte(r);
    float v = k < 160 ? (float)(k % 16) / 8.0f - 1.0f : (float)(k % 4);
    if (k >= 250) { uint32_t bits = u32(r); memcpy(&v, &bits, 4); }
    memcpy(p + i, &v, 4);
  }
  put_frame(evaluate ? T_EVAL : T_BATCH, seq, p, (uint16_t)len, 0, r);
  if (seq == g_expected) g_expected++;
}

static void decode_input(const uint8_t *data, size_t size) {
  reader r = {data, size, 0};
  g_stream_len = 0;
  g_expected = 0;
  config_template(g_shape, 0);
  while (r.at < r.n && g_stream_len < MAX_STREAM - 70000) {
    uint8_t op = byte(&r);
    switch (op % 12) {
      case 0: { uint16_t seq = (op & 0x30) == 0x30 ? u16(&r) : g_expected;
                put_frame(T_HELLO, seq, NULL, 0, 0, &r); g_expected = (uint16_t)(seq + 1); break; }
      case 1: op_configure(op, &r); break;
      case 2: op_region(op, &r, 1); break;
      case 3: op_region(op, &r, 0); break;
      case 4: op_batch(op, &r, 0); break;
      case 5: op_batch(op, &r, 1); break;
      case 6: { uint8_t p[8]; uint16_t seq = next_seq(op, &r); uint8_t m = byte(&r);
                static const double lrs[] = {0.01, 0.0, -1.0, 1e308, 1.0 / 0.0, 0.0 / 0.0};
                if (m < 192) put_f64(p, lrs[m % COUNT(lrs)]); else { uint32_t a = u32(&r), b = u32(&r); memcpy(p, &a, 4); memcpy(p + 4, &b, 4); }
                put_frame(T_SET_LR, seq, p, (m & 0x40) ? (uint16_t)(m % 8) : 8, 0, &r);
                if (seq == g_expected) g_expected++; break; }
      case 7: { uint16_t seq = next_seq(op, &r); put_frame(T_RESET, seq, NULL, 0, 0, &r);
                if (seq == g_expected) g_expected++; break; }
      case 8: { uint8_t p[256]; uint8_t type = byte(&r); uint16_t seq = next_seq(op, &r); uint8_t len = byte(&r), i;
                for (i = 0; i < len; i++) p[i] = byte(&r);
                put_frame(type, seq, p, len, 0, &r); break; }
      case 9: { uint16_t len = u16(&r);
                if (len > r.n - r.at) len = (uint16_t)(r.n - r.at);
                put(r.p + r.at, len); r.at += len; break; }
      case 10: { uint8_t z = 0; put(&z, 1); break; }
      default: { uint8_t p[10] = {0}; put_frame((op & 0x40) ? T_GET_WEIGHTS : T_HELLO, next_seq(op, &r), p,
                                                (op & 0x40) ? 10 : 0, 1, &r); break; }
    }
  }
}

/* ---- the HAL: input from the stream, output checked as it comes ----------- */

static const uint8_t *g_in;
static size_t g_in_len, g_in_at;
static int g_phase; /* 0: the stream, 1: delimiter + HELLO, 2: end of input */
static uint8_t g_hello[64];
static size_t g_hello_len;
static uint8_t g_read_pattern; /* varies read sizes, from the input's first byte */

static uint8_t g_piece[1 << 16];
static size_t g_piece_len;
static int g_piece_overflow;
static uint32_t g_largest_plan;
static int g_final_hello_answered, g_banners;
static const char *g_selftest;
static int g_raw_input;

static int cobs_decode(const uint8_t *in, size_t n, uint8_t *out, size_t *out_len) {
  size_t i = 0, w = 0;
  while (i < n) {
    uint8_t code = in[i++];
    size_t k;
    if (code == 0 || i + code - 1 > n) return -1;
    for (k = 1; k < code; k++) out[w++] = in[i++];
    if (code < 0xff && i < n) out[w++] = 0;
  }
  *out_len = w;
  return 0;
}

static void check_piece(const uint8_t *p, size_t n) {
  static uint8_t raw[sizeof g_piece];
  size_t m;
  uint16_t len;
  uint32_t crc;
  if (n == 0) return;
  if (n > 9 && !memcmp(p, "edgeprop ", 9) && p[n - 2] == '\r' && p[n - 1] == '\n') { g_banners++; return; }
  if (n > 10 && !memcmp(p, "edgeprop: ", 10)) fail("the pump reported", (const char *)p);
  if (cobs_decode(p, n, raw, &m) < 0) fail("reply is not COBS", NULL);
  if (m < HEADER + TRAILER) fail("reply shorter than a frame", NULL);
  len = (uint16_t)(raw[3] | (raw[4] << 8));
  if ((size_t)len != m - HEADER - TRAILER) fail("reply length field wrong", NULL);
  memcpy(&crc, raw + HEADER + len, 4);
  if (crc != ep_crc32(raw, HEADER + len)) fail("reply CRC wrong", NULL);
  if (raw[0] == (T_CONFIGURE | T_REPLY)) {
    uint32_t total;
    if (len != CONFIGURE_REPLY_BYTES) fail("CONFIGURE reply of the wrong length", NULL);
    memcpy(&total, raw + HEADER + CONFIGURE_REPLY_TOTAL, 4);
    if (raw[HEADER] == STATUS_OK && total > g_largest_plan) g_largest_plan = total;
  }
  if (raw[0] == (T_HELLO | T_REPLY) && (raw[1] | (raw[2] << 8)) == FINAL_HELLO_SEQ) g_final_hello_answered = 1;
}

int ep_hal_write(const uint8_t *buf, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    if (buf[i] == 0) {
      if (!g_piece_overflow) check_piece(g_piece, g_piece_len);
      else fail("a piece of output longer than any frame", NULL);
      g_piece_len = 0;
      continue;
    }
    if (g_piece_len < sizeof g_piece) g_piece[g_piece_len++] = buf[i];
    else g_piece_overflow = 1;
  }
  return 0;
}

int ep_hal_read(uint8_t *buf, size_t cap, uint32_t timeout_ms) {
  static const size_t sizes[] = {1, 7, 64, 97, 256, 4096, 65536};
  size_t n, want;
  (void)timeout_ms;
  if (g_phase == 0 && g_in_at >= g_in_len) { g_phase = 1; g_in = g_hello; g_in_len = g_hello_len; g_in_at = 0; }
  if (g_phase == 1 && g_in_at >= g_in_len) g_phase = 2;
  if (g_phase == 2) return -1;
  want = sizes[(g_read_pattern + g_in_at) % COUNT(sizes)];
  n = g_in_len - g_in_at;
  if (n > cap) n = cap;
  if (n > want) n = want;
  memcpy(buf, g_in + g_in_at, n);
  g_in_at += n;
  return (int)n;
}

uint32_t ep_hal_millis(void) { return 0; }
uint32_t ep_hal_micros(void) { return 0; }
void ep_hal_yield(void) {}

/* ---- one input ------------------------------------------------------------- */

static uint8_t *g_static_image;
static uint8_t *g_canary;
static uint32_t g_static_len;

static void make_final_hello(void) {
  reader none = {NULL, 0, 0};
  size_t keep = g_stream_len;
  g_hello[0] = 0;
  put_frame(T_HELLO, FINAL_HELLO_SEQ, NULL, 0, 0, &none);
  memcpy(g_hello + 1, g_stream + keep, g_stream_len - keep);
  g_hello_len = 1 + g_stream_len - keep;
  g_stream_len = keep;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int loaded;
  ep_pump_config pc = {0x0f0f0f0fu, 0, 0};
  uint8_t *mem;
  uint32_t mem_size, i, canary_from;
  int32_t arena;
  if (!loaded) {
    ep_engine_config ec = {NULL, 0, 0, 0};
    if (ep_engine_load(&ec) < 0) fail("load", ep_engine_error());
    g_selftest = getenv("EDGEPROP_FUZZ_SELFTEST");
    g_raw_input = getenv("EDGEPROP_FUZZ_RAW") != NULL;
    loaded = 1;
  } else if (ep_engine_reload() < 0) {
    fail("reload", ep_engine_error());
  }
  if (g_raw_input) { /* the input is the byte stream itself (tests replay sessions) */
    g_stream_len = 0;
    make_final_hello();
    g_in = data; g_in_len = size;
  } else {
    decode_input(data, size);
    make_final_hello();
    g_in = g_stream; g_in_len = g_stream_len;
  }
  g_read_pattern = size ? data[0] : 0;
  g_in_at = 0; g_phase = 0;
  g_piece_len = 0; g_piece_overflow = 0; g_largest_plan = 0; g_final_hello_answered = 0; g_banners = 0;

  if (ep_pump_start(&pc) < 0) fail("pump start", NULL);
  if (ep_engine_rx_buffer(&arena) < 0) fail("rx_buffer", ep_engine_error());
  mem = ep_engine_memory(&mem_size);
  if (!g_static_image) { /* a fresh instance's static data, before any input */
    g_static_len = (uint32_t)arena;
    g_static_image = malloc(g_static_len);
    memcpy(g_static_image, mem, g_static_len);
  }
  canary_from = (uint32_t)arena + encoded_frame_bytes(MIN_RX_PAYLOAD) + encoded_frame_bytes(TX_PAYLOAD);
  if (!g_canary) { /* the pattern, once: filling and comparing 4 MiB is then memcpy and memcmp */
    g_canary = malloc(mem_size);
    for (i = 0; i < mem_size; i++) g_canary[i] = CANARY(i);
  }
  memcpy(mem + canary_from, g_canary + canary_from, mem_size - canary_from);

  while (ep_pump_poll() >= 0) {
  }

  mem = ep_engine_memory(&mem_size);
  if (g_selftest && !strcmp(g_selftest, "canary")) mem[mem_size - 1] ^= 1;
  if (g_selftest && !strcmp(g_selftest, "frame")) { static const uint8_t bad[] = {3, 1, 2, 0}; ep_hal_write(bad, sizeof bad); }
  if (g_selftest && !strcmp(g_selftest, "hello")) g_final_hello_answered = 0;
  if (ep_pump_trap_count() || ep_pump_reload_count()) fail("the module trapped", ep_engine_error());
  if (g_piece_len) fail("output ends inside a piece", NULL);
  if (g_banners != 1) fail("not exactly one banner", NULL);
  if (!g_final_hello_answered) fail("the HELLO after the input was not answered", NULL);
  if (g_largest_plan > canary_from) canary_from = g_largest_plan;
  if (memcmp(mem + canary_from, g_canary + canary_from, mem_size - canary_from) == 0) i = mem_size;
  else i = canary_from;
  for (; i < mem_size; i++) {
    if (mem[i] != g_canary[i]) {
      char at[64];
      snprintf(at, sizeof at, "byte %u (plan ends at %u)", (unsigned)i, (unsigned)canary_from);
      fail("write past static data + plan", at);
    }
  }
  for (i = 0; i < g_static_len; i++) {
    if (g_static_image[i] != 0 && mem[i] != g_static_image[i]) {
      char at[32];
      snprintf(at, sizeof at, "byte %u", (unsigned)i);
      fail("initialised static data changed", at);
    }
  }
  return 0;
}
