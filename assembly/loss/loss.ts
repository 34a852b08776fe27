// The loss on the last level's raw outputs: returns the chunk's summed
// per-sample loss, or -1 for a bad label. Unless `keep`, the outputs are
// replaced by dL/dz per sample (dL/dy times the output activation's
// derivative, which is 1 for the usual identity output): where backprop starts.
import { Loss } from "../config";
import { mse } from "./mse";
import { crossEntropy } from "./cross_entropy";
import { binaryCrossEntropy } from "./binary_cross_entropy";

export function lossOf(kind: u8, act: u8, y: usize, t: usize, k: i32, rows: i32, keep: bool): f64 {
  if (kind == Loss.CE) return crossEntropy(act, y, t, k, rows, keep);
  if (kind == Loss.BCE) return binaryCrossEntropy(act, y, t, k, rows, keep);
  return mse(act, y, t, k, rows, keep);
}
