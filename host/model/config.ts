// A training run's configuration and torch.optim's defaults. Its encoding as
// the module's configuration block (version 2, 160 bytes) is host/protocol/config-block.ts.
import { fieldDefault, OPTIMIZER_FIELDS, type OptimizerFieldRow } from "./optimizer-fields.js";
import { isOptimizerChoice } from "./optimizer-choices.js";

export const ACTIVATIONS = ["identity", "relu", "leaky_relu", "sigmoid", "tanh"] as const;
export const LOSSES = ["mse", "ce", "bce"] as const;
/** In the module's Opt.* order (the block's optimizer byte is the index). */
export const OPTIMIZERS = ["sgd", "adagrad", "rmsprop", "adam", "adamw", "nadam", "radam"] as const;
export const INITS = ["pytorch", "xavier", "he"] as const;
/** The arithmetic of the forward and backward passes (docs/int16.md); the block's precision byte is the index. */
export const PRECISIONS = ["f32", "int16"] as const;
/** int16: the hidden activations exact on integers (the last layer's runs in f32, any is allowed). */
export const INT16_HIDDEN_ACTIVATIONS: readonly string[] = ["identity", "relu"];
export type Activation = (typeof ACTIVATIONS)[number];
export type LossName = (typeof LOSSES)[number];
export type OptimizerName = (typeof OPTIMIZERS)[number];
export type InitName = (typeof INITS)[number];
export type Precision = (typeof PRECISIONS)[number];

export const MAX_LAYERS = 8;

/**
 * An optimizer: its torch.optim class and one field per row of
 * OPTIMIZER_FIELDS (optimizer-fields.ts): a number, or a boolean for a bit of
 * the block's flags byte.
 */
export type OptimizerConfig = { name: OptimizerName } & {
  -readonly [F in OptimizerFieldRow as F["key"]]: F["default"] extends boolean ? boolean : number;
};

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
  /** int16: integer forward and backward passes, f32 optimizer (docs/int16.md); absent: f32. */
  precision?: Precision;
}

export { OPTIMIZER_CHOICES, isOptimizerChoice, type OptimizerChoice } from "./optimizer-choices.js";

/**
 * torch.optim's defaults for an --opt choice (each field's row says them).
 * lr has no default in torch.optim.SGD; 0.01 here.
 */
export function optimizerDefaults(choice: string): OptimizerConfig {
  if (!isOptimizerChoice(choice)) throw new Error(`unknown optimizer '${choice}'`);
  const o: Record<string, unknown> = { name: choice === "momentum" ? "sgd" : choice };
  for (const f of OPTIMIZER_FIELDS) o[f.key] = fieldDefault(f, choice);
  return o as OptimizerConfig;
}

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

export function targetColumns(m: Pick<ModelConfig, "sizes" | "loss">): number {
  return m.loss === "ce" ? 1 : m.sizes[m.sizes.length - 1];
}

/** The widths a configured model gives its rows and replies: dense layers, inputs, outputs, target columns. */
export interface ModelWidths {
  layers: number;
  inputs: number;
  outputs: number;
  targets: number;
}

/** Before any configuration. */
export const NO_WIDTHS: ModelWidths = { layers: 0, inputs: 0, outputs: 0, targets: 0 };

export function modelWidths(m: Pick<ModelConfig, "sizes" | "loss">): ModelWidths {
  const layers = m.sizes.length - 1;
  return { layers, inputs: m.sizes[0], outputs: m.sizes[layers], targets: targetColumns(m) };
}
