// int16 precision's Adam and AdamW step: assembly/optim/adam.ts's arithmetic,
// operation for operation in the same order, with each f32 +, -, *, / done by
// assembly/int16/soft-f32.ts on the bit patterns: the same bits as the f32
// step on every engine, several times fewer instructions where f32 is a
// libgcc call (rv32imc), sqrt included (picolibc's is a 25-step loop).
import { addF32, divF32, mulF32, sqrtF32, subF32 } from "./soft-f32";

export function adamSoft(
  p: usize, g: usize, m: usize, v: usize, n: i32, step: i32,
  lr: f64, beta1: f64, beta2: f64, eps: f64, wd: f64, decoupled: bool,
): void {
  const end = p + (<usize>n << 2);
  const bc1 = 1 - Math.pow(beta1, <f64>step);
  const bc2 = 1 - Math.pow(beta2, <f64>step);
  const stepSize = reinterpret<u32>(<f32>(lr / bc1));
  const invBc2Sqrt = reinterpret<u32>(<f32>(1 / Math.sqrt(bc2)));
  const b1 = reinterpret<u32>(<f32>(1 - beta1)), b2 = reinterpret<u32>(<f32>beta2);
  const oneMinusB2 = reinterpret<u32>(<f32>(1 - beta2)), epsF = reinterpret<u32>(<f32>eps);
  if (wd == 0) {
    for (; p < end; p += 4, g += 4, m += 4, v += 4) {
      const d = load<u32>(g);
      const mo = load<u32>(m);
      const mNew = addF32(mo, mulF32(b1, subF32(d, mo)));
      const vNew = addF32(mulF32(b2, load<u32>(v)), mulF32(mulF32(oneMinusB2, d), d));
      store<u32>(m, mNew);
      store<u32>(v, vNew);
      const denom = addF32(mulF32(sqrtF32(vNew), invBc2Sqrt), epsF);
      store<u32>(p, subF32(load<u32>(p), divF32(mulF32(stepSize, mNew), denom)));
      store<u32>(g, 0);
    }
    return;
  }
  const l2 = decoupled ? <u32>0 : reinterpret<u32>(<f32>wd);
  const shrink = reinterpret<u32>(decoupled ? <f32>(1 - lr * wd) : <f32>1);
  for (; p < end; p += 4, g += 4, m += 4, v += 4) {
    const w = mulF32(load<u32>(p), shrink);
    const d = addF32(load<u32>(g), mulF32(l2, w));
    const mo = load<u32>(m);
    const mNew = addF32(mo, mulF32(b1, subF32(d, mo)));
    const vNew = addF32(mulF32(b2, load<u32>(v)), mulF32(mulF32(oneMinusB2, d), d));
    store<u32>(m, mNew);
    store<u32>(v, vNew);
    const denom = addF32(mulF32(sqrtF32(vNew), invBc2Sqrt), epsF);
    store<u32>(p, subF32(w, divF32(mulF32(stepSize, mNew), denom)));
    store<u32>(g, 0);
  }
}
