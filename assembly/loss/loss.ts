// The loss on the last level's raw outputs: returns the chunk's summed
// per-sample loss, or -1 for a bad label. Unless `keep`, the outputs are
// replaced by dL/dz per sample (dL/dy times the output activation's
// derivative, which is 1 for the usual identity output): where backprop starts.
// int16 precision (docs/int16.md §9) computes the softmax cross-entropy and
// the mean squared error on soft-float with the same bits: no f32
// instructions for a core without an FPU (binary cross-entropy keeps its f64 code).
import { Loss, isInt16 } from "../config";
import { derivativeIsOne } from "../activation";
import { mse } from "./mse";
import { crossEntropy } from "./cross_entropy";
import { binaryCrossEntropy } from "./binary_cross_entropy";
import { crossEntropySoft } from "../int16/cross-entropy-soft";
import { mseSoft } from "../int16/mse-soft";

export function lossOf(kind: u8, act: u8, y: usize, t: usize, k: i32, rows: i32, keep: bool): f64 {
  if (kind == Loss.CE) {
    if (isInt16() && (keep || derivativeIsOne(act))) return crossEntropySoft(y, t, k, rows, keep);
    return crossEntropy(act, y, t, k, rows, keep);
  }
  if (kind == Loss.BCE) return binaryCrossEntropy(act, y, t, k, rows, keep);
  if (isInt16() && (keep || derivativeIsOne(act))) return mseSoft(y, t, k, rows, keep);
  return mse(act, y, t, k, rows, keep);
}
