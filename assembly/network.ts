// The network: configure a model into the arena, then train or evaluate it a
// chunk of rows at a time. A batch may span many chunks; gradients accumulate
// over them and the optimizer steps after the chunk that ends the batch, so
// the chunk size is a memory knob that never changes the result.
import {
  C_ACTS, C_ALPHA, C_BETA1, C_BETA2, C_CHUNK, C_F64_LAST, C_DAMPENING, C_EPS, C_FLAGS, C_FROZEN,
  C_INIT, C_INITIAL_ACC, C_INPUT_FLAGS, C_LAYERS, C_LOSS, C_LR, C_LR_DECAY, C_MOMENTUM, C_OPT, C_PAD_146,
  C_PRECISION, C_RESERVED, C_RESERVED_END, C_SEED, C_SIZES, C_STORE_ROWS, C_VERSION, C_WEIGHT_DECAY,
  Act, Flag, Init, InputFlag, Loss, Opt, MAX_LAYERS, Precision,
  activationOf, cfgF64, cfgU16, cfgU32, cfgU8, clearFieldsPastVersion, configBytesOf, frozenLayers, isInt16, layerCount, width,
} from "./config";
import { layoutInt16, weightsChanged } from "./int16/state";
import { forward16 } from "./int16/forward";
import { backward16 } from "./int16/backward";
import {
  arenaEnd, grads, gradsOf, layoutModel, layoutUnconfigured, level, optState, params,
  staticEnd, targets, weightsOf, zero,
} from "./arena";
import { computePlan, paramCount, planGrads } from "./plan";
import { normalizeStagedRows, resetInputStats } from "./input-stats";
import { initWeights } from "./init";
import { activate } from "./activation";
import { denseBackward, denseForward } from "./dense";
import { lossOf } from "./loss/loss";
import { optimizerStep, resetOptimizer } from "./optim/optimizer";
import * as optimizer from "./optim/optimizer";
import { Status } from "./status";

export let configured = false;
export let memoryLimit: i32 = 0;
/** Which config field (its byte offset) made configure refuse, or -1. */
export let configDetail: i32 = -1;
/** Summed per-sample loss of the last chunk trained or evaluated. */
export let lastLossSum: f64 = 0;
/** Rows accumulated towards the current batch. */
export let batchRows: i32 = 0;

// MEMORY_LIMIT and BUILD_ID are build-time constants (asc --use NAME=value,
// see scripts/build.mjs): a board profile's limit, 0 for the whole memory.
export function initNetwork(): void {
  setMemoryLimit(MEMORY_LIMIT);
  layoutUnconfigured();
}

// The largest limit an i32 can state; a memory of 32768 pages or more is
// described as this much (2 GiB - 1), never as a wrapped negative number.
const LIMIT_MAX: i64 = 0x7fffffff;

export function setMemoryLimit(bytes: i32): void {
  const pages = <i64>memory.size() << 16;
  const physical = <i32>(pages < LIMIT_MAX ? pages : LIMIT_MAX);
  memoryLimit = bytes > 0 && bytes < physical ? bytes : physical;
}

function refuse(field: i32): i32 {
  configDetail = field;
  return Status.BAD_CONFIG;
}

function validate(blockBytes: i32): i32 {
  const known = configBytesOf(cfgU8(C_VERSION));
  if (known == 0 || (blockBytes != 0 && blockBytes != known)) return refuse(C_VERSION);
  const L = layerCount();
  if (L < 1 || L > MAX_LAYERS) return refuse(C_LAYERS);
  for (let k = 0; k <= L; k++) if (width(k) == 0) return refuse(C_SIZES + 2 * k);
  for (let l = 1; l <= L; l++) if (activationOf(l) > Act.LAST) return refuse(C_ACTS + l - 1);
  const loss = cfgU8(C_LOSS);
  if (loss > Loss.LAST || (loss == Loss.CE && width(L) < 2)) return refuse(C_LOSS);
  const opt = cfgU8(C_OPT);
  if (opt > Opt.LAST) return refuse(C_OPT);
  if ((cfgU8(C_FLAGS) & ~Flag.ALL) != 0) return refuse(C_FLAGS);
  if (cfgU8(C_INIT) > Init.LAST) return refuse(C_INIT);
  if (cfgU16(C_CHUNK) == 0) return refuse(C_CHUNK);
  // Hyper-parameters: finite, and in the ranges torch.optim accepts.
  for (let off = C_LR; off <= C_F64_LAST; off += 8) {
    const v = cfgF64(off);
    if (!isFinite(v) || v < 0) return refuse(off);
  }
  if (cfgF64(C_BETA1) >= 1) return refuse(C_BETA1);
  if (cfgF64(C_BETA2) >= 1) return refuse(C_BETA2);
  if (cfgF64(C_ALPHA) > 1) return refuse(C_ALPHA);
  if ((cfgU8(C_FLAGS) & Flag.NESTEROV) != 0
    && (cfgF64(C_MOMENTUM) <= 0 || cfgF64(C_DAMPENING) != 0)) return refuse(C_FLAGS);
  if ((cfgU8(C_FLAGS) & Flag.AMSGRAD) != 0 && opt != Opt.ADAM && opt != Opt.ADAMW) return refuse(C_FLAGS);
  if (frozenLayers() >= L) return refuse(C_FROZEN); // at least the last layer trains
  if ((cfgU8(C_INPUT_FLAGS) & ~InputFlag.ALL) != 0) return refuse(C_INPUT_FLAGS);
  if (cfgU8(C_PAD_146) != 0) return refuse(C_PAD_146);
  if (cfgU8(C_PAD_146 + 1) != 0) return refuse(C_PAD_146 + 1);
  if (cfgU8(C_PRECISION) > Precision.LAST) return refuse(C_PRECISION);
  // int16 (docs/int16.md §1): hidden layers take identity or ReLU, exact on integers.
  if (isInt16()) {
    for (let l = 1; l < L; l++) {
      const a = activationOf(l);
      if (a != Act.IDENTITY && a != Act.RELU) return refuse(C_ACTS + l - 1);
    }
  }
  for (let off = C_RESERVED; off < C_RESERVED_END; off++) if (cfgU8(off) != 0) return refuse(off);
  return Status.OK;
}

/**
 * Plans, checks and lays out the model in the configuration block.
 * `blockBytes`: the CONFIGURE payload's length (its version must say as much),
 * 0 when the host wrote the block in place.
 */
export function configureNetwork(blockBytes: i32 = 0): i32 {
  configured = false;
  configDetail = -1;
  batchRows = 0;
  clearFieldsPastVersion();
  const bad = validate(blockBytes);
  if (bad != Status.OK) { layoutUnconfigured(); return bad; }
  // Compared exactly (u64): a plan that wrapped in 32 bits must not "fit".
  if (computePlan(<i32>staticEnd()) > <u64>memoryLimit) { layoutUnconfigured(); return Status.TOO_BIG; }
  layoutModel();
  layoutInt16(arenaEnd); // the int16 buffers, counted by the plan (0 bytes in f32)
  zero(params, arenaEnd);
  initWeights(cfgU8(C_INIT), cfgU32(C_SEED));
  resetInputStats();
  if (cfgU8(C_OPT) == Opt.ADAGRAD) {
    const acc = <f32>cfgF64(C_INITIAL_ACC);
    const end = optState + <usize>planGrads;
    for (let p = optState; p < end; p += 4) store<f32>(p, acc);
  }
  resetOptimizer();
  optimizer.learningRate = cfgF64(C_LR);
  configured = true;
  return Status.OK;
}

/** Discards the batch a failed int16 chunk belonged to: nothing is trained on it. */
function failBatch(status: i32): i32 {
  lastLossSum = 0;
  batchRows = 0;
  zero(grads, grads + <usize>planGrads);
  return status;
}

function forward(rows: i32): void {
  const L = layerCount();
  for (let l = 1; l <= L; l++) {
    denseForward(weightsOf(l), width(l - 1), width(l), level(l - 1), level(l), rows);
    activate(activationOf(l), level(l), rows * width(l));
  }
}

/**
 * Trains on `rows` rows already staged at level(0) and targets. If `endsBatch`,
 * the optimizer steps over every row accumulated since the last step.
 */
export function trainChunk(rows: i32, endsBatch: bool): i32 {
  if (!configured) return Status.NOT_CONFIGURED;
  if (rows <= 0 || rows > <i32>cfgU16(C_CHUNK)) return Status.BAD_ROWS;
  const L = layerCount();
  normalizeStagedRows(rows);
  const int16 = isInt16();
  if (int16) {
    const status = forward16(rows);
    if (status != Status.OK) return failBatch(status);
  } else {
    forward(rows);
  }
  const out = level(L);
  const loss = lossOf(cfgU8(C_LOSS), activationOf(L), out, targets, width(L), rows, false);
  if (loss < 0) { lastLossSum = 0; return Status.BAD_LABEL; }
  lastLossSum = loss;
  if (int16) {
    if (!isFinite(loss)) return failBatch(Status.NON_FINITE);
    const status = backward16(rows);
    if (status != Status.OK) return failBatch(status);
    return endChunk(rows, endsBatch, loss);
  }
  // The output level now holds dL/dz; walk back to the lowest trained layer
  // K+1, each level's activations overwritten by its delta once the layer
  // above has used them. Below K+1 nothing trains: no delta is computed.
  const K = frozenLayers();
  for (let l = L; l > K; l--) {
    const below = level(l - 1);
    const deltasBelow = l - 1 > K;
    denseBackward(weightsOf(l), gradsOf(l), width(l - 1), width(l),
      below, level(l), deltasBelow, deltasBelow ? activationOf(l - 1) : 0, rows);
  }
  return endChunk(rows, endsBatch, loss);
}

function endChunk(rows: i32, endsBatch: bool, loss: f64): i32 {
  batchRows += rows;
  if (!isFinite(loss)) return Status.NON_FINITE;
  if (endsBatch) {
    const total = batchRows;
    batchRows = 0;
    weightsChanged();
    if (!optimizerStep(total)) { zero(grads, grads + <usize>planGrads); return Status.NON_FINITE; }
  }
  return Status.OK;
}

/** Forward only: outputs stay at level(L); lastLossSum is their loss. */
export function evalChunk(rows: i32, withTargets: bool): i32 {
  if (!configured) return Status.NOT_CONFIGURED;
  if (rows <= 0 || rows > <i32>cfgU16(C_CHUNK)) return Status.BAD_ROWS;
  const L = layerCount();
  normalizeStagedRows(rows);
  lastLossSum = 0;
  if (isInt16()) {
    const status = forward16(rows);
    if (status != Status.OK) return status;
  } else {
    forward(rows);
  }
  if (withTargets) {
    const loss = lossOf(cfgU8(C_LOSS), activationOf(L), level(L), targets, width(L), rows, true);
    if (loss < 0) return Status.BAD_LABEL;
    lastLossSum = loss;
  }
  return Status.OK;
}

/** The parameters' count, for the protocol's SET_WEIGHTS and GET_WEIGHTS and the direct link's param_count. */
export function paramsCount(): i32 {
  return configured ? paramCount() : 0;
}
