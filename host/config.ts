// A training run's configuration and torch.optim's defaults. Its encoding as
// the module's configuration block (version 2, 160 bytes) is protocol/config-block.ts.

export const ACTIVATIONS = ["identity", "relu", "leaky_relu", "sigmoid", "tanh"] as const;
export const LOSSES = ["mse", "ce", "bce"] as const;
/** In the module's Opt.* order (the block's optimizer byte is the index). */
export const OPTIMIZERS = ["sgd", "adagrad", "rmsprop", "adam", "adamw", "nadam", "radam"] as const;
export const INITS = ["pytorch", "xavier", "he"] as const;
export type Activation = (typeof ACTIVATIONS)[number];
export type LossName = (typeof LOSSES)[number];
export type OptimizerName = (typeof OPTIMIZERS)[number];
export type InitName = (typeof INITS)[number];

export const MAX_LAYERS = 8;

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
  /** adam, adamw: the AMSGrad variant (max of the second moments in the denominator). */
  amsgrad: boolean;
  /** nadam: torch's momentum_decay (psi in mu_t = beta1 (1 - 0.5 * 0.96^(t psi))). */
  momentumDecay: number;
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
  clipValue?: number; // clip_grad_value_ limit; 0 or absent: off
  init: InitName;
  seed: number;
  chunk: number;
  /** Fine-tuning: the first K dense layers are fixed (no gradients, no optimizer state; torch's requires_grad=False). 0 or absent: all train. */
  frozenLayers?: number;
  /** The module z-scores every input row with the statistics set after configuration ((x - mean) / std in float32). */
  normalizeInputs?: boolean;
  /** Rows the module's sample store holds (data resident on the board); 0 or absent: no store. */
  storeRows?: number;
}

/**
 * torch.optim's defaults for each optimizer. `momentum` is the course's name
 * for SGD with momentum 0.9. lr has no default in torch.optim.SGD; 0.01 here.
 */
export function optimizerDefaults(name: string): OptimizerConfig {
  const base: OptimizerConfig = {
    name: "sgd", lr: 0.01, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0,
    alpha: 0.99, eps: 1e-8, centered: false, beta1: 0.9, beta2: 0.999, lrDecay: 0,
    initialAccumulator: 0, amsgrad: false, momentumDecay: 4e-3,
  };
  switch (name) {
    case "sgd": return base;
    case "momentum": return { ...base, momentum: 0.9 };
    case "adagrad": return { ...base, name: "adagrad", eps: 1e-10 };
    case "rmsprop": return { ...base, name: "rmsprop" };
    case "adam": return { ...base, name: "adam", lr: 0.001 };
    case "adamw": return { ...base, name: "adamw", lr: 0.001, weightDecay: 0.01 };
    case "nadam": return { ...base, name: "nadam", lr: 0.002 };
    case "radam": return { ...base, name: "radam", lr: 0.001 };
    default: throw new Error(`unknown optimizer '${name}'`);
  }
}

export const OPTIMIZER_CHOICES = ["sgd", "momentum", "adagrad", "rmsprop", "adam", "adamw", "nadam", "radam"];

/** Optimizer state tensors per parameter, as the module counts them. */
export function optimizerSlots(o: OptimizerConfig): number {
  switch (o.name) {
    case "sgd": return o.momentum !== 0 ? 1 : 0;
    case "adagrad": return 1;
    case "rmsprop": return 1 + (o.centered ? 1 : 0) + (o.momentum > 0 ? 1 : 0);
    case "adam": case "adamw": return 2 + (o.amsgrad ? 1 : 0);
    default: return 2; // nadam, radam (NAdam's mu_product follows from the step count)
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
