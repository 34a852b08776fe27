// A training run's configuration, torch.optim's defaults, and its encoding as
// the module's 128-byte configuration block (assembly/config.ts; the byte
// table is in docs/protocol.md).

export const ACTIVATIONS = ["identity", "relu", "leaky_relu", "sigmoid", "tanh"] as const;
export const LOSSES = ["mse", "ce", "bce"] as const;
export const OPTIMIZERS = ["sgd", "adagrad", "rmsprop", "adam", "adamw"] as const;
export const INITS = ["pytorch", "xavier", "he"] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export type LossName = (typeof LOSSES)[number];
export type OptimizerName = (typeof OPTIMIZERS)[number];
export type InitName = (typeof INITS)[number];

export const MAX_LAYERS = 8;
export const CONFIG_BYTES = 128;

export interface OptimizerConfig {
  name: OptimizerName;
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
  alpha: number;
  eps: number;
  centered: boolean;
  beta1: number;
  beta2: number;
  lrDecay: number;
  initialAccumulator: number;
}

export interface ModelConfig {
  /** Input size, then each dense layer's output size. */
  sizes: number[];
  /** One activation per dense layer (the last is usually identity). */
  activations: Activation[];
  loss: LossName;
}

export interface RunConfig extends ModelConfig {
  optimizer: OptimizerConfig;
  clipNorm: number; // 0: off
  init: InitName;
  seed: number;
  chunk: number;
}

/**
 * torch.optim's defaults for each optimizer. `momentum` is the course's name
 * for SGD with momentum 0.9. lr has no default in torch.optim.SGD; 0.01 here.
 */
export function optimizerDefaults(name: string): OptimizerConfig {
  const base: OptimizerConfig = {
    name: "sgd", lr: 0.01, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0,
    alpha: 0.99, eps: 1e-8, centered: false, beta1: 0.9, beta2: 0.999, lrDecay: 0,
    initialAccumulator: 0,
  };
  switch (name) {
    case "sgd": return base;
    case "momentum": return { ...base, momentum: 0.9 };
    case "adagrad": return { ...base, name: "adagrad", eps: 1e-10 };
    case "rmsprop": return { ...base, name: "rmsprop" };
    case "adam": return { ...base, name: "adam", lr: 0.001 };
    case "adamw": return { ...base, name: "adamw", lr: 0.001, weightDecay: 0.01 };
    default: throw new Error(`unknown optimizer '${name}'`);
  }
}

export const OPTIMIZER_CHOICES = ["sgd", "momentum", "adagrad", "rmsprop", "adam", "adamw"];

/** Optimizer state tensors per parameter, as the module counts them. */
export function optimizerSlots(o: OptimizerConfig): number {
  switch (o.name) {
    case "sgd": return o.momentum !== 0 ? 1 : 0;
    case "adagrad": return 1;
    case "rmsprop": return 1 + (o.centered ? 1 : 0) + (o.momentum > 0 ? 1 : 0);
    default: return 2;
  }
}

export function paramCount(sizes: number[]): number {
  let n = 0;
  for (let l = 1; l < sizes.length; l++) n += sizes[l] * (sizes[l - 1] + 1);
  return n;
}

export function targetColumns(m: ModelConfig): number {
  return m.loss === "ce" ? 1 : m.sizes[m.sizes.length - 1];
}

export function encodeConfig(c: RunConfig): Uint8Array {
  const buf = new Uint8Array(CONFIG_BYTES);
  const v = new DataView(buf.buffer);
  const L = c.sizes.length - 1;
  v.setUint8(0, 1);
  v.setUint8(1, L);
  v.setUint8(2, LOSSES.indexOf(c.loss));
  v.setUint8(3, OPTIMIZERS.indexOf(c.optimizer.name));
  v.setUint8(4, (c.optimizer.nesterov ? 1 : 0) | (c.optimizer.centered ? 2 : 0));
  v.setUint8(5, INITS.indexOf(c.init));
  v.setUint16(6, c.chunk, true);
  v.setUint32(8, c.seed >>> 0, true);
  c.sizes.forEach((s, k) => v.setUint16(12 + 2 * k, s, true));
  c.activations.forEach((a, l) => v.setUint8(30 + l, ACTIVATIONS.indexOf(a)));
  const o = c.optimizer;
  const f64 = [o.lr, o.momentum, o.dampening, o.weightDecay, o.alpha, o.eps, o.beta1, o.beta2,
    o.lrDecay, o.initialAccumulator, c.clipNorm];
  f64.forEach((x, i) => v.setFloat64(40 + 8 * i, x, true));
  return buf;
}

/** The model's shape back out of a configuration block (what a link needs to size frames). */
export function decodeShape(block: Uint8Array): Pick<RunConfig, "sizes" | "loss" | "chunk"> {
  const v = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const L = v.getUint8(1);
  const sizes = Array.from({ length: L + 1 }, (_, k) => v.getUint16(12 + 2 * k, true));
  return { sizes, loss: LOSSES[v.getUint8(2)], chunk: v.getUint16(6, true) };
}

/** Names of the configuration block's fields by byte offset, for refusals. */
export function configFieldName(offset: number): string {
  const named: Record<number, string> = {
    0: "version", 1: "layer count", 2: "loss", 3: "optimizer", 4: "flags (nesterov needs momentum > 0 and dampening 0)",
    5: "init", 6: "chunk", 40: "lr", 48: "momentum", 56: "dampening", 64: "weight_decay",
    72: "alpha", 80: "eps", 88: "beta1", 96: "beta2", 104: "lr_decay",
    112: "initial_accumulator_value", 120: "clip_norm",
  };
  if (offset >= 12 && offset < 30) return `size of level ${(offset - 12) / 2}`;
  if (offset >= 30 && offset < 38) return `activation of layer ${offset - 29}`;
  return named[offset] ?? `field at byte ${offset}`;
}
