import { derivativeAt } from "../activation";
import { squareToF64 } from "../exact-square";

// Mean squared error, mean over outputs per sample (torch's MSELoss is the mean
// over batch x outputs; the 1/batch is applied when the optimizer steps).
// Unless `keep`, overwrites y with dL/dy = 2 (y - t) / k. Returns the summed loss.
export function mse(act: u8, y: usize, t: usize, k: i32, rows: i32, keep: bool): f64 {
  const end = y + (<usize>(k * rows) << 2);
  const scale: f32 = 2 / <f32>k;
  let sum: f64 = 0;
  for (; y < end; y += 4, t += 4) {
    const e = load<f32>(y) - load<f32>(t);
    sum += squareToF64(e); // = <f64>e * <f64>e, without soft-double on an f32-only FPU
    if (!keep) store<f32>(y, scale * e * derivativeAt(act, load<f32>(y)));
  }
  return sum / <f64>k;
}
