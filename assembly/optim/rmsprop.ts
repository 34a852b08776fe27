// torch.optim.RMSprop: sq = alpha sq + (1 - alpha) g^2; centered keeps the mean
// gradient ga and uses sqrt(sq - ga^2); with momentum, buf = momentum buf +
// g / avg and p -= lr buf, else p -= lr g / avg. Zeroes each gradient after use.
// State slots in order: sq, then ga (centered), then buf (momentum).
export function rmsprop(
  p: usize, g: usize, state: usize, slotBytes: usize, n: i32,
  lr: f64, alpha: f64, eps: f64, wd: f64, momentum: f64, centered: bool,
): void {
  const end = p + (<usize>n << 2);
  const a = <f32>alpha, oneMinusA = <f32>(1 - alpha), lrF = <f32>lr, epsF = <f32>eps;
  const wdF = <f32>wd, mF = <f32>momentum;
  const sq = state;
  const ga = centered ? state + slotBytes : 0;
  const buf = momentum > 0 ? state + slotBytes * (centered ? 2 : 1) : 0;
  for (let o: usize = 0; p < end; p += 4, g += 4, o += 4) {
    const w = load<f32>(p);
    const d = load<f32>(g) + wdF * w;
    const s = a * load<f32>(sq + o) + oneMinusA * d * d;
    store<f32>(sq + o, s);
    let avg: f32;
    if (centered) {
      const m = load<f32>(ga + o);
      const mNew = m + oneMinusA * (d - m);
      store<f32>(ga + o, mNew);
      avg = Mathf.sqrt(s - mNew * mNew) + epsF;
    } else {
      avg = Mathf.sqrt(s) + epsF;
    }
    if (buf) {
      const b = mF * load<f32>(buf + o) + d / avg;
      store<f32>(buf + o, b);
      store<f32>(p, w - lrF * b);
    } else {
      store<f32>(p, w - lrF * d / avg);
    }
    store<f32>(g, 0);
  }
}
