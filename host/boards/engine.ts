// The module, instantiated in this process with Node's WebAssembly. It imports
// nothing, so this is all it takes to have a simulated board's engine.
import { readFileSync } from "node:fs";
import { packagePath } from "../files/package-path.js";

/** The built module files (build/, beside host/ and dist/). */
export function buildPath(name: string): string {
  return packagePath("build", name);
}

export interface EngineExports {
  memory: WebAssembly.Memory;
  config_ptr(): number;
  config_bytes(): number;
  configure(): number;
  config_detail(): number;
  is_configured(): number;
  host_model_writes(): number;
  plan_params(): number;
  plan_grads(): number;
  plan_optimizer(): number;
  plan_activations(): number;
  plan_buffers(): number;
  plan_static(): number;
  plan_input_stats(): number;
  plan_store(): number;
  plan_int16(): number;
  /** int16 (docs/int16.md): the layer of the last RANGE_COLLAPSED chunk, else 0. */
  range_collapsed_layer(): number;
  plan_total(): number;
  static_bytes(): number;
  memory_limit(): number;
  set_memory_limit(bytes: number): void;
  params_ptr(): number;
  param_count(): number;
  optimizer_state_ptr(): number;
  optimizer_state_bytes(): number;
  step_count(): number;
  set_step_count(n: number): void;
  set_lr(lr: number): void;
  get_lr(): number;
  input_stats_ptr(): number;
  input_stats_count(): number;
  grad_norms_ptr(): number;
  total_grad_norm(): number;
  input_ptr(): number;
  target_ptr(): number;
  output_ptr(): number;
  train_chunk(rows: number, endsBatch: number): number;
  eval_chunk(rows: number, withTargets: number): number;
  loss_sum(): number;
  store_capacity(): number;
  store_held(): number;
  store_clear(): void;
  store_row_ptr(): number;
  store_commit_row(): void;
  store_train(first: number, rows: number, epoch: number, startEpoch: number, shuffle: number, setStep: number, step: number): number;
  store_loss_sum(): number;
  store_detail(): number;
  store_refused(): number;
  boot(bootId: number, memoryLimit: number): number;
  rx_buffer(): number;
  rx_capacity(): number;
  tx_buffer(): number;
  rx(n: number): number;
  /** The firmware reports time spent inside rx() (microseconds); BATCH replies and HELLO carry the total. */
  add_busy_time(us: number): void;
}

const compiled = new Map<string, WebAssembly.Module>();

export function compileModule(path = buildPath("edgeprop.wasm")): WebAssembly.Module {
  let m = compiled.get(path);
  if (!m) {
    m = new WebAssembly.Module(readFileSync(path));
    compiled.set(path, m);
  }
  return m;
}

export function instantiate(path?: string): EngineExports {
  return new WebAssembly.Instance(compileModule(path), {}).exports as unknown as EngineExports;
}

/** The module's whole linear memory, bytes (fixed: the module never grows it). */
export function moduleMemoryBytes(path?: string): number {
  return instantiate(path).memory.buffer.byteLength;
}

/** The static data size of the module (what the plan adds to the arena). */
export function moduleStaticBytes(path?: string): number {
  return instantiate(path).static_bytes();
}
