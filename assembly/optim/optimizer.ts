// One optimizer step over all parameters, after the last chunk of a batch:
// average the accumulated gradients over the batch's rows, measure them (per
// layer and global L2 norms, what the host watches for vanishing and
// exploding gradients), clip by global norm as torch.nn.utils.clip_grad_norm_,
// then each element to [-c, c] as torch.nn.utils.clip_grad_value_ (both may be
// on: norm first, then value, the order scripts/torch_training.py uses), then update with the configured torch.optim rule, which also zeroes the
// gradients for the next batch. With frozen layers (C_FROZEN = K) all of it
// covers the trained layers K+1..L only, as torch does for parameters with
// requires_grad=False that the optimizer was not given: their norms read 0,
// they take no part in the global norm, no clipping, no weight decay.
import {
  C_ALPHA, C_BETA1, C_BETA2, C_CLIP_NORM, C_CLIP_VALUE, C_DAMPENING, C_EPS, C_FLAGS, C_LR_DECAY,
  C_MOMENTUM, C_MOMENTUM_DECAY, C_OPT, C_WEIGHT_DECAY, Flag, MAX_LAYERS, Opt, cfgF64, cfgU8,
  frozenLayers, isInt16, layerCount, width,
} from "../config";
import { grads, gradsOf, optState, trainedParams } from "../arena";
import { planGrads, trainedParamCount } from "../plan";
import { sgd } from "./sgd";
import { adagrad } from "./adagrad";
import { rmsprop } from "./rmsprop";
import { adam, adamAmsgrad } from "./adam";
import { adamSoft } from "../int16/adam-soft";
import { sgdSoft } from "../int16/sgd-soft";
import { scaleAndSumSquaresSoft } from "../int16/scale-soft";
import { nadam, resetNadam } from "./nadam";
import { radam } from "./radam";

export let stepCount: i32 = 0;
export let learningRate: f64 = 0;
export let totalGradNorm: f64 = 0;
/** Per-layer L2 norm of the batch-mean gradient (weights and bias), before clipping. */
export const layerGradNorms: usize = memory.data(4 * MAX_LAYERS, 8);

// In f32, as torch's clip_grad_norm_ computes norms of f32 gradients: f64
// here would be soft-double on a single-precision FPU (ESP32-C3/S3), about a
// quarter of P2's instructions per sample on rv32imfc.
function scaleAndMeasure(scale: f32): f64 {
  let total: f32 = 0;
  const K = frozenLayers();
  for (let l = 1; l <= K; l++) store<f32>(layerGradNorms + (<usize>(l - 1) << 2), 0);
  for (let l = K + 1; l <= layerCount(); l++) {
    let p = gradsOf(l);
    const end = p + (<usize>(width(l) * (width(l - 1) + 1)) << 2);
    let sq: f32 = 0;
    for (; p < end; p += 4) {
      const g = load<f32>(p) * scale;
      store<f32>(p, g);
      sq += g * g;
    }
    store<f32>(layerGradNorms + (<usize>(l - 1) << 2), Mathf.sqrt(sq));
    total += sq;
  }
  const norm = Mathf.sqrt(total);
  // Finite gradients whose f32 sum of squares overflows (elements past about
  // 1e19): measured again in f64, as torch's CPU norm accumulates, so a step
  // torch would take is taken; only a NaN or infinite gradient stops it.
  return isFinite(norm) ? <f64>norm : measureInF64();
}

/**
 * int16's scaleAndMeasure: the same bits, the per-parameter scaling and sum
 * of squares on soft-float operations (docs/int16.md §9). A function of its
 * own, so f32 mode's loop above stays as it is.
 */
function scaleAndMeasureInt16(scale: f32): f64 {
  let total: f32 = 0;
  const K = frozenLayers();
  for (let l = 1; l <= K; l++) store<f32>(layerGradNorms + (<usize>(l - 1) << 2), 0);
  for (let l = K + 1; l <= layerCount(); l++) {
    const p = gradsOf(l);
    const end = p + (<usize>(width(l) * (width(l - 1) + 1)) << 2);
    const sq = reinterpret<f32>(scaleAndSumSquaresSoft(p, end, reinterpret<u32>(scale)));
    store<f32>(layerGradNorms + (<usize>(l - 1) << 2), Mathf.sqrt(sq));
    total += sq;
  }
  const norm = Mathf.sqrt(total);
  return isFinite(norm) ? <f64>norm : measureInF64();
}

/** The per-layer and total norms of the (already scaled) gradients, summed in f64: the rare overflow path. */
function measureInF64(): f64 {
  let total: f64 = 0;
  for (let l = frozenLayers() + 1; l <= layerCount(); l++) {
    let p = gradsOf(l);
    const end = p + (<usize>(width(l) * (width(l - 1) + 1)) << 2);
    let sq: f64 = 0;
    for (; p < end; p += 4) {
      const g = <f64>load<f32>(p);
      sq += g * g;
    }
    store<f32>(layerGradNorms + (<usize>(l - 1) << 2), <f32>Math.sqrt(sq));
    total += sq;
  }
  return Math.sqrt(total);
}

function scaleAll(coef: f32): void {
  const end = grads + (<usize>trainedParamCount() << 2);
  for (let p = grads; p < end; p += 4) store<f32>(p, load<f32>(p) * coef);
}

/** torch.nn.utils.clip_grad_value_: every gradient element clamped to [-limit, limit] (float32). */
function clampAll(limit: f32): void {
  const end = grads + (<usize>trainedParamCount() << 2);
  for (let p = grads; p < end; p += 4) store<f32>(p, Mathf.min(Mathf.max(load<f32>(p), -limit), limit));
}

/**
 * Whether every trained weight is finite after an update: a float32 is NaN or
 * infinite exactly when its exponent bits are all ones. Tested on the bits in
 * integers, not by an f64 sum: a board without a double-precision FPU (every
 * ESP32) would run a soft-double add per parameter per step. One read-only
 * pass after the update: the update's bits are unchanged.
 */
function weightsFinite(params: usize, n: i32): bool {
  const end = params + (<usize>n << 2);
  let nonFinite: u32 = 0;
  for (let p = params; p < end; p += 4) nonFinite |= <u32>((load<u32>(p) & 0x7F800000) == 0x7F800000);
  return nonFinite == 0;
}

/**
 * Returns false if the gradient is not finite (nothing is updated then) or
 * the update made a weight non-finite (an lr beyond float32, an impossible
 * optimizer state): the engine reports NON_FINITE, never status OK with NaN weights.
 */
export function optimizerStep(batchRows: i32): bool {
  const scale = <f32>(1.0 / <f64>batchRows);
  totalGradNorm = isInt16() ? scaleAndMeasureInt16(scale) : scaleAndMeasure(scale);
  if (!isFinite(totalGradNorm)) return false;
  const maxNorm = cfgF64(C_CLIP_NORM);
  if (maxNorm > 0) {
    const coef = maxNorm / (totalGradNorm + 1e-6);
    if (coef < 1) scaleAll(<f32>coef);
  }
  const clipValue = cfgF64(C_CLIP_VALUE);
  if (clipValue > 0) clampAll(<f32>clipValue);
  stepCount++;
  const n = trainedParamCount();
  const params = trainedParams();
  const opt = cfgU8(C_OPT);
  const flags = cfgU8(C_FLAGS);
  const wd = cfgF64(C_WEIGHT_DECAY);
  const eps = cfgF64(C_EPS);
  const slot = <usize>planGrads;
  if (opt == Opt.SGD && isInt16()) {
    // The same bits as sgd() below, without f32 instructions (docs/int16.md §9).
    sgdSoft(params, grads, optState, n, stepCount, learningRate, cfgF64(C_MOMENTUM),
      cfgF64(C_DAMPENING), wd, (flags & Flag.NESTEROV) != 0);
  } else if (opt == Opt.SGD) {
    sgd(params, grads, optState, n, stepCount, learningRate, cfgF64(C_MOMENTUM),
      cfgF64(C_DAMPENING), wd, (flags & Flag.NESTEROV) != 0);
  } else if (opt == Opt.ADAGRAD) {
    adagrad(params, grads, optState, n, stepCount, learningRate, cfgF64(C_LR_DECAY), wd, eps);
  } else if (opt == Opt.RMSPROP) {
    rmsprop(params, grads, optState, slot, n, learningRate, cfgF64(C_ALPHA), eps, wd,
      cfgF64(C_MOMENTUM), (flags & Flag.CENTERED) != 0);
  } else if (opt == Opt.NADAM) {
    nadam(params, grads, optState, optState + slot, n, stepCount, learningRate,
      cfgF64(C_BETA1), cfgF64(C_BETA2), eps, wd, cfgF64(C_MOMENTUM_DECAY));
  } else if (opt == Opt.RADAM) {
    radam(params, grads, optState, optState + slot, n, stepCount, learningRate,
      cfgF64(C_BETA1), cfgF64(C_BETA2), eps, wd);
  } else if ((flags & Flag.AMSGRAD) != 0) {
    adamAmsgrad(params, grads, optState, optState + slot, optState + 2 * slot, n, stepCount,
      learningRate, cfgF64(C_BETA1), cfgF64(C_BETA2), eps, wd, opt == Opt.ADAMW);
  } else if (isInt16()) {
    // The same bits as adam() below, without f32 instructions (docs/int16.md §9).
    adamSoft(params, grads, optState, optState + slot, n, stepCount, learningRate,
      cfgF64(C_BETA1), cfgF64(C_BETA2), eps, wd, opt == Opt.ADAMW);
  } else {
    adam(params, grads, optState, optState + slot, n, stepCount, learningRate,
      cfgF64(C_BETA1), cfgF64(C_BETA2), eps, wd, opt == Opt.ADAMW);
  }
  return weightsFinite(params, n);
}

export function resetOptimizer(): void {
  stepCount = 0;
  resetNadam();
}
