// The optimizer's hyper-parameters, one row each: the one place on the host
// where a hyper-parameter is declared. The OptimizerConfig type and its
// defaults (model/config.ts), the configuration block's fields and the names
// its refusals give (protocol/config-block.ts) and the command-line flags
// (cli/run-options.ts) are all derived from these rows. Adding one is a row here
// (its block offset is also a C_* constant in assembly/config.ts and a line of
// docs/protocol.md §4.2). The rows are in the order --help lists the flags
// and a checkpoint saves them.
import type { OptimizerChoice } from "./optimizer-choices.js";

export interface OptimizerField {
  /** The OptimizerConfig field. */
  readonly key: string;
  /** The command-line flag, without the dashes. */
  readonly flag: string;
  /** torch.optim's keyword argument: what a refused block names the field. */
  readonly torch: string;
  /** Where the configuration block holds it: a little-endian f64 at byte `f64`, or bit `bit` of the flags byte. */
  readonly block: { readonly f64: number } | { readonly bit: number };
  /** torch.optim's default (a boolean for a flag bit). */
  readonly default: number | boolean;
  /** The default where an --opt choice has its own (adam's lr, adagrad's eps, ...). */
  readonly byChoice?: Readonly<Partial<Record<OptimizerChoice, number>>>;
  /** What --resume may do with it: "fixed" when the optimizer's state depends on it, else "retune". */
  readonly onResume: "fixed" | "retune";
  readonly help: string;
}

export const OPTIMIZER_FIELDS = [
  {
    key: "lr", flag: "lr", torch: "lr", block: { f64: 40 }, default: 0.01, byChoice: { adam: 0.001, adamw: 0.001, nadam: 0.002, radam: 0.001 },
    onResume: "retune", help: "learning rate (default: 0.01; adam/adamw/radam 0.001, nadam 0.002)",
  },
  {
    key: "momentum", flag: "momentum", torch: "momentum", block: { f64: 48 }, default: 0, byChoice: { momentum: 0.9 },
    onResume: "retune", help: "sgd/rmsprop momentum (default 0; 0.9 for --opt momentum)",
  },
  { key: "dampening", flag: "dampening", torch: "dampening", block: { f64: 56 }, default: 0, onResume: "retune", help: "sgd momentum dampening" },
  { key: "nesterov", flag: "nesterov", torch: "nesterov", block: { bit: 1 }, default: false, onResume: "retune", help: "sgd: Nesterov momentum" },
  {
    key: "weightDecay", flag: "weight-decay", torch: "weight_decay", block: { f64: 64 }, default: 0, byChoice: { adamw: 0.01 },
    onResume: "retune", help: "L2 penalty (decoupled for adamw; default 0, adamw 0.01)",
  },
  { key: "alpha", flag: "alpha", torch: "alpha", block: { f64: 72 }, default: 0.99, onResume: "retune", help: "rmsprop smoothing constant" },
  {
    key: "eps", flag: "eps", torch: "eps", block: { f64: 80 }, default: 1e-8, byChoice: { adagrad: 1e-10 },
    onResume: "retune", help: "term added for stability (default 1e-8; adagrad 1e-10)",
  },
  { key: "centered", flag: "centered", torch: "centered", block: { bit: 2 }, default: false, onResume: "fixed", help: "rmsprop: centered (normalize by the variance)" },
  { key: "beta1", flag: "beta1", torch: "beta1", block: { f64: 88 }, default: 0.9, onResume: "retune", help: "adam/adamw/nadam/radam first-moment decay" },
  { key: "beta2", flag: "beta2", torch: "beta2", block: { f64: 96 }, default: 0.999, onResume: "retune", help: "adam/adamw/nadam/radam second-moment decay" },
  // adam, adamw: the AMSGrad variant (the max of the second moments in the denominator).
  { key: "amsgrad", flag: "amsgrad", torch: "amsgrad", block: { bit: 4 }, default: false, onResume: "fixed", help: "adam/adamw: the AMSGrad variant (one more state tensor)" },
  // nadam: psi in mu_t = beta1 (1 - 0.5 * 0.96^(t psi)).
  { key: "momentumDecay", flag: "momentum-decay", torch: "momentum_decay", block: { f64: 128 }, default: 4e-3, onResume: "retune", help: "nadam: momentum_decay" },
  { key: "lrDecay", flag: "lr-decay", torch: "lr_decay", block: { f64: 104 }, default: 0, onResume: "retune", help: "adagrad learning-rate decay" },
  {
    key: "initialAccumulator", flag: "initial-accumulator", torch: "initial_accumulator_value", block: { f64: 112 }, default: 0,
    onResume: "fixed", help: "adagrad initial accumulator value",
  },
] as const satisfies readonly OptimizerField[];

export type OptimizerFieldRow = (typeof OPTIMIZER_FIELDS)[number];

/** The field's default for an --opt choice. */
export function fieldDefault(f: OptimizerField, choice: OptimizerChoice): number | boolean {
  return f.byChoice?.[choice] ?? f.default;
}

/** weightDecay -> WEIGHT_DECAY as a type: the name offsetName gives a row (a plain string for a key not known when compiling). */
export type OffsetName<Key extends string> = string extends Key ? string
  : Key extends `${infer C}${infer Rest}` ? `${C extends Lowercase<C> ? Uppercase<C> : `_${C}`}${OffsetName<Rest>}` : "";
type RowOf<Block> = Extract<OptimizerFieldRow, { block: Block }>;
/** The f64 fields' names among the block's offsets (LR, WEIGHT_DECAY, ...). */
export type OptimizerOffsetName = OffsetName<RowOf<{ f64: number }>["key"]>;

/** The field's name among the configuration block's offsets (ConfigOffset, and C_* in assembly/config.ts): weightDecay -> WEIGHT_DECAY. */
export function offsetName<Key extends string>(f: { readonly key: Key }): OffsetName<Key> {
  // What OffsetName says at the type level; TypeScript cannot follow a replace() there.
  return f.key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase() as OffsetName<Key>;
}
