// torch.optim.NAdam (torch 1.13). Momentum schedule mu_t = beta1 (1 - 0.5 *
// 0.96^(t psi)), psi = momentum_decay; mu_product = mu_1 ... mu_t, kept in
// float32 as torch keeps it (a float32 tensor, each factor rounded to float32).
// g += wd p (L2); m = beta1 m + (1 - beta1) g; v = beta2 v + (1 - beta2) g^2;
// denom = sqrt(v / bc2) + eps, bc2 = 1 - beta2^t;
// p -= lr (1 - mu_t) / (1 - mu_product) g / denom, then
// p -= lr mu_{t+1} / (1 - mu_product mu_{t+1}) m / denom. Zeroes each gradient.
//
// mu_product is a function of the step count alone, so it is not optimizer
// state the host must carry: it is rebuilt, with the same float32 products,
// whenever the step count is not the one it was last advanced to (a resume, a
// reboot, SET_STEP), and advanced by one factor otherwise.

let muProduct: f32 = 1;
let muProductStep: i32 = 0;

@inline function momentumAt(step: i32, beta1: f64, psi: f64): f64 {
  return beta1 * (1 - 0.5 * Math.pow(0.96, <f64>step * psi));
}

/** mu_1 ... mu_step as torch's float32 mu_product holds it after `step` steps. */
export function muProductAt(step: i32, beta1: f64, psi: f64): f32 {
  if (step < muProductStep) { muProduct = 1; muProductStep = 0; }
  while (muProductStep < step) {
    // Once the float32 product underflows to 0 it stays 0 (beta1 < 1 makes
    // every factor < 1): a step count far ahead costs no more than that.
    if (muProduct == 0) { muProductStep = step; break; }
    muProductStep++;
    muProduct = muProduct * <f32>momentumAt(muProductStep, beta1, psi);
  }
  return muProduct;
}

/** A new configuration: mu_product starts again from 1 (step 0). */
export function resetNadam(): void {
  muProduct = 1;
  muProductStep = 0;
}

export function nadam(
  p: usize, g: usize, m: usize, v: usize, n: i32, step: i32,
  lr: f64, beta1: f64, beta2: f64, eps: f64, wd: f64, psi: f64,
): void {
  const end = p + (<usize>n << 2);
  const mu = momentumAt(step, beta1, psi);
  const muNext = momentumAt(step + 1, beta1, psi);
  const product = muProductAt(step, beta1, psi);
  const productNext = product * <f32>mu * <f32>muNext; // torch: mu_product * mu * mu_next, float32
  const gradCoef = <f32>(lr * (1 - mu) / (1 - <f64>product));
  const momentCoef = <f32>(lr * muNext / (1 - <f64>productNext));
  const bc2 = <f32>(1 - Math.pow(beta2, <f64>step));
  const b1 = <f32>beta1, oneMinusB1 = <f32>(1 - beta1);
  const b2 = <f32>beta2, oneMinusB2 = <f32>(1 - beta2), epsF = <f32>eps, wdF = <f32>wd;
  for (; p < end; p += 4, g += 4, m += 4, v += 4) {
    const w = load<f32>(p);
    const d = load<f32>(g) + wdF * w;
    const mNew = b1 * load<f32>(m) + oneMinusB1 * d;
    const vNew = b2 * load<f32>(v) + oneMinusB2 * d * d;
    store<f32>(m, mNew);
    store<f32>(v, vNew);
    const denom = Mathf.sqrt(vNew / bc2) + epsF;
    const w1 = w - gradCoef * d / denom;
    store<f32>(p, w1 - momentCoef * mNew / denom);
    store<f32>(g, 0);
  }
}
