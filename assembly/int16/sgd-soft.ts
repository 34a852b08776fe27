// int16 precision's SGD step (plain, momentum, dampening, nesterov, L2 weight
// decay): assembly/optim/sgd.ts's arithmetic, operation for operation in the
// same order, each f32 +, -, * done by assembly/int16/soft-f32.ts on the bit
// patterns: the same bits as the f32 step, without a libgcc soft-float call
// per operation on a core without an FPU (rv32imc).
import { addF32, mulF32, subF32 } from "./soft-f32";

/**
 * wd * w as f32.mul: without weight decay (wd = +0) that is +-0 with w's sign
 * for a finite w, with no general multiply (f32 code computes it all the same).
 */
// @ts-ignore: decorator
@inline function decayTerm(wd: u32, w: u32): u32 {
  return wd == 0 && (w & 0x7f800000) != 0x7f800000 ? w & 0x80000000 : mulF32(wd, w);
}

export function sgdSoft(
  p: usize, g: usize, buf: usize, n: i32, step: i32,
  lr: f64, momentum: f64, dampening: f64, wd: f64, nesterov: bool,
): void {
  const end = p + (<usize>n << 2);
  const lrF = reinterpret<u32>(<f32>lr), wdF = reinterpret<u32>(<f32>wd);
  const mF = reinterpret<u32>(<f32>momentum), keep = reinterpret<u32>(<f32>(1 - dampening));
  if (momentum == 0) {
    for (; p < end; p += 4, g += 4) {
      const w = load<u32>(p);
      const d = addF32(load<u32>(g), decayTerm(wdF, w));
      store<u32>(p, subF32(w, mulF32(lrF, d)));
      store<u32>(g, 0);
    }
    return;
  }
  for (; p < end; p += 4, g += 4, buf += 4) {
    const w = load<u32>(p);
    let d = addF32(load<u32>(g), decayTerm(wdF, w));
    const b = step == 1 ? d : addF32(mulF32(mF, load<u32>(buf)), mulF32(keep, d));
    store<u32>(buf, b);
    d = nesterov ? addF32(d, mulF32(mF, b)) : b;
    store<u32>(p, subF32(w, mulF32(lrF, d)));
    store<u32>(g, 0);
  }
}
