/* edgeprop board firmware: the module's direct exports, for the training API.
 *
 * The module has two ways in (assembly/index.ts): the serial protocol
 * (rx/tx, what the pump uses; engine.h) and the direct link, plain exports
 * that configure, train and evaluate through memory, with no frames, no
 * sequence numbers and no reply cache. The training API (edgeprop.h) uses
 * the direct link: whatever it does can never collide with a host's session
 * on the serial line (its sequence numbers and replay cache are untouched),
 * and the pump keeps serving that session between the API's calls.
 *
 * Implemented by every engine beside engine.h (engine_wasm3.c,
 * boards/posix/engine_wasm2c.c). Same conventions: 0 on success, -1 if the
 * module trapped or lacks the export (ep_engine_error() says which).
 */
#ifndef EDGEPROP_ENGINE_DIRECT_H
#define EDGEPROP_ENGINE_DIRECT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Exports that take up to two i32 arguments and return an i32 (or nothing:
 * then *out is 0). Names as the module exports them. */
typedef enum ep_direct {
  EP_DIRECT_CONFIG_PTR,            /* config_ptr(): the configuration block */
  EP_DIRECT_CONFIGURE,             /* configure(): Status, plans the arena */
  EP_DIRECT_CONFIG_DETAIL,         /* config_detail(): refused field's offset */
  EP_DIRECT_IS_CONFIGURED,         /* is_configured(): 0 / 1 */
  EP_DIRECT_PLAN_TOTAL,            /* plan_total(): bytes the plan needs */
  EP_DIRECT_MEMORY_LIMIT,          /* memory_limit(): bytes the module may use */
  EP_DIRECT_PARAMS_PTR,            /* params_ptr() */
  EP_DIRECT_PARAM_COUNT,           /* param_count(): floats */
  EP_DIRECT_OPTIMIZER_STATE_PTR,   /* optimizer_state_ptr() */
  EP_DIRECT_OPTIMIZER_STATE_BYTES, /* optimizer_state_bytes() */
  EP_DIRECT_STEP_COUNT,            /* step_count() */
  EP_DIRECT_SET_STEP_COUNT,        /* set_step_count(a) */
  EP_DIRECT_INPUT_PTR,             /* input_ptr(): chunk inputs, rows x nIn f32 */
  EP_DIRECT_TARGET_PTR,            /* target_ptr(): chunk targets */
  EP_DIRECT_OUTPUT_PTR,            /* output_ptr(): chunk outputs after eval */
  EP_DIRECT_TRAIN_CHUNK,           /* train_chunk(rows a, ends_batch b): Status */
  EP_DIRECT_EVAL_CHUNK,            /* eval_chunk(rows a, with_targets b): Status */
  EP_DIRECT_STORE_CAPACITY,        /* store_capacity(): rows the sample store can hold */
  EP_DIRECT_STORE_HELD,            /* store_held(): rows it holds */
  EP_DIRECT_STORE_CLEAR,           /* store_clear() */
  EP_DIRECT_STORE_ROW_PTR,         /* store_row_ptr(): where the next row goes, 0 = no store */
  EP_DIRECT_STORE_COMMIT_ROW,      /* store_commit_row(): takes the row written there */
  EP_DIRECT_STORE_ROW_AT,          /* store_row_at(age a): a held row, 0 = none */
  EP_DIRECT_STORE_DETAIL,          /* store_detail(): what a refused store_train referred to */
  EP_DIRECT_INPUT_STATS_PTR,       /* input_stats_ptr(): mean[nIn] then std[nIn] f32 */
  EP_DIRECT_INPUT_STATS_COUNT,     /* input_stats_count(): floats there, 0 = not normalising */
  EP_DIRECT_HOST_MODEL_WRITES,     /* host_model_writes(): model-changing requests a host sent since boot */
  EP_DIRECT_COUNT
} ep_direct;

/* Exports that take or return an f64. */
typedef enum ep_direct_f64 {
  EP_DIRECT_GET_LR,   /* get_lr(): the learning rate */
  EP_DIRECT_SET_LR,   /* set_lr(arg) */
  EP_DIRECT_LOSS_SUM, /* loss_sum(): the last chunk's summed loss */
  EP_DIRECT_STORE_LOSS_SUM, /* store_loss_sum(): the last store_train's summed loss */
  EP_DIRECT_F64_COUNT
} ep_direct_f64;

int ep_engine_direct(ep_direct which, int32_t a, int32_t b, int32_t *out);
int ep_engine_direct_f64(ep_direct_f64 which, double arg, double *out);

/* store_train(first, rows, epoch, start_epoch, shuffle, set_step 0, step 0):
 * one optimizer step over rows order[first .. first + rows) of the sample
 * store's epoch order (TRAIN_STORE without a frame); *status gets its Status. */
int ep_engine_direct_store_train(uint32_t first, uint32_t rows, uint32_t epoch, int start_epoch, int shuffle,
                                 int32_t *status);

#ifdef __cplusplus
}
#endif

#endif
