// torch.optim.RAdam (torch 1.13). g += wd p (L2); m = beta1 m + (1 - beta1) g;
// v = beta2 v + (1 - beta2) g^2; bc = 1 - beta^t. The variance of the adaptive
// step is rectified once the approximated SMA length is long enough:
// rho_inf = 2 / (1 - beta2) - 1, rho_t = rho_inf - 2 t beta2^t / bc2; if
// rho_t > 5, r = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
// and p -= lr r (m / bc1) sqrt(bc2) / (sqrt(v) + eps); else p -= lr m / bc1
// (momentum SGD, the first steps). Zeroes each gradient.
export function radam(
  p: usize, g: usize, m: usize, v: usize, n: i32, step: i32,
  lr: f64, beta1: f64, beta2: f64, eps: f64, wd: f64,
): void {
  const end = p + (<usize>n << 2);
  const t = <f64>step;
  const bc1 = 1 - Math.pow(beta1, t);
  const bc2 = 1 - Math.pow(beta2, t);
  const rhoInf = 2 / (1 - beta2) - 1;
  const rhoT = rhoInf - 2 * t * Math.pow(beta2, t) / bc2;
  const rectified = rhoT > 5;
  const rect = rectified
    ? Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT))
    : 1;
  const stepSize = <f32>(lr * rect / bc1);
  const sqrtBc2 = <f32>Math.sqrt(bc2);
  const b1 = <f32>beta1, oneMinusB1 = <f32>(1 - beta1);
  const b2 = <f32>beta2, oneMinusB2 = <f32>(1 - beta2), epsF = <f32>eps, wdF = <f32>wd;
  for (; p < end; p += 4, g += 4, m += 4, v += 4) {
    const w = load<f32>(p);
    const d = load<f32>(g) + wdF * w;
    const mNew = b1 * load<f32>(m) + oneMinusB1 * d;
    const vNew = b2 * load<f32>(v) + oneMinusB2 * d * d;
    store<f32>(m, mNew);
    store<f32>(v, vNew);
    const update = rectified ? stepSize * mNew * sqrtBc2 / (Mathf.sqrt(vNew) + epsF) : stepSize * mNew;
    store<f32>(p, w - update);
    store<f32>(g, 0);
  }
}
