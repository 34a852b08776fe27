/* edgeprop: on-device training for firmware authors, in one header.
 *
 * The same WebAssembly module the host trains with (build/edgeprop.wasm)
 * runs on the board under wasm3 or as wasm2c's C; this API drives it from
 * the firmware itself: configure a model, add the samples the board collects,
 * train, predict, evaluate, and keep the model across reboots through the
 * storage HAL (storage.h). Meanwhile the serial pump (pump.h) keeps serving
 * the host's protocol on the UART: call edgeprop_poll() in your loop and a PC
 * can attach at any time (`edgeprop monitor`, `edgeprop pull --port P`).
 *
 *   edgeprop ep;
 *   edgeprop_model m;
 *   edgeprop_begin(&ep, &engine_cfg, &pump_cfg);
 *   edgeprop_model_defaults(&m, EDGEPROP_OPT_ADAM);
 *   m.layers = 2; m.sizes[0] = 2; m.sizes[1] = 8; m.sizes[2] = 1;
 *   m.store_rows = 64;                            // the module's sample store: 64 rows
 *   m.activations[0] = EDGEPROP_ACT_TANH;  m.activations[1] = EDGEPROP_ACT_IDENTITY;
 *   m.loss = EDGEPROP_LOSS_MSE;
 *   if (edgeprop_restore(&ep, "model", &m) != 1)  // not restored (none, damaged, another shape)
 *     edgeprop_configure(&ep, &m);                // a fresh model
 *   for (;;) {
 *     edgeprop_poll(&ep);                         // the host's protocol
 *     edgeprop_add_sample(&ep, x, &t);            // a reading and its label
 *     if (enough) { edgeprop_train(&ep, 10, 16, 1, &loss); edgeprop_save(&ep, "model"); }
 *     edgeprop_predict(&ep, x, 1, y);
 *   }
 *
 * How it reaches the module: through its direct exports (engine_direct.h),
 * never through protocol frames, so nothing the API does touches the serial
 * session's sequence numbers or reply cache. The API's calls and the pump's
 * run in one thread, one after the other; a host request is served between
 * two of the API's batches (edgeprop_train polls the pump after each batch),
 * never in the middle of one. If a host reconfigures the module meanwhile,
 * the API notices (its configuration block changed) and stops with
 * EDGEPROP_E_HOST_CONFIGURED; edgeprop_adopt() takes the host's model over.
 *
 * Fixed memory: the API allocates nothing. The samples live in the module's
 * own sample store (docs/protocol.md, STORE / TRAIN_STORE), sized by the
 * model's store_rows (configuration block C_STORE_ROWS) and planned in the
 * module's arena; when it is full it is a ring buffer: a new sample replaces
 * the oldest. A host that attaches sees how many rows the board holds (a
 * STORE request with 0 rows answers HELD and CAPACITY) and can train on them
 * itself (`--resident`).
 *
 * Determinism: edgeprop_train is the module's store_train, one call per
 * optimizer step, exactly what a host's TRAIN_STORE frame does: training on
 * the board's own samples gives the bits a host's resident training
 * (Board.trainStored) of the same rows in the same order gets, and the bits
 * of streaming them in the host's shuffled order (host/data/shuffle.ts epochOrder,
 * seeded with the model's seed and the epoch; the last batch may be short).
 *
 * After a trap the pump restarts the module with fresh memory, so the
 * samples, which are module memory, are gone: edgeprop_poll puts the model
 * back from the last save (weights, optimizer state, step, learning rate,
 * input statistics) or configures it again, with an empty store of the same
 * capacity. What the board collected since must be collected again.
 *
 * Every function returns EDGEPROP_OK (0) or an error code (a module Status,
 * 1..12, or EDGEPROP_E_*); edgeprop_error(&ep) says what happened. Plain C99,
 * safe to include from C++ and Arduino sketches.
 */
#ifndef EDGEPROP_H
#define EDGEPROP_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "pump.h"
#include "storage.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- results --------------------------------------------------------------- */

#define EDGEPROP_OK 0
/* 1..12 are the module's Status codes (docs/protocol.md): BAD_CONFIG 1,
 * TOO_BIG 2, NOT_CONFIGURED 3, BAD_ROWS 4, BAD_RANGE 5, BAD_LABEL 6,
 * NON_FINITE 9, ... */
#define EDGEPROP_E_TRAP 100             /* the module trapped (it is restarted; see edgeprop_poll) */
#define EDGEPROP_E_ARGUMENT 101         /* a NULL pointer, zero rows, a store too small for one row */
#define EDGEPROP_E_NO_SAMPLES 102       /* train/evaluate with an empty store */
#define EDGEPROP_E_STORAGE 103          /* the storage HAL failed (edgeprop_error has its text) */
#define EDGEPROP_E_BAD_BLOB 104         /* a saved model that is damaged or for another module */
#define EDGEPROP_E_HOST_CONFIGURED 105  /* a host reconfigured the module under the API */
#define EDGEPROP_E_LINK_GONE 106        /* the pump's link closed for good (POSIX end of input) */
#define EDGEPROP_E_OTHER_SHAPE 107      /* a sound saved model of another shape than the sketch's (edgeprop_restore) */

/* ---- the model --------------------------------------------------------------- */

#define EDGEPROP_MAX_LAYERS 8

/* Values of the configuration block (docs/protocol.md §4.2). */
enum { EDGEPROP_LOSS_MSE = 0, EDGEPROP_LOSS_CE = 1, EDGEPROP_LOSS_BCE = 2 };
enum {
  EDGEPROP_OPT_SGD = 0, EDGEPROP_OPT_ADAGRAD = 1, EDGEPROP_OPT_RMSPROP = 2, EDGEPROP_OPT_ADAM = 3,
  EDGEPROP_OPT_ADAMW = 4, EDGEPROP_OPT_NADAM = 5, EDGEPROP_OPT_RADAM = 6
};
enum { EDGEPROP_INIT_PYTORCH = 0, EDGEPROP_INIT_XAVIER = 1, EDGEPROP_INIT_HE = 2 };
/* int16: integer forward and backward passes, f32 optimizer; hidden activations identity or relu (docs/int16.md). */
enum { EDGEPROP_PRECISION_F32 = 0, EDGEPROP_PRECISION_INT16 = 1 };
enum {
  EDGEPROP_ACT_IDENTITY = 0, EDGEPROP_ACT_RELU = 1, EDGEPROP_ACT_LEAKY_RELU = 2,
  EDGEPROP_ACT_SIGMOID = 3, EDGEPROP_ACT_TANH = 4
};

/* A model and its optimizer, field for field the configuration block the
 * host's `--layers/--act/--loss/--opt/...` flags produce. Fill it with
 * edgeprop_model_defaults (torch.optim's defaults, as the host's), then set
 * the shape. */
typedef struct edgeprop_model {
  uint8_t layers;                                  /* dense layers L, 1..8 */
  uint16_t sizes[EDGEPROP_MAX_LAYERS + 1];         /* input width, then each layer's outputs */
  uint8_t activations[EDGEPROP_MAX_LAYERS];        /* EDGEPROP_ACT_* per layer */
  uint8_t loss;                                    /* EDGEPROP_LOSS_*; ce: one target column, the class index */
  uint8_t optimizer;                               /* EDGEPROP_OPT_* */
  uint8_t init;                                    /* EDGEPROP_INIT_* */
  uint16_t chunk;                                  /* rows per module call (activations memory) */
  uint32_t seed;                                   /* initial weights and the shuffle */
  uint8_t nesterov, centered, amsgrad;             /* 0 / 1 */
  uint8_t frozen_layers;                           /* fine-tuning: the first K layers stay fixed */
  uint8_t normalize;                               /* 1: the module z-scores inputs (edgeprop_set_input_stats) */
  uint8_t precision;                               /* EDGEPROP_PRECISION_*: int16 for a core without an FPU (docs/int16.md) */
  uint32_t store_rows;                             /* the sample store's capacity in rows; 0 = no store */
  double lr, momentum, dampening, weight_decay, alpha, eps, beta1, beta2, lr_decay,
      initial_accumulator, clip_norm, momentum_decay, clip_value;
} edgeprop_model;

/* torch.optim's defaults for `optimizer` (the host's optimizerDefaults), the
 * host's defaults for the rest (init pytorch, chunk 32, seed 1); layers 0. */
void edgeprop_model_defaults(edgeprop_model *m, uint8_t optimizer);

/* ---- the trainer ------------------------------------------------------------ */

#define EDGEPROP_CONFIG_BYTES 160
#define EDGEPROP_ERROR_MAX 160

typedef struct edgeprop {
  /* the model the API configured or adopted */
  int configured;
  uint16_t n_in, n_out, n_targets, chunk, layers;
  uint32_t seed;
  uint32_t epochs_trained; /* since configure: the next epoch's shuffle index */
  uint8_t block[EDGEPROP_CONFIG_BYTES];
  /* bookkeeping */
  uint32_t reloads_seen; /* ep_pump_reload_count() when the model was last put in the module */
  uint32_t host_writes_seen; /* the module's host_model_writes() when last looked at */
  uint32_t host_write_ms;    /* when it last changed (edgeprop_board millis) */
  int host_change_pending;   /* changed, not yet reported by edgeprop_host_changed */
  int link_gone;
  char saved_key[EP_STORAGE_KEY_MAX + 1]; /* the last key saved or restored: put back after a trap */
  char error[EDGEPROP_ERROR_MAX];
} edgeprop;

/* Loads the engine (engine_cfg) and boots the module (ep_pump_start_held
 * with pump_cfg). Its banner goes out with the first thing the board says:
 * edgeprop_restore's, which adds " re=KEY" when it restored a model, or any
 * other line, reply or poll. A module that does not load is reported on
 * the serial line (LOAD_FAILED) before this returns an error; the board
 * should then ep_pump_serve_load_failure. */
int edgeprop_begin(edgeprop *ep, const ep_engine_config *engine_cfg, const ep_pump_config *pump_cfg);

/* Configures the module with `m` (fresh weights from m->seed, optimizer state
 * zero, an empty store of m->store_rows rows, input statistics mean 0 std 1).
 * The module's refusal comes back as BAD_CONFIG (edgeprop_error names the
 * field) or TOO_BIG (with both numbers: the store counts in the plan). */
int edgeprop_configure(edgeprop *ep, const edgeprop_model *m);

/* Takes over the model the module holds now, as a host last configured it
 * (weights, optimizer state, step and the samples its store holds, as they
 * are; edgeprop_train's shuffle starts again at epoch 0, as the host's run
 * would). NOT_CONFIGURED if none. */
int edgeprop_adopt(edgeprop *ep);

/* Whether a host changed the model through the serial link (pushed a model
 * or weights: `edgeprop push`; trained it: `edgeprop train --port`; or reset
 * it) since the API last configured, adopted or restored one, and has left
 * it alone for `quiet_ms` since: 1, once per such change (edgeprop_adopt
 * then takes the host's model over, and a sketch would save it), else 0.
 * Counted by the module (its host_model_writes export), so a push of a
 * model with the same configuration block is seen too. */
int edgeprop_host_changed(edgeprop *ep, uint32_t quiet_ms);

/* Adds one sample to the module's store: n_in inputs, then the targets
 * (n_out floats; ce: one, the class index), kept raw (normalised when
 * trained on). A full store drops its oldest row. EDGEPROP_E_ARGUMENT if the
 * model has no store (store_rows 0). */
int edgeprop_add_sample(edgeprop *ep, const float *inputs, const float *targets);

/* Empties the store. */
void edgeprop_clear_samples(edgeprop *ep);

/* Rows the store holds now, and can hold (0 without a model or a store). */
uint32_t edgeprop_samples_held(edgeprop *ep);
uint32_t edgeprop_store_capacity(edgeprop *ep);

/* The input statistics of a model configured with normalize (mean[n_in],
 * std[n_in]): each input becomes (x - mean) / std in f32 before the first
 * layer. A std that is not > 0 or a value that is not finite is refused
 * (EDGEPROP_E_ARGUMENT); a model that does not normalise has none. */
int edgeprop_set_input_stats(edgeprop *ep, const float *mean, const float *std);
int edgeprop_get_input_stats(edgeprop *ep, float *mean, float *std);

/* One optimizer step over `rows` rows given here (inputs then targets per
 * row, as add_sample takes them), in chunks; *loss_sum gets the summed loss
 * (NULL: not wanted). */
int edgeprop_step(edgeprop *ep, const float *rows_data, uint32_t rows, double *loss_sum);

/* `epochs` epochs over the store's rows (oldest first; shuffled per epoch
 * with the host's seeded order when `shuffle`), `batch` rows per optimizer
 * step (the module's store_train: a host's TRAIN_STORE); *mean_loss gets the
 * last epoch's mean loss per row (NULL: not wanted). Serves the pump after
 * every batch. The shuffle's epoch index counts the epochs trained since
 * configure (saved with the model). */
int edgeprop_train(edgeprop *ep, uint32_t epochs, uint32_t batch, int shuffle, double *mean_loss);

/* Outputs for `rows` rows of inputs (n_in floats each) into outputs
 * (rows x n_out floats): raw network outputs (logits for ce). */
int edgeprop_predict(edgeprop *ep, const float *inputs, uint32_t rows, float *outputs);

/* Mean loss per row over the store's rows (no training). */
int edgeprop_evaluate(edgeprop *ep, double *mean_loss);

/* The learning rate (set_lr / get_lr). */
int edgeprop_set_lr(edgeprop *ep, double lr);

/* Saves the model (configuration block, weights, optimizer state, step
 * count, learning rate, and the input statistics of a model that normalises
 * its inputs) as the storage blob `key`, atomically. The samples are not
 * saved: they are data, not the model. */
int edgeprop_save(edgeprop *ep, const char *key);

/* Loads the model saved as `key` into the module if it has the shape of
 * `expected`, the model the sketch would configure afresh: returns 1 if
 * restored, EDGEPROP_OK (0) if there is nothing saved under `key`, or an
 * error: a damaged blob is refused whole (EDGEPROP_E_BAD_BLOB), and so is a
 * sound one of another shape (EDGEPROP_E_OTHER_SHAPE: saved before a
 * firmware update changed the model; edgeprop_error names the field that
 * differs), before the module is touched: configure `expected` then. The
 * shape is the layer sizes (inputs and outputs included), the activations,
 * the loss, the optimizer, input normalisation and the store's capacity;
 * the hyper-parameters and learning rate are the saved model's. On
 * success the banner, when called at boot before anything else was written,
 * ends " re=KEY" (the board rebooted with its saved model), and the line
 * "edgeprop: restored KEY from STORAGE: N parameters, step S" follows. */
int edgeprop_restore(edgeprop *ep, const char *key, const edgeprop_model *expected);

/* Whether the model the API holds (configured, adopted or restored) has the
 * shape of `m`, as edgeprop_restore checks it: EDGEPROP_OK, or
 * EDGEPROP_E_OTHER_SHAPE (edgeprop_error names the field that differs). A
 * sketch that adopts a host's model checks it so, before it saves it: what
 * it saves then restores after a reboot. */
int edgeprop_check_shape(edgeprop *ep, const edgeprop_model *m);

/* One round of the pump (pump.h) plus the API's care: after a trap the pump
 * restarts the module with fresh memory; the model is then put back (from
 * the last save, or configured again) before anything else. (A host learns
 * which model the board holds from the module itself: GET_WEIGHTS region
 * CONFIG, as `edgeprop pull` reads it.)
 * Returns 1 if bytes moved, 0 if idle, EDGEPROP_E_LINK_GONE if the link
 * closed. */
int edgeprop_poll(edgeprop *ep);

/* The text of the last failure; never NULL. */
const char *edgeprop_error(const edgeprop *ep);

#ifdef __cplusplus
}
#endif

#endif
