// What a model does to a table's columns before its first layer (issue 23),
// as the model file records it: categorical columns one-hot encoded
// (--categorical) and the missing-value rule (--missing). The first layer's
// inputs are the file's input columns in order, each categorical column
// replaced by one 0/1 input per category (in the stored, sorted order).

/** --categorical: one column's categories, in the order of its one-hot inputs. */
export interface OneHotColumn {
  column: string;
  categories: string[];
}

/** --missing: refuse rows with a missing value, leave them out, or fill in the training rows' mean of each (encoded) input. */
export const MISSING_POLICIES = ["error", "drop", "mean"] as const;
export type MissingPolicy = (typeof MISSING_POLICIES)[number];

/** The rule a model applies to missing values; "mean" carries one float32 mean per first-layer input. */
export type MissingRule = { policy: "error" } | { policy: "drop" } | { policy: "mean"; mean: number[] };

/** The name of one one-hot input: pandas' get_dummies and scikit-learn's get_feature_names_out spelling, column_category. */
export function oneHotName(column: string, category: string): string {
  return `${column}_${category}`;
}

/** How many first-layer inputs the file's `inputs` make, each categorical column one per category. */
export function encodedWidth(inputs: readonly string[], categorical: readonly OneHotColumn[]): number {
  let n = 0;
  for (const name of inputs) n += categorical.find((c) => c.column === name)?.categories.length ?? 1;
  return n;
}

/**
 * --normalize-target (mse): the training targets z-scored, t' = (t - mean) / std
 * in float32 as the inputs are; the model's outputs are then scaled back,
 * y = fround(fround(y' * std) + mean), wherever it goes (predict, eval, the C header).
 */
export interface TargetScaling {
  mean: number[];
  std: number[];
}

/** Outputs in the target's own units: each output k of every row, y * std[k] + mean[k] in float32 (a new array). */
export function unscaleOutputs(outputs: Float32Array, scaling: TargetScaling): Float32Array {
  const n = scaling.mean.length;
  const out = new Float32Array(outputs.length);
  for (let i = 0; i < outputs.length; i++) {
    const k = i % n;
    out[i] = Math.fround(Math.fround((outputs[i] ?? 0) * (scaling.std[k] ?? 1)) + (scaling.mean[k] ?? 0));
  }
  return out;
}
