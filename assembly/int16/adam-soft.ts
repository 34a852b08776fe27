// int16 precision's Adam and AdamW step: assembly/optim/adam.ts's arithmetic,
// operation for operation in the same order, with each f32 +, -, *, / done by
// assembly/int16/soft-f32.ts on the bit patterns: the same bits as the f32
// step on every engine, several times fewer instructions where f32 is a
// libgcc call (rv32imc), sqrt included (picolibc's is a 25-step loop).
// Per parameter the step first tries soft-f32-normal.ts's short routines
// (operands and every result normal: nearly always), and redoes the
// parameter with the general routines when any of them declines. The five
// constants it multiplies by are taken apart once per step (mul-prepared.ts).
import { addF32, divF32, mulF32, sqrtF32, subF32 } from "./soft-f32";
import { addNormal, addPositiveNormal, divNormal, isNormalBits, mulNormal, sqrtPositiveNormal } from "./soft-f32-normal";
import { mulPrepared, mulPreparedPositive, preparedExp, preparedSig } from "./mul-prepared";

const SIGN: u32 = 0x80000000;

/** Whether bits are a positive normal number. */
// @ts-ignore: decorator
@inline function isPositiveNormal(x: u32): bool {
  return x - 0x00800000 < 0x7f000000;
}

/** Whether bits are +0 or -0. */
// @ts-ignore: decorator
@inline function isZero(x: u32): bool {
  return (x << 1) == 0;
}

/**
 * One parameter's step (d: its gradient, weight decay already in; w: its
 * weight, shrunk for AdamW) on the short routines; false, nothing stored,
 * when one of them declines or an operand is not normal (zero gradients and
 * the zero moments of the first step are taken here too). The constants'
 * significands and exponents come in as separate values (mul-prepared.ts).
 */
// @ts-ignore: decorator
@inline function stepNormal(
  p: usize, m: usize, v: usize, d: u32, w: u32,
  b1S: u32, b1E: u32, b2S: u32, b2E: u32, omb2S: u32, omb2E: u32,
  invS: u32, invE: u32, epsF: u32, ssS: u32, ssE: u32,
): bool {
  const mo = load<u32>(m), vo = load<u32>(v);
  if (!isNormalBits(w)) return false;
  // m + b1 (d - m), d - 0 = d, 0 - m = -m, 0 + x = x exactly.
  let mNew: u32;
  if (isZero(mo)) {
    if (!isNormalBits(d)) return false;
    mNew = mulPrepared(d, b1S, b1E);
  } else {
    if (!isNormalBits(mo)) return false;
    let diff: u32;
    if (isZero(d)) diff = mo ^ SIGN;
    else {
      if (!isNormalBits(d)) return false;
      diff = addNormal(d, mo ^ SIGN);
      if (diff == 0) return false;
    }
    const t = mulPrepared(diff, b1S, b1E);
    if (t == 0) return false;
    mNew = addNormal(mo, t);
  }
  if (mNew == 0) return false;
  // b2 v + (1 - b2) d d: both terms >= +0.
  let vNew: u32;
  if (isZero(d)) {
    if (!isPositiveNormal(vo)) return false;
    vNew = mulPreparedPositive(vo, b2S, b2E);
  } else {
    const g2 = mulPrepared(d, omb2S, omb2E);
    if (g2 == 0) return false;
    const sq = mulNormal(g2, d);
    if (sq == 0) return false;
    if (isZero(vo)) vNew = sq;
    else {
      if (!isPositiveNormal(vo)) return false;
      const decayed = mulPreparedPositive(vo, b2S, b2E);
      if (decayed == 0) return false;
      vNew = addPositiveNormal(decayed, sq);
    }
  }
  if (vNew == 0) return false;
  const scaled = mulPreparedPositive(sqrtPositiveNormal(vNew), invS, invE);
  if (scaled == 0) return false;
  const denom = addPositiveNormal(scaled, epsF);
  if (denom == 0) return false;
  const num = mulPrepared(mNew, ssS, ssE);
  if (num == 0) return false;
  const q = divNormal(num, denom);
  if (q == 0) return false;
  const pNew = addNormal(w, q ^ SIGN);
  if (pNew == 0) return false;
  store<u32>(m, mNew);
  store<u32>(v, vNew);
  store<u32>(p, pNew);
  return true;
}

/** One parameter's step on the general routines (any operands). */
function stepGeneral(
  p: usize, m: usize, v: usize, d: u32, w: u32,
  b1: u32, b2: u32, oneMinusB2: u32, invBc2Sqrt: u32, epsF: u32, stepSize: u32,
): void {
  const mo = load<u32>(m);
  const mNew = addF32(mo, mulF32(b1, subF32(d, mo)));
  const vNew = addF32(mulF32(b2, load<u32>(v)), mulF32(mulF32(oneMinusB2, d), d));
  store<u32>(m, mNew);
  store<u32>(v, vNew);
  const denom = addF32(mulF32(sqrtF32(vNew), invBc2Sqrt), epsF);
  store<u32>(p, subF32(w, divF32(mulF32(stepSize, mNew), denom)));
}

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
  // The short routines take normal constants only.
  const constantsNormal = isNormalBits(stepSize) && isNormalBits(invBc2Sqrt) && isNormalBits(b1) && isNormalBits(b2) &&
    isNormalBits(oneMinusB2) && isNormalBits(epsF) && (stepSize & SIGN) == 0 && (epsF & SIGN) == 0 &&
    (invBc2Sqrt & SIGN) == 0 && (b2 & SIGN) == 0 && (oneMinusB2 & SIGN) == 0 && (b1 & SIGN) == 0;
  const b1S = preparedSig(b1), b1E = preparedExp(b1), b2S = preparedSig(b2), b2E = preparedExp(b2);
  const omb2S = preparedSig(oneMinusB2), omb2E = preparedExp(oneMinusB2);
  const invS = preparedSig(invBc2Sqrt), invE = preparedExp(invBc2Sqrt);
  const ssS = preparedSig(stepSize), ssE = preparedExp(stepSize);
  if (wd == 0) {
    for (; p < end; p += 4, g += 4, m += 4, v += 4) {
      const d = load<u32>(g), w = load<u32>(p);
      if (!constantsNormal || !stepNormal(p, m, v, d, w, b1S, b1E, b2S, b2E, omb2S, omb2E, invS, invE, epsF, ssS, ssE)) {
        stepGeneral(p, m, v, d, w, b1, b2, oneMinusB2, invBc2Sqrt, epsF, stepSize);
      }
      store<u32>(g, 0);
    }
    return;
  }
  const l2 = decoupled ? <u32>0 : reinterpret<u32>(<f32>wd);
  const shrink = reinterpret<u32>(decoupled ? <f32>(1 - lr * wd) : <f32>1);
  for (; p < end; p += 4, g += 4, m += 4, v += 4) {
    const w = mulF32(load<u32>(p), shrink);
    const d = addF32(load<u32>(g), mulF32(l2, w));
    if (!constantsNormal || !stepNormal(p, m, v, d, w, b1S, b1E, b2S, b2E, omb2S, omb2E, invS, invE, epsF, ssS, ssE)) {
      stepGeneral(p, m, v, d, w, b1, b2, oneMinusB2, invBc2Sqrt, epsF, stepSize);
    }
    store<u32>(g, 0);
  }
}
