/* The training API (edgeprop.h) over the module's direct exports. */
#include "edgeprop.h"

#include <stdio.h>
#include <string.h>

#include "engine_direct.h"
#include "error_frame.h"
#include "hal.h"
#include "storage.h"

/* ---- the configuration block (docs/protocol.md §4.2, assembly/config.ts) ---- */

#define CFG_VERSION 0
#define CFG_LAYERS 1
#define CFG_LOSS 2
#define CFG_OPT 3
#define CFG_FLAGS 4
#define CFG_INIT 5
#define CFG_CHUNK 6
#define CFG_SEED 8
#define CFG_SIZES 12
#define CFG_ACTS 30
#define CFG_LR 40
#define CFG_MOMENTUM 48
#define CFG_DAMPENING 56
#define CFG_WEIGHT_DECAY 64
#define CFG_ALPHA 72
#define CFG_EPS 80
#define CFG_BETA1 88
#define CFG_BETA2 96
#define CFG_LR_DECAY 104
#define CFG_INITIAL_ACC 112
#define CFG_CLIP_NORM 120
#define CFG_MOMENTUM_DECAY 128
#define CFG_CLIP_VALUE 136
#define CFG_FROZEN 144 /* u8, DESIGN-S17: the first K dense layers fixed */
#define CFG_INPUT_FLAGS 145 /* u8: bit0 the module z-scores inputs with statistics it holds */
#define CFG_INPUT_NORMALIZE 1
#define CFG_STORE_ROWS 148 /* u32: the sample store's capacity in rows */
#define CFG_PRECISION 152 /* u8: 0 f32, 1 int16 (docs/int16.md) */
#define CFG_BLOCK_VERSION 2
#define CFG_FLAG_NESTEROV 1
#define CFG_FLAG_CENTERED 2
#define CFG_FLAG_AMSGRAD 4

/* Module Status codes the API names (assembly/status.ts). */
#define STATUS_OK 0
#define STATUS_NOT_CONFIGURED 3
#define STATUS_BAD_ROWS 4
#define STATUS_BAD_RANGE 5

/* ---- the saved model: the storage blob's layout ------------------------------
 * [header BLOB_HEADER][config block][params f32][optimizer state f32]
 * [input statistics f32, B_STATS_FLOATS of them][crc32 u32]
 * all little-endian, the CRC-32 (as the frames') over everything before it.
 * B_STATS_FLOATS was a reserved 0 before the statistics were saved: such a
 * blob (no statistics) still reads as it did. */
#define BLOB_MAGIC 0x314D5045u /* "EPM1" */
#define BLOB_FORMAT 1
#define B_MAGIC 0
#define B_FORMAT 4        /* u16 */
#define B_HEADER_BYTES 6  /* u16 */
#define B_CONFIG_BYTES 8  /* u32 */
#define B_PARAMS 12       /* u32 floats */
#define B_OPT_FLOATS 16   /* u32 */
#define B_STEP 20         /* u32 */
#define B_LR 24           /* f64 */
#define B_EPOCHS 32       /* u32 epochs trained (the next shuffle) */
#define B_STATS_FLOATS 36 /* u32: input statistics floats (2 x inputs), 0 = not normalising */
#define BLOB_HEADER 40
#define BLOB_TRAILER 4

static void put16(uint8_t *p, uint16_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v) {
  put16(p, (uint16_t)v);
  put16(p + 2, (uint16_t)(v >> 16));
}
static void put64(uint8_t *p, double d) {
  uint64_t v;
  memcpy(&v, &d, 8);
  put32(p, (uint32_t)v);
  put32(p + 4, (uint32_t)(v >> 32));
}
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static uint32_t get32(const uint8_t *p) { return (uint32_t)get16(p) | ((uint32_t)get16(p + 2) << 16); }
static double get64(const uint8_t *p) {
  uint64_t v = (uint64_t)get32(p) | ((uint64_t)get32(p + 4) << 32);
  double d;
  memcpy(&d, &v, 8);
  return d;
}

/* ---- errors --------------------------------------------------------------------- */

const char *edgeprop_error(const edgeprop *ep) { return ep ? ep->error : "no edgeprop"; }

static int fail(edgeprop *ep, int code, const char *text) {
  snprintf(ep->error, sizeof ep->error, "%s", text);
  return code;
}

static const char *status_name(int s) {
  static const char *const names[] = {"OK", "BAD_CONFIG", "TOO_BIG", "NOT_CONFIGURED", "BAD_ROWS", "BAD_RANGE",
                                      "BAD_LABEL", "BAD_FRAME", "OUT_OF_ORDER", "NON_FINITE", "TRAP",
                                      "LOAD_FAILED", "NO_SESSION", "RANGE_COLLAPSED"};
  return s >= 0 && s < (int)(sizeof names / sizeof names[0]) ? names[s] : "unknown status";
}

/* A direct call trapped: the module's memory may hold anything, so the pump
 * reports the trap on the link and restarts the module (fresh memory); the
 * next edgeprop_poll puts the model back. */
static int trapped(edgeprop *ep) {
  snprintf(ep->error, sizeof ep->error, "the module trapped: %s", ep_engine_error());
  if (ep_pump_restart_after_trap(ep_engine_error()) < 0) ep->link_gone = 1;
  return EDGEPROP_E_TRAP;
}

/* ---- the module's memory and exports --------------------------------------------- */

static int call(edgeprop *ep, ep_direct which, int32_t a, int32_t b, int32_t *out) {
  return ep_engine_direct(which, a, b, out) < 0 ? trapped(ep) : EDGEPROP_OK;
}

/* n bytes of module memory at `at`, or NULL if that is outside it. */
static uint8_t *module_bytes(int32_t at, uint32_t n) {
  uint32_t size;
  uint8_t *mem = ep_engine_memory(&size);
  if (!mem || at < 0 || (uint32_t)at > size || n > size - (uint32_t)at) return NULL;
  return mem + at;
}

/* The bytes behind a pointer export, checked against memory. */
static int region(edgeprop *ep, ep_direct which, uint32_t n, uint8_t **p) {
  int32_t at = 0;
  int r = call(ep, which, 0, 0, &at);
  if (r) return r;
  *p = module_bytes(at, n);
  return *p ? EDGEPROP_OK : fail(ep, EDGEPROP_E_TRAP, "the module reported a buffer outside its memory");
}

/* The module's configuration block. */
static int module_block(edgeprop *ep, uint8_t **block) {
  return region(ep, EP_DIRECT_CONFIG_PTR, EDGEPROP_CONFIG_BYTES, block);
}

/* Whether the module still holds the API's model (a host may have configured another). */
static int still_ours(edgeprop *ep) {
  uint8_t *block;
  int32_t configured = 0;
  int r;
  if (!ep->configured) return fail(ep, STATUS_NOT_CONFIGURED, "no model: edgeprop_configure, _adopt or _restore first");
  if (ep_pump_reload_count() != ep->reloads_seen)
    return fail(ep, EDGEPROP_E_TRAP, "the module was restarted; edgeprop_poll puts the model back");
  if ((r = call(ep, EP_DIRECT_IS_CONFIGURED, 0, 0, &configured)) || (r = module_block(ep, &block))) return r;
  if (!configured || memcmp(block, ep->block, EDGEPROP_CONFIG_BYTES) != 0)
    return fail(ep, EDGEPROP_E_HOST_CONFIGURED, "a host configured another model (edgeprop_adopt takes it over)");
  return EDGEPROP_OK;
}

/* ---- the model ------------------------------------------------------------------- */

void edgeprop_model_defaults(edgeprop_model *m, uint8_t optimizer) {
  memset(m, 0, sizeof *m);
  m->optimizer = optimizer;
  m->init = EDGEPROP_INIT_PYTORCH;
  m->chunk = 32;
  m->seed = 1;
  m->lr = 0.01;
  m->alpha = 0.99;
  m->eps = 1e-8;
  m->beta1 = 0.9;
  m->beta2 = 0.999;
  m->momentum_decay = 4e-3;
  switch (optimizer) {
    case EDGEPROP_OPT_ADAGRAD: m->eps = 1e-10; break;
    case EDGEPROP_OPT_ADAM: m->lr = 0.001; break;
    case EDGEPROP_OPT_ADAMW: m->lr = 0.001; m->weight_decay = 0.01; break;
    case EDGEPROP_OPT_NADAM: m->lr = 0.002; break;
    case EDGEPROP_OPT_RADAM: m->lr = 0.001; break;
    default: break;
  }
}

/* The block the host's encodeConfig writes for the same model. */
static void encode_block(const edgeprop_model *m, uint8_t *b) {
  int k;
  memset(b, 0, EDGEPROP_CONFIG_BYTES);
  b[CFG_VERSION] = CFG_BLOCK_VERSION;
  b[CFG_LAYERS] = m->layers;
  b[CFG_LOSS] = m->loss;
  b[CFG_OPT] = m->optimizer;
  b[CFG_FLAGS] = (uint8_t)((m->nesterov ? CFG_FLAG_NESTEROV : 0) | (m->centered ? CFG_FLAG_CENTERED : 0) |
                           (m->amsgrad ? CFG_FLAG_AMSGRAD : 0));
  b[CFG_INIT] = m->init;
  put16(b + CFG_CHUNK, m->chunk);
  put32(b + CFG_SEED, m->seed);
  for (k = 0; k <= m->layers && k <= EDGEPROP_MAX_LAYERS; k++) put16(b + CFG_SIZES + 2 * k, m->sizes[k]);
  for (k = 0; k < m->layers && k < EDGEPROP_MAX_LAYERS; k++) b[CFG_ACTS + k] = m->activations[k];
  put64(b + CFG_LR, m->lr);
  put64(b + CFG_MOMENTUM, m->momentum);
  put64(b + CFG_DAMPENING, m->dampening);
  put64(b + CFG_WEIGHT_DECAY, m->weight_decay);
  put64(b + CFG_ALPHA, m->alpha);
  put64(b + CFG_EPS, m->eps);
  put64(b + CFG_BETA1, m->beta1);
  put64(b + CFG_BETA2, m->beta2);
  put64(b + CFG_LR_DECAY, m->lr_decay);
  put64(b + CFG_INITIAL_ACC, m->initial_accumulator);
  put64(b + CFG_CLIP_NORM, m->clip_norm);
  put64(b + CFG_MOMENTUM_DECAY, m->momentum_decay);
  put64(b + CFG_CLIP_VALUE, m->clip_value);
  b[CFG_FROZEN] = m->frozen_layers;
  b[CFG_INPUT_FLAGS] = m->normalize ? CFG_INPUT_NORMALIZE : 0;
  put32(b + CFG_STORE_ROWS, m->store_rows);
  b[CFG_PRECISION] = m->precision;
}

/* Learns the shape of the block the module now holds (it accepted it). */
/* The module's count of model-changing requests from a host (0 if it cannot say). */
static uint32_t host_model_writes(void) {
  int32_t n = 0;
  return ep_engine_direct(EP_DIRECT_HOST_MODEL_WRITES, 0, 0, &n) < 0 || n < 0 ? 0u : (uint32_t)n;
}

/* What a host has written so far is part of the model the API now holds. */
static void note_host_writes(edgeprop *ep) {
  ep->host_writes_seen = host_model_writes();
  ep->host_change_pending = 0;
}

int edgeprop_host_changed(edgeprop *ep, uint32_t quiet_ms) {
  uint32_t n, now;
  if (!ep || ep_pump_reload_count() != ep->reloads_seen) return 0; /* edgeprop_poll puts the model back first */
  n = host_model_writes();
  now = ep_hal_millis();
  if (n != ep->host_writes_seen) {
    ep->host_writes_seen = n;
    ep->host_write_ms = now;
    ep->host_change_pending = 1;
    return 0;
  }
  if (ep->host_change_pending && (uint32_t)(now - ep->host_write_ms) >= quiet_ms) {
    ep->host_change_pending = 0;
    return 1;
  }
  return 0;
}

static int take_shape(edgeprop *ep, const uint8_t *block) {
  uint16_t layers = block[CFG_LAYERS];
  memcpy(ep->block, block, EDGEPROP_CONFIG_BYTES);
  ep->layers = layers;
  ep->n_in = get16(block + CFG_SIZES);
  ep->n_out = get16(block + CFG_SIZES + 2 * layers);
  ep->n_targets = block[CFG_LOSS] == EDGEPROP_LOSS_CE ? 1 : ep->n_out;
  ep->chunk = get16(block + CFG_CHUNK);
  ep->seed = get32(block + CFG_SEED);
  ep->reloads_seen = ep_pump_reload_count();
  ep->configured = 1;
  note_host_writes(ep);
  return EDGEPROP_OK;
}

/* Puts `block` in the module and configures it. */
static int configure_block(edgeprop *ep, const uint8_t *src) {
  uint8_t *block;
  int32_t status = 0, detail = 0, total = 0, limit = 0;
  int r;
  ep->configured = 0;
  if ((r = module_block(ep, &block))) return r;
  memcpy(block, src, EDGEPROP_CONFIG_BYTES);
  if ((r = call(ep, EP_DIRECT_CONFIGURE, 0, 0, &status))) return r;
  if (status != STATUS_OK) {
    (void)call(ep, EP_DIRECT_CONFIG_DETAIL, 0, 0, &detail);
    (void)call(ep, EP_DIRECT_PLAN_TOTAL, 0, 0, &total);
    (void)call(ep, EP_DIRECT_MEMORY_LIMIT, 0, 0, &limit);
    snprintf(ep->error, sizeof ep->error, "the module refused the model: %s (field at byte %ld; needs %ld bytes, allows %ld)",
             status_name(status), (long)detail, (long)total, (long)limit);
    return status;
  }
  /* The module planned a new, empty store: nothing of the old model's samples is left. */
  ep->epochs_trained = 0;
  if ((r = module_block(ep, &block))) return r;
  return take_shape(ep, block);
}

int edgeprop_configure(edgeprop *ep, const edgeprop_model *m) {
  uint8_t block[EDGEPROP_CONFIG_BYTES];
  if (!ep || !m) return EDGEPROP_E_ARGUMENT;
  if (m->layers < 1 || m->layers > EDGEPROP_MAX_LAYERS) return fail(ep, EDGEPROP_E_ARGUMENT, "layers must be 1..8");
  encode_block(m, block);
  ep->saved_key[0] = 0;
  return configure_block(ep, block);
}

int edgeprop_adopt(edgeprop *ep) {
  uint8_t *block;
  int32_t configured = 0;
  int r;
  if (!ep) return EDGEPROP_E_ARGUMENT;
  if ((r = call(ep, EP_DIRECT_IS_CONFIGURED, 0, 0, &configured))) return r;
  if (!configured) return fail(ep, STATUS_NOT_CONFIGURED, "the module holds no model");
  if ((r = module_block(ep, &block))) return r;
  ep->saved_key[0] = 0; /* the host's store and its rows stay as they are */
  ep->epochs_trained = 0; /* the host configured it: its shuffle starts again at epoch 0 */
  return take_shape(ep, block);
}

/* ---- opening ---------------------------------------------------------------------- */

int edgeprop_begin(edgeprop *ep, const ep_engine_config *engine_cfg, const ep_pump_config *pump_cfg) {
  if (!ep || !engine_cfg || !pump_cfg) return EDGEPROP_E_ARGUMENT;
  memset(ep, 0, sizeof *ep);
  if (ep_engine_load(engine_cfg) < 0) {
    snprintf(ep->error, sizeof ep->error, "load failed: %s", ep_engine_error());
    return EDGEPROP_E_TRAP;
  }
  if (ep_pump_start_held(pump_cfg) < 0) {
    ep->link_gone = 1;
    return fail(ep, EDGEPROP_E_LINK_GONE, "the link closed at boot");
  }
  ep->reloads_seen = ep_pump_reload_count();
  return EDGEPROP_OK;
}

/* ---- samples: the module's sample store (assembly/store.ts) ---------------------- */

static uint32_t row_width(const edgeprop *ep) { return (uint32_t)ep->n_in + ep->n_targets; }

static uint32_t store_count(edgeprop *ep, ep_direct which) {
  int32_t n = 0;
  if (!ep || !ep->configured || ep_engine_direct(which, 0, 0, &n) < 0 || n < 0) return 0;
  return (uint32_t)n;
}

uint32_t edgeprop_samples_held(edgeprop *ep) { return store_count(ep, EP_DIRECT_STORE_HELD); }
uint32_t edgeprop_store_capacity(edgeprop *ep) { return store_count(ep, EP_DIRECT_STORE_CAPACITY); }

void edgeprop_clear_samples(edgeprop *ep) {
  int32_t none = 0;
  if (ep && ep->configured) (void)call(ep, EP_DIRECT_STORE_CLEAR, 0, 0, &none);
}

int edgeprop_add_sample(edgeprop *ep, const float *inputs, const float *targets) {
  uint8_t *row;
  int32_t at = 0, none = 0;
  int r;
  if (!ep || !inputs || !targets) return EDGEPROP_E_ARGUMENT;
  if ((r = still_ours(ep))) return r;
  if ((r = call(ep, EP_DIRECT_STORE_ROW_PTR, 0, 0, &at))) return r;
  if (at == 0) return fail(ep, EDGEPROP_E_ARGUMENT, "the model has no sample store (store_rows 0)");
  if (!(row = module_bytes(at, 4u * row_width(ep))))
    return fail(ep, EDGEPROP_E_TRAP, "the module reported a buffer outside its memory");
  memcpy(row, inputs, sizeof(float) * ep->n_in);
  memcpy(row + 4u * ep->n_in, targets, sizeof(float) * ep->n_targets);
  return call(ep, EP_DIRECT_STORE_COMMIT_ROW, 0, 0, &none);
}

/* The store's row of age `i` (0 = the oldest held), or NULL (after a failure). */
static const float *stored_row(edgeprop *ep, uint32_t i) {
  int32_t at = 0;
  const uint8_t *row;
  if (call(ep, EP_DIRECT_STORE_ROW_AT, (int32_t)i, 0, &at)) return NULL;
  row = at ? module_bytes(at, 4u * row_width(ep)) : NULL;
  if (!row) (void)fail(ep, EDGEPROP_E_TRAP, "the module has no such stored row");
  return (const float *)(const void *)row;
}

/* ---- input statistics (Region.INPUT_STATS) ------------------------------------------ */

/* The statistics in module memory: mean[n_in] then std[n_in], f32. */
static int locate_stats(edgeprop *ep, uint8_t **p, uint32_t *floats) {
  int32_t n = 0;
  int r;
  *p = NULL;
  if ((r = call(ep, EP_DIRECT_INPUT_STATS_COUNT, 0, 0, &n))) return r;
  if (n < 0 || (n > 0 && (uint32_t)n != 2u * ep->n_in)) return fail(ep, EDGEPROP_E_TRAP, "the module reported impossible sizes");
  *floats = (uint32_t)n;
  return n ? region(ep, EP_DIRECT_INPUT_STATS_PTR, 4u * (uint32_t)n, p) : EDGEPROP_OK;
}

static int is_finite_f32(float v) { return v == v && v - v == 0; }

int edgeprop_set_input_stats(edgeprop *ep, const float *mean, const float *std) {
  uint8_t *p;
  uint32_t floats = 0, i;
  int r;
  if (!ep || !mean || !std) return EDGEPROP_E_ARGUMENT;
  if ((r = still_ours(ep)) || (r = locate_stats(ep, &p, &floats))) return r;
  if (!floats) return fail(ep, EDGEPROP_E_ARGUMENT, "the model does not normalise its inputs (normalize 0)");
  for (i = 0; i < ep->n_in; i++)
    if (!is_finite_f32(mean[i]) || !is_finite_f32(std[i]) || !(std[i] > 0))
      return fail(ep, EDGEPROP_E_ARGUMENT, "input statistics must be finite, with every std > 0");
  memcpy(p, mean, 4u * ep->n_in);
  memcpy(p + 4u * ep->n_in, std, 4u * ep->n_in);
  return EDGEPROP_OK;
}

int edgeprop_get_input_stats(edgeprop *ep, float *mean, float *std) {
  uint8_t *p;
  uint32_t floats = 0;
  int r;
  if (!ep || !mean || !std) return EDGEPROP_E_ARGUMENT;
  if ((r = still_ours(ep)) || (r = locate_stats(ep, &p, &floats))) return r;
  if (!floats) return fail(ep, EDGEPROP_E_ARGUMENT, "the model does not normalise its inputs (normalize 0)");
  memcpy(mean, p, 4u * ep->n_in);
  memcpy(std, p + 4u * ep->n_in, 4u * ep->n_in);
  return EDGEPROP_OK;
}

/* ---- training --------------------------------------------------------------------- */

/* Where a run's rows come from: row i of the run. */
typedef const float *(*row_source)(edgeprop *ep, const void *ctx, uint32_t i);

/* Copies the run's rows [first, first + count) into the module's chunk staging. */
static int stage_rows(edgeprop *ep, row_source row_at, const void *ctx, uint32_t first, uint32_t count) {
  uint8_t *x, *t;
  uint32_t k;
  int r;
  if ((r = region(ep, EP_DIRECT_INPUT_PTR, 4u * count * ep->n_in, &x))) return r;
  if ((r = region(ep, EP_DIRECT_TARGET_PTR, 4u * count * ep->n_targets, &t))) return r;
  for (k = 0; k < count; k++) {
    const float *row = row_at(ep, ctx, first + k);
    if (!row) return EDGEPROP_E_TRAP;
    memcpy(x + 4u * k * ep->n_in, row, 4u * ep->n_in);
    memcpy(t + 4u * k * ep->n_targets, row + ep->n_in, 4u * ep->n_targets);
  }
  return EDGEPROP_OK;
}

/* Trains (or evaluates) the rows row_at(0..n-1), a chunk (the model's) per
 * module call, as the host cuts a batch; one optimizer step at the end when
 * training. */
static int run_rows(edgeprop *ep, row_source row_at, const void *ctx, uint32_t n, int train, double *loss_sum) {
  uint32_t done = 0, per = ep->chunk;
  double sum = 0, chunk_loss = 0;
  int32_t status = 0;
  int r;
  if (per == 0) return fail(ep, STATUS_BAD_ROWS, "the model's chunk is 0");
  while (done < n) {
    uint32_t count = n - done < per ? n - done : per;
    if ((r = stage_rows(ep, row_at, ctx, done, count))) return r;
    done += count;
    r = call(ep, train ? EP_DIRECT_TRAIN_CHUNK : EP_DIRECT_EVAL_CHUNK, (int32_t)count, train ? done == n : 1, &status);
    if (r) return r;
    if (ep_engine_direct_f64(EP_DIRECT_LOSS_SUM, 0, &chunk_loss) < 0) return trapped(ep);
    sum += chunk_loss;
    if (status != STATUS_OK) {
      snprintf(ep->error, sizeof ep->error, "the module answered %s", status_name(status));
      return status;
    }
  }
  if (loss_sum) *loss_sum = sum;
  return EDGEPROP_OK;
}

typedef struct given_rows {
  const float *data;
  uint32_t width;
} given_rows;

static const float *given_row(edgeprop *ep, const void *ctx, uint32_t i) {
  const given_rows *g = (const given_rows *)ctx;
  (void)ep;
  return g->data + (size_t)i * g->width;
}

int edgeprop_step(edgeprop *ep, const float *rows_data, uint32_t rows, double *loss_sum) {
  given_rows g;
  int r;
  if (!ep || !rows_data || rows == 0) return EDGEPROP_E_ARGUMENT;
  if ((r = still_ours(ep))) return r;
  g.data = rows_data;
  g.width = row_width(ep);
  return run_rows(ep, given_row, &g, rows, 1, loss_sum);
}

/* Serves the host between two batches; then checks the model is still ours. */
static int serve_between_batches(edgeprop *ep) {
  int moved = ep_pump_poll_timeout(0);
  if (moved < 0) ep->link_gone = 1; /* training goes on; edgeprop_poll reports it */
  return still_ours(ep);
}

/* One optimizer step over order[first .. first + rows) of the module's store. */
static int store_step(edgeprop *ep, uint32_t first, uint32_t rows, uint32_t epoch, int shuffle, double *loss_sum) {
  int32_t status = 0, detail = 0;
  if (ep_engine_direct_store_train(first, rows, epoch, first == 0, shuffle, &status) < 0) return trapped(ep);
  if (ep_engine_direct_f64(EP_DIRECT_STORE_LOSS_SUM, 0, loss_sum) < 0) return trapped(ep);
  if (status != STATUS_OK) {
    (void)call(ep, EP_DIRECT_STORE_DETAIL, 0, 0, &detail);
    snprintf(ep->error, sizeof ep->error, "the module answered %s (detail %ld)", status_name(status), (long)detail);
    return status;
  }
  return EDGEPROP_OK;
}

int edgeprop_train(edgeprop *ep, uint32_t epochs, uint32_t batch, int shuffle, double *mean_loss) {
  uint32_t e, first, held;
  double epoch_loss = 0, batch_loss = 0;
  int r;
  if (!ep || batch == 0) return EDGEPROP_E_ARGUMENT;
  if ((r = still_ours(ep))) return r;
  if ((held = edgeprop_samples_held(ep)) == 0) return fail(ep, EDGEPROP_E_NO_SAMPLES, "no samples in the store");
  for (e = 0; e < epochs; e++) {
    epoch_loss = 0;
    /* The first step computes the epoch's order; a host adding rows between
     * two batches voids it, and the next step is refused (BAD_RANGE). */
    for (first = 0; first < held; first += batch) {
      uint32_t rows = held - first < batch ? held - first : batch;
      if ((r = store_step(ep, first, rows, ep->epochs_trained, shuffle, &batch_loss))) return r;
      epoch_loss += batch_loss;
      if ((r = serve_between_batches(ep))) return r;
    }
    ep->epochs_trained++;
  }
  if (mean_loss) *mean_loss = epoch_loss / (double)held;
  return EDGEPROP_OK;
}

static const float *store_row(edgeprop *ep, const void *ctx, uint32_t i) {
  (void)ctx;
  return stored_row(ep, i);
}

int edgeprop_evaluate(edgeprop *ep, double *mean_loss) {
  double sum = 0;
  uint32_t held;
  int r;
  if (!ep) return EDGEPROP_E_ARGUMENT;
  if ((r = still_ours(ep))) return r;
  if ((held = edgeprop_samples_held(ep)) == 0) return fail(ep, EDGEPROP_E_NO_SAMPLES, "no samples in the store");
  if ((r = run_rows(ep, store_row, NULL, held, 0, &sum))) return r;
  if (mean_loss) *mean_loss = sum / (double)held;
  return EDGEPROP_OK;
}

int edgeprop_predict(edgeprop *ep, const float *inputs, uint32_t rows, float *outputs) {
  uint32_t done = 0, per, k;
  int32_t status = 0;
  uint8_t *x, *y;
  int r;
  if (!ep || !inputs || !outputs || rows == 0) return EDGEPROP_E_ARGUMENT;
  if ((r = still_ours(ep))) return r;
  per = ep->chunk;
  while (done < rows) {
    uint32_t count = rows - done < per ? rows - done : per;
    if ((r = region(ep, EP_DIRECT_INPUT_PTR, 4u * count * ep->n_in, &x))) return r;
    for (k = 0; k < count; k++) memcpy(x + 4u * k * ep->n_in, inputs + (size_t)(done + k) * ep->n_in, 4u * ep->n_in);
    if ((r = call(ep, EP_DIRECT_EVAL_CHUNK, (int32_t)count, 0, &status))) return r;
    if (status != STATUS_OK) {
      snprintf(ep->error, sizeof ep->error, "the module answered %s", status_name(status));
      return status;
    }
    if ((r = region(ep, EP_DIRECT_OUTPUT_PTR, 4u * count * ep->n_out, &y))) return r;
    memcpy(outputs + (size_t)done * ep->n_out, y, 4u * count * ep->n_out);
    done += count;
  }
  return EDGEPROP_OK;
}

int edgeprop_set_lr(edgeprop *ep, double lr) {
  double ignored;
  int r;
  if (!ep || !(lr >= 0)) return EDGEPROP_E_ARGUMENT;
  if ((r = still_ours(ep))) return r;
  return ep_engine_direct_f64(EP_DIRECT_SET_LR, lr, &ignored) < 0 ? trapped(ep) : EDGEPROP_OK;
}

/* ---- persistence ------------------------------------------------------------------ */

static int storage_failed(edgeprop *ep, const char *what) {
  snprintf(ep->error, sizeof ep->error, "%s: %s", what, ep_storage_error());
  return EDGEPROP_E_STORAGE;
}

/* The model's parts in module memory: params, optimizer state, input statistics (4-byte floats). */
typedef struct model_parts {
  uint8_t *params, *opt, *stats;
  uint32_t n_params, n_opt, n_stats;
} model_parts;

static int locate_parts(edgeprop *ep, model_parts *m) {
  int32_t n = 0, opt_bytes = 0;
  int r;
  if ((r = call(ep, EP_DIRECT_PARAM_COUNT, 0, 0, &n)) || (r = call(ep, EP_DIRECT_OPTIMIZER_STATE_BYTES, 0, 0, &opt_bytes)))
    return r;
  if (n < 0 || opt_bytes < 0 || (opt_bytes & 3)) return fail(ep, EDGEPROP_E_TRAP, "the module reported impossible sizes");
  m->n_params = (uint32_t)n;
  m->n_opt = (uint32_t)opt_bytes / 4u;
  if ((r = region(ep, EP_DIRECT_PARAMS_PTR, 4u * m->n_params, &m->params))) return r;
  if ((r = region(ep, EP_DIRECT_OPTIMIZER_STATE_PTR, 4u * m->n_opt, &m->opt))) return r;
  return locate_stats(ep, &m->stats, &m->n_stats);
}

static int write_part(uint32_t *crc, const void *p, size_t n) {
  *crc = ep_crc32_update(*crc, (const uint8_t *)p, n);
  return ep_storage_write(p, n);
}

int edgeprop_save(edgeprop *ep, const char *key) {
  uint8_t header[BLOB_HEADER], trailer[BLOB_TRAILER];
  model_parts m;
  int32_t step = 0;
  double lr = 0;
  uint32_t crc = 0;
  int r;
  if (!ep || !key) return EDGEPROP_E_ARGUMENT;
  if ((r = still_ours(ep)) || (r = locate_parts(ep, &m)) || (r = call(ep, EP_DIRECT_STEP_COUNT, 0, 0, &step))) return r;
  if (ep_engine_direct_f64(EP_DIRECT_GET_LR, 0, &lr) < 0) return trapped(ep);
  memset(header, 0, sizeof header);
  put32(header + B_MAGIC, BLOB_MAGIC);
  put16(header + B_FORMAT, BLOB_FORMAT);
  put16(header + B_HEADER_BYTES, BLOB_HEADER);
  put32(header + B_CONFIG_BYTES, EDGEPROP_CONFIG_BYTES);
  put32(header + B_PARAMS, m.n_params);
  put32(header + B_OPT_FLOATS, m.n_opt);
  put32(header + B_STEP, (uint32_t)step);
  put64(header + B_LR, lr);
  put32(header + B_EPOCHS, ep->epochs_trained);
  put32(header + B_STATS_FLOATS, m.n_stats);
  if (ep_storage_open_write(key) < 0) return storage_failed(ep, "cannot save");
  /* The module memory is written as it is: wasm memory is little-endian, like the blob. */
  if (write_part(&crc, header, sizeof header) < 0 || write_part(&crc, ep->block, EDGEPROP_CONFIG_BYTES) < 0 ||
      write_part(&crc, m.params, 4u * m.n_params) < 0 || write_part(&crc, m.opt, 4u * m.n_opt) < 0 ||
      (m.n_stats && write_part(&crc, m.stats, 4u * m.n_stats) < 0)) {
    ep_storage_abort();
    return storage_failed(ep, "cannot save");
  }
  put32(trailer, crc);
  if (ep_storage_write(trailer, sizeof trailer) < 0 || ep_storage_commit() < 0) {
    ep_storage_abort();
    return storage_failed(ep, "cannot save");
  }
  snprintf(ep->saved_key, sizeof ep->saved_key, "%s", key);
  return EDGEPROP_OK;
}

/* Reads n bytes of the open blob into dst (or, dst NULL, just through the CRC). */
static int read_part(uint32_t *crc, uint8_t *dst, size_t n) {
  uint8_t scratch[64];
  while (n > 0) {
    size_t piece = dst ? n : (n < sizeof scratch ? n : sizeof scratch);
    uint8_t *p = dst ? dst : scratch;
    if (ep_storage_read(p, piece) < 0) return -1;
    *crc = ep_crc32_update(*crc, p, piece);
    if (dst) dst += piece;
    n -= piece;
  }
  return 0;
}

/* Opens `key` and checks its header against its size: 1 none, 0 ok, else an error. */
static int open_blob(edgeprop *ep, const char *key, uint8_t *header, uint32_t *crc) {
  uint32_t size = 0;
  uint64_t want;
  int r = ep_storage_open_read(key, &size);
  if (r == 1) return 1;
  if (r < 0) return storage_failed(ep, "cannot restore");
  *crc = 0;
  if (size < BLOB_HEADER + BLOB_TRAILER || read_part(crc, header, BLOB_HEADER) < 0) {
    ep_storage_close();
    return fail(ep, EDGEPROP_E_BAD_BLOB, "the saved model is cut short");
  }
  want = (uint64_t)BLOB_HEADER + EDGEPROP_CONFIG_BYTES + 4ull * get32(header + B_PARAMS) +
         4ull * get32(header + B_OPT_FLOATS) + 4ull * get32(header + B_STATS_FLOATS) + BLOB_TRAILER;
  if (get32(header + B_MAGIC) != BLOB_MAGIC || get16(header + B_FORMAT) != BLOB_FORMAT ||
      get16(header + B_HEADER_BYTES) != BLOB_HEADER || get32(header + B_CONFIG_BYTES) != EDGEPROP_CONFIG_BYTES ||
      want != size) {
    ep_storage_close();
    return fail(ep, EDGEPROP_E_BAD_BLOB, "the saved model is not an edgeprop model of this format (or is damaged)");
  }
  return 0;
}

static int check_trailer(edgeprop *ep, uint32_t crc) {
  uint8_t trailer[BLOB_TRAILER];
  int ok = ep_storage_read(trailer, sizeof trailer) == 0 && get32(trailer) == crc;
  ep_storage_close();
  return ok ? EDGEPROP_OK : fail(ep, EDGEPROP_E_BAD_BLOB, "the saved model is damaged (CRC mismatch)");
}

static int write_line(const char *text) {
  static const uint8_t end[3] = {'\r', '\n', 0x00};
  if (ep_pump_announce(NULL) < 0) return -1;
  if (ep_hal_write((const uint8_t *)text, strlen(text)) < 0) return -1;
  return ep_hal_write(end, sizeof end);
}

/* A model's shape: what a saved model must share with the sketch's to be
 * restored into it. The layer sizes (the first is the inputs a sketch passes
 * to predict and add_sample, the last its outputs), the activations, the loss
 * (how many targets a sample has), the optimizer (the layout of its state),
 * input normalisation (the statistics saved with it) and the sample store's
 * capacity. Not the hyper-parameters (the learning rate is the saved one) nor
 * the chunk (memory only). NULL when `saved` has the shape of `want`, else
 * the name of the first field that differs, its two values in `detail`. */
static const char *shape_differs(const uint8_t *saved, const uint8_t *want, char *detail, size_t n) {
  int k, layers = saved[CFG_LAYERS];
  if (saved[CFG_LAYERS] != want[CFG_LAYERS]) {
    snprintf(detail, n, "%d, the sketch's %d", saved[CFG_LAYERS], want[CFG_LAYERS]);
    return "layers";
  }
  for (k = 0; k <= layers && k <= EDGEPROP_MAX_LAYERS; k++) {
    if (get16(saved + CFG_SIZES + 2 * k) != get16(want + CFG_SIZES + 2 * k)) {
      snprintf(detail, n, "%u, the sketch's %u", (unsigned)get16(saved + CFG_SIZES + 2 * k), (unsigned)get16(want + CFG_SIZES + 2 * k));
      return k == 0 ? "inputs" : k == layers ? "outputs" : "layer size";
    }
  }
  for (k = 0; k < layers && k < EDGEPROP_MAX_LAYERS; k++) {
    if (saved[CFG_ACTS + k] != want[CFG_ACTS + k]) {
      snprintf(detail, n, "layer %d: %d, the sketch's %d", k + 1, saved[CFG_ACTS + k], want[CFG_ACTS + k]);
      return "activation";
    }
  }
  if (saved[CFG_LOSS] != want[CFG_LOSS]) {
    snprintf(detail, n, "%d, the sketch's %d", saved[CFG_LOSS], want[CFG_LOSS]);
    return "loss";
  }
  if (saved[CFG_OPT] != want[CFG_OPT]) {
    snprintf(detail, n, "%d, the sketch's %d", saved[CFG_OPT], want[CFG_OPT]);
    return "optimizer";
  }
  if ((saved[CFG_INPUT_FLAGS] & CFG_INPUT_NORMALIZE) != (want[CFG_INPUT_FLAGS] & CFG_INPUT_NORMALIZE)) {
    snprintf(detail, n, "%d, the sketch's %d", saved[CFG_INPUT_FLAGS] & CFG_INPUT_NORMALIZE, want[CFG_INPUT_FLAGS] & CFG_INPUT_NORMALIZE);
    return "normalize";
  }
  if (saved[CFG_PRECISION] != want[CFG_PRECISION]) {
    snprintf(detail, n, "%d, the sketch's %d", saved[CFG_PRECISION], want[CFG_PRECISION]);
    return "precision";
  }
  if (get32(saved + CFG_STORE_ROWS) != get32(want + CFG_STORE_ROWS)) {
    snprintf(detail, n, "%lu, the sketch's %lu", (unsigned long)get32(saved + CFG_STORE_ROWS), (unsigned long)get32(want + CFG_STORE_ROWS));
    return "store rows";
  }
  return NULL;
}

/* edgeprop_restore, refusing a saved model whose shape is not `want`'s (a block). */
static int restore_shaped(edgeprop *ep, const char *key, const uint8_t *want) {
  uint8_t header[BLOB_HEADER], block[EDGEPROP_CONFIG_BYTES];
  char line[EDGEPROP_ERROR_MAX], detail[64];
  const char *field;
  model_parts m;
  uint32_t crc = 0;
  double ignored;
  int32_t none = 0;
  int r;
  /* Pass 1: the whole blob through its CRC, before the module is touched. */
  r = open_blob(ep, key, header, &crc);
  if (r == 1) return EDGEPROP_OK;
  if (r) return r;
  if (read_part(&crc, block, sizeof block) < 0 ||
      read_part(&crc, NULL, 4ull * get32(header + B_PARAMS) + 4ull * get32(header + B_OPT_FLOATS) +
                               4ull * get32(header + B_STATS_FLOATS)) < 0) {
    ep_storage_close();
    return storage_failed(ep, "cannot restore");
  }
  if ((r = check_trailer(ep, crc))) return r;
  /* A sound save of another model (a firmware update changed the sketch's):
   * refused before the module is touched, so the sketch configures its own. */
  if ((field = shape_differs(block, want, detail, sizeof detail)) != NULL) {
    snprintf(ep->error, sizeof ep->error, "the saved model %s has another shape: %s %s", key, field, detail);
    return EDGEPROP_E_OTHER_SHAPE;
  }
  /* Pass 2: into the module. */
  if ((r = open_blob(ep, key, header, &crc))) return r == 1 ? fail(ep, EDGEPROP_E_STORAGE, "the saved model vanished") : r;
  if (read_part(&crc, block, sizeof block) < 0) {
    ep_storage_close();
    return storage_failed(ep, "cannot restore");
  }
  if ((r = configure_block(ep, block)) || (r = locate_parts(ep, &m))) {
    ep_storage_close();
    return r;
  }
  if (m.n_params != get32(header + B_PARAMS) || m.n_opt != get32(header + B_OPT_FLOATS) ||
      m.n_stats != get32(header + B_STATS_FLOATS)) {
    ep_storage_close();
    ep->configured = 0;
    return fail(ep, EDGEPROP_E_BAD_BLOB, "the saved model's sizes do not match the module's plan for it");
  }
  if (read_part(&crc, m.params, 4u * m.n_params) < 0 || read_part(&crc, m.opt, 4u * m.n_opt) < 0 ||
      (m.n_stats && read_part(&crc, m.stats, 4u * m.n_stats) < 0)) {
    ep_storage_close();
    ep->configured = 0;
    return storage_failed(ep, "cannot restore");
  }
  if ((r = check_trailer(ep, crc))) { /* changed between the passes */
    ep->configured = 0;
    return r;
  }
  if ((r = call(ep, EP_DIRECT_SET_STEP_COUNT, (int32_t)get32(header + B_STEP), 0, &none))) return r;
  if (ep_engine_direct_f64(EP_DIRECT_SET_LR, get64(header + B_LR), &ignored) < 0) return trapped(ep);
  ep->epochs_trained = get32(header + B_EPOCHS);
  snprintf(ep->saved_key, sizeof ep->saved_key, "%s", key);
  /* Restored at boot (before anything went out): the banner says so. */
  snprintf(line, sizeof line, "re=%s", key);
  if (ep_pump_announce(line) < 0) ep->link_gone = 1;
  snprintf(line, sizeof line, "edgeprop: restored %s from %s: %lu parameters, step %lu", key, ep_storage_name(),
           (unsigned long)m.n_params, (unsigned long)get32(header + B_STEP));
  if (write_line(line) < 0) ep->link_gone = 1;
  return 1;
}

int edgeprop_check_shape(edgeprop *ep, const edgeprop_model *m) {
  uint8_t want[EDGEPROP_CONFIG_BYTES];
  char detail[64];
  const char *field;
  if (!ep || !m) return EDGEPROP_E_ARGUMENT;
  if (!ep->configured) return fail(ep, STATUS_NOT_CONFIGURED, "no model: edgeprop_configure, _adopt or _restore first");
  encode_block(m, want);
  if ((field = shape_differs(ep->block, want, detail, sizeof detail)) == NULL) return EDGEPROP_OK;
  snprintf(ep->error, sizeof ep->error, "the model has another shape: %s %s", field, detail);
  return EDGEPROP_E_OTHER_SHAPE;
}

int edgeprop_restore(edgeprop *ep, const char *key, const edgeprop_model *expected) {
  uint8_t want[EDGEPROP_CONFIG_BYTES];
  if (!ep || !key || !expected) return EDGEPROP_E_ARGUMENT;
  encode_block(expected, want);
  return restore_shaped(ep, key, want);
}

/* ---- the pump beside it ------------------------------------------------------------ */

/* After the pump restarted the module: the last saved model, else the model
 * configured again (fresh weights: training since the last save is lost).
 * Either way the sample store is the new module's, empty: the samples were
 * module memory, which the restart started afresh. */
static void put_model_back(edgeprop *ep) {
  uint8_t block[EDGEPROP_CONFIG_BYTES];
  int r = 0;
  ep->reloads_seen = ep_pump_reload_count();
  note_host_writes(ep); /* the new instance counts from 0 */
  if (!ep->configured) return;
  if (ep->saved_key[0]) {
    char key[sizeof ep->saved_key];
    memcpy(key, ep->saved_key, sizeof key);
    r = restore_shaped(ep, key, ep->block);
    if (r == 1) return;
  }
  memcpy(block, ep->block, sizeof block);
  r = configure_block(ep, block);
  if (r == EDGEPROP_OK) (void)write_line("edgeprop: module restarted; model configured again, not restored");
}


int edgeprop_poll(edgeprop *ep) {
  int moved;
  if (!ep) return EDGEPROP_E_ARGUMENT;
  if (ep->link_gone) return EDGEPROP_E_LINK_GONE;
  if (ep_pump_reload_count() != ep->reloads_seen) put_model_back(ep);
  moved = ep_pump_poll();
  if (moved < 0) {
    ep->link_gone = 1;
    return EDGEPROP_E_LINK_GONE;
  }
  if (ep_pump_reload_count() != ep->reloads_seen) put_model_back(ep);
  if (moved > 0) return 1;
  return ep->link_gone ? EDGEPROP_E_LINK_GONE : 0;
}
