// torch.optim.Adam and AdamW. m = m + (1 - beta1)(g - m); v = beta2 v +
// (1 - beta2) g^2; p -= (lr / bc1) m / (sqrt(v) / sqrt(bc2) + eps) with
// bc = 1 - beta^step. Adam adds weight decay to the gradient (L2); AdamW
// shrinks the weight first, p *= 1 - lr wd (decoupled). Zeroes each gradient.
export function adam(
  p: usize, g: usize, m: usize, v: usize, n: i32, step: i32,
  lr: f64, beta1: f64, beta2: f64, eps: f64, wd: f64, decoupled: bool,
): void {
  const end = p + (<usize>n << 2);
  const bc1 = 1 - Math.pow(beta1, <f64>step);
  const bc2 = 1 - Math.pow(beta2, <f64>step);
  const stepSize = <f32>(lr / bc1);
  const invBc2Sqrt = <f32>(1 / Math.sqrt(bc2));
  const b1 = <f32>(1 - beta1), b2 = <f32>beta2, oneMinusB2 = <f32>(1 - beta2), epsF = <f32>eps;
  // Without weight decay torch neither adds to the gradient nor shrinks the
  // weight: the loop below without those two multiplies and an add per
  // parameter (each a soft-float call on a board without an FPU). The same
  // bits: the shrink is exactly 1, and 0 * w only could turn a -0 gradient
  // into +0, which m (never -0 from a zero start) and v (d * d) do not see.
  if (wd == 0) {
    for (; p < end; p += 4, g += 4, m += 4, v += 4) {
      const d = load<f32>(g);
      const mo = load<f32>(m);
      const mNew = mo + b1 * (d - mo);
      const vNew = b2 * load<f32>(v) + oneMinusB2 * d * d;
      store<f32>(m, mNew);
      store<f32>(v, vNew);
      store<f32>(p, load<f32>(p) - stepSize * mNew / (Mathf.sqrt(vNew) * invBc2Sqrt + epsF));
      store<f32>(g, 0);
    }
    return;
  }
  const l2 = decoupled ? <f32>0 : <f32>wd;
  const shrink = decoupled ? <f32>(1 - lr * wd) : <f32>1;
  for (; p < end; p += 4, g += 4, m += 4, v += 4) {
    const w = load<f32>(p) * shrink;
    const d = load<f32>(g) + l2 * w;
    const mo = load<f32>(m);
    const mNew = mo + b1 * (d - mo);
    const vNew = b2 * load<f32>(v) + oneMinusB2 * d * d;
    store<f32>(m, mNew);
    store<f32>(v, vNew);
    store<f32>(p, w - stepSize * mNew / (Mathf.sqrt(vNew) * invBc2Sqrt + epsF));
    store<f32>(g, 0);
  }
}

// amsgrad=True: the denominator uses vmax = max(vmax, v), the largest second
// moment so far (torch's max_exp_avg_sq, a third state slot). A loop of its
// own, so plain Adam's inner loop stays as it is.
export function adamAmsgrad(
  p: usize, g: usize, m: usize, v: usize, vmax: usize, n: i32, step: i32,
  lr: f64, beta1: f64, beta2: f64, eps: f64, wd: f64, decoupled: bool,
): void {
  const end = p + (<usize>n << 2);
  const bc1 = 1 - Math.pow(beta1, <f64>step);
  const bc2 = 1 - Math.pow(beta2, <f64>step);
  const stepSize = <f32>(lr / bc1);
  const invBc2Sqrt = <f32>(1 / Math.sqrt(bc2));
  const b1 = <f32>(1 - beta1), b2 = <f32>beta2, oneMinusB2 = <f32>(1 - beta2), epsF = <f32>eps;
  const l2 = decoupled ? <f32>0 : <f32>wd;
  const shrink = decoupled ? <f32>(1 - lr * wd) : <f32>1;
  for (; p < end; p += 4, g += 4, m += 4, v += 4, vmax += 4) {
    const w = load<f32>(p) * shrink;
    const d = load<f32>(g) + l2 * w;
    const mo = load<f32>(m);
    const mNew = mo + b1 * (d - mo);
    const vNew = b2 * load<f32>(v) + oneMinusB2 * d * d;
    const vMax = Mathf.max(load<f32>(vmax), vNew);
    store<f32>(m, mNew);
    store<f32>(v, vNew);
    store<f32>(vmax, vMax);
    store<f32>(p, w - stepSize * mNew / (Mathf.sqrt(vMax) * invBc2Sqrt + epsF));
    store<f32>(g, 0);
  }
}
