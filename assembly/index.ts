// The reactor module's exports (build/edgeprop.wasm, imports nothing).
//
// Two ways in, one engine behind them:
// - the direct link: a host fills the configuration block and the chunk
//   staging in memory and calls configure/train_chunk/eval_chunk;
// - the protocol: a board's firmware writes received bytes at rx_buffer()
//   and calls rx(n); replies appear at tx_buffer() (see protocol/board.ts).
import { CONFIG_BYTES, configBlock, layerCount } from "./config";
import { inputStats, level, params, optState, staticEnd, targets } from "./arena";
import {
  planActivations, planBuffers, planGrads, planInputStats, planInt16, planOptimizer, planParams, planStatic, planStore, planTotal,
} from "./plan";
import { collapsedLayer } from "./int16/collapse";
import { weightsChanged } from "./int16/state";
import { inputStatsCount } from "./input-stats";
import {
  configDetail, configureNetwork, evalChunk, lastLossSum, memoryLimit, paramsCount,
  setMemoryLimit, trainChunk, configured,
} from "./network";
import * as optimizer from "./optim/optimizer";
import { ensureStarted, modelWriteCount } from "./protocol/board";
import * as sampleStore from "./store";
import * as storeTraining from "./store-training";
export { rx, rx_buffer, rx_capacity, tx_buffer, boot, add_busy_time } from "./protocol/board";

export function config_ptr(): usize { ensureStarted(); return configBlock; }
export function config_bytes(): i32 { return CONFIG_BYTES; }
export function configure(): i32 { ensureStarted(); return configureNetwork(); }
export function config_detail(): i32 { return configDetail; }
export function is_configured(): bool { return configured; }
/** Model-changing requests a host sent through the protocol since boot (protocol/board.ts). */
export function host_model_writes(): u32 { return modelWriteCount(); }

export function plan_params(): i32 { return planParams; }
export function plan_grads(): i32 { return planGrads; }
export function plan_optimizer(): i32 { return planOptimizer; }
export function plan_activations(): i32 { return planActivations; }
export function plan_buffers(): i32 { return planBuffers; }
export function plan_static(): i32 { return planStatic; }
export function plan_input_stats(): i32 { return planInputStats; }
export function plan_store(): i32 { return planStore; }
export function plan_int16(): i32 { return planInt16; }
export function plan_total(): i32 { return planTotal; }
/** int16 (docs/int16.md): the layer whose range collapsed in the last RANGE_COLLAPSED chunk, else 0. */
export function range_collapsed_layer(): i32 { return collapsedLayer; }
export function static_bytes(): i32 { return <i32>staticEnd(); }
export function memory_limit(): i32 { ensureStarted(); return memoryLimit; }
export function set_memory_limit(bytes: i32): void { ensureStarted(); setMemoryLimit(bytes); }

/** Where the parameters are; whoever asks may write them: the int16 copy of the weights is made again (int16/state.ts). */
export function params_ptr(): usize { weightsChanged(); return params; }
export function param_count(): i32 { return paramsCount(); }
export function optimizer_state_ptr(): usize { return optState; }
export function optimizer_state_bytes(): i32 { return configured ? planOptimizer : 0; }
export function step_count(): i32 { return optimizer.stepCount; }
export function set_step_count(n: i32): void { optimizer.stepCount = n; }
export function set_lr(lr: f64): void { optimizer.learningRate = lr; }
export function get_lr(): f64 { return optimizer.learningRate; }
/** mean[nIn] then std[nIn] (f32), input_stats_count() floats: 0 unless the model normalises its inputs. */
export function input_stats_ptr(): usize { return inputStats; }
export function input_stats_count(): i32 { return configured ? inputStatsCount() : 0; }
export function grad_norms_ptr(): usize { return optimizer.layerGradNorms; }
export function total_grad_norm(): f64 { return optimizer.totalGradNorm; }

export function input_ptr(): usize { return level(0); }
export function target_ptr(): usize { return targets; }
export function output_ptr(): usize { return level(layerCount()); }
export function train_chunk(rows: i32, endsBatch: bool): i32 { return trainChunk(rows, endsBatch); }
export function eval_chunk(rows: i32, withTargets: bool): i32 { return evalChunk(rows, withTargets); }
export function loss_sum(): f64 { return lastLossSum; }

// The sample store (store.ts, store-training.ts): rows are written one at a
// time at store_row_ptr() (inputs then targets, f32) and taken by
// store_commit_row(); store_train is one TRAIN_STORE step.
export function store_capacity(): u32 { return configured ? sampleStore.capacity : 0; }
export function store_held(): u32 { return configured ? sampleStore.held : 0; }
export function store_clear(): void { sampleStore.clearStore(); }
/** Where the next row goes; 0 when there is no store to write to. */
export function store_row_ptr(): usize { return configured && sampleStore.capacity > 0 ? sampleStore.nextRowSlot() : 0; }
export function store_commit_row(): void { if (configured) sampleStore.commitRow(); }
/** The row of age `row` (0 = the oldest held), inputs then targets f32; 0 when there is no such row. */
export function store_row_at(row: u32): usize { return configured && row < sampleStore.held ? sampleStore.rowAt(row) : 0; }
export function store_train(first: u32, rows: u32, epoch: u32, startEpoch: bool, shuffle: bool, setStep: bool, step: u32): i32 {
  return storeTraining.trainStoredStep(first, rows, startEpoch, epoch, shuffle, setStep, step);
}
/** The last store_train's loss sum over its rows, and what a refusal referred to. */
export function store_loss_sum(): f64 { return storeTraining.stepLossSum; }
export function store_detail(): u32 { return storeTraining.stepDetail; }
/** The last store_train was refused before anything changed (its status says why), not failed in training. */
export function store_refused(): bool { return storeTraining.stepRefused; }
