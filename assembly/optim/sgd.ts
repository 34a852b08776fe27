// torch.optim.SGD: weight decay as L2 (g += wd p); with momentum the buffer
// starts as the first gradient, then buf = momentum buf + (1 - dampening) g;
// nesterov uses g + momentum buf. Zeroes each gradient after use.
export function sgd(
  p: usize, g: usize, buf: usize, n: i32, step: i32,
  lr: f64, momentum: f64, dampening: f64, wd: f64, nesterov: bool,
): void {
  const end = p + (<usize>n << 2);
  const lrF = <f32>lr, wdF = <f32>wd, mF = <f32>momentum, keep = <f32>(1 - dampening);
  if (momentum == 0) {
    for (; p < end; p += 4, g += 4) {
      const w = load<f32>(p);
      const d = load<f32>(g) + wdF * w;
      store<f32>(p, w - lrF * d);
      store<f32>(g, 0);
    }
    return;
  }
  for (; p < end; p += 4, g += 4, buf += 4) {
    const w = load<f32>(p);
    let d = load<f32>(g) + wdF * w;
    const b = step == 1 ? d : mF * load<f32>(buf) + keep * d;
    store<f32>(buf, b);
    d = nesterov ? d + mF * b : b;
    store<f32>(p, w - lrF * d);
    store<f32>(g, 0);
  }
}
