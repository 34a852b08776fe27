// torch.optim.Adagrad: clr = lr / (1 + (step - 1) lr_decay);
// sum += g^2; p -= clr g / (sqrt(sum) + eps). Zeroes each gradient after use.
export function adagrad(
  p: usize, g: usize, sum: usize, n: i32, step: i32,
  lr: f64, lrDecay: f64, wd: f64, eps: f64,
): void {
  const end = p + (<usize>n << 2);
  const clr = <f32>(lr / (1 + <f64>(step - 1) * lrDecay));
  const wdF = <f32>wd, epsF = <f32>eps;
  for (; p < end; p += 4, g += 4, sum += 4) {
    const w = load<f32>(p);
    const d = load<f32>(g) + wdF * w;
    const s = load<f32>(sum) + d * d;
    store<f32>(sum, s);
    store<f32>(p, w - clr * d / (Mathf.sqrt(s) + epsF));
    store<f32>(g, 0);
  }
}
