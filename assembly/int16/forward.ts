// The int16 forward pass over a chunk (docs/int16.md §5): every layer's
// product in i32 (overflow impossible by the bits of plan16.ts), its bias
// added in i64 at the product's scale, ReLU on the integers, requantized to
// int16 for the next layer; the last layer's outputs converted to f32 for the
// output activation and the loss.
import { Act, activationOf, layerCount, width } from "../config";
import { level, weightsOf } from "../arena";
import { Status } from "../status";
import { activate } from "../activation";
import { bitsOf } from "./plan16";
import { magnitudeAt, shiftFor, significand } from "./rounding";
import { quantScale, quantizeF32, requant32, requant64, requantShift32, requantShift64 } from "./quantize";
import {
  bias64, scaleOfLevel, scaleOfWeights, setScaleOfLevel, setScaleOfWeights, setWeights16Current, w16Of, weights16AreCurrent,
} from "./state";
import { toF32From32, toF32From64 } from "./to-f32";
import { setCollapsedLayer } from "./collapse";


const BIAS_LIMIT: u64 = 0x3fffffffffffffff; // 2^62 - 1

/**
 * B = b 2^S rounded half to even (§5 step 2). Returns NON_FINITE for a bias
 * that is not finite, RANGE_COLLAPSED if one saturated at 2^62 (its value
 * would be lost: the products' scale is far finer than the bias), else OK.
 */
function quantizeBias(b: usize, n: i32, S: i32): i32 {
  let saturated = false;
  for (let j = 0; j < n; j++) {
    const bits = load<u32>(b + (<usize>j << 2));
    const a = bits & 0x7fffffff;
    if (a >= 0x7f800000) return Status.NON_FINITE;
    let m: u64;
    const t = shiftFor(a, S);
    if (a == 0) {
      m = 0;
    } else if (t <= 0) {
      m = -t > 38 ? BIAS_LIMIT : <u64>significand(a) << <u64>(-t);
      if (m > BIAS_LIMIT) m = BIAS_LIMIT;
      if (m == BIAS_LIMIT) saturated = true;
    } else {
      m = <u64>magnitudeAt(a, S);
    }
    store<i64>(bias64 + (<usize>j << 3), (bits >>> 31) != 0 ? -<i64>m : <i64>m);
  }
  return saturated ? Status.RANGE_COLLAPSED : Status.OK;
}

/**
 * acc[r][j] = sum_i W[j][i] x[r][i] in i32 (exact: the order of the sums does
 * not matter). Blocks of 2 rows x 4 outputs, 4 inputs at a time: each int16
 * loaded feeds 2 or 4 multiply-adds, and each of the 6 row pointers is one
 * base whose 4 loads take constant offsets (one masked address per base on a
 * board, boards/common/wasm-rt/ep-wasm-memory.h). 2 rows keep the 8 sums,
 * 6 pointers and the loaded values inside rv32's registers. Sizes that are
 * not multiples take plain tails.
 */
function products(W: usize, x: usize, acc: usize, nIn: i32, nOut: i32, rows: i32): void {
  const rowIn = <usize>nIn << 1;
  const rowOut = <usize>nOut << 2;
  const body = <usize>(nIn & ~3) << 1;
  const out4 = nOut & ~3;
  let r = 0;
  for (; r + 2 <= rows; r += 2, x += rowIn << 1, acc += rowOut << 1) {
    const xe = x + rowIn, x4 = x + body;
    let w = W, a = acc;
    let j = 0;
    for (; j < out4; j += 4, w += rowIn << 2, a += 16) {
      let p0 = x, p1 = xe;
      let q0 = w, q1 = w + rowIn, q2 = q1 + rowIn, q3 = q2 + rowIn;
      let s00: i32 = 0, s01: i32 = 0, s02: i32 = 0, s03: i32 = 0;
      let s10: i32 = 0, s11: i32 = 0, s12: i32 = 0, s13: i32 = 0;
      if (p0 < x4) {
        do {
          let u: i32, v: i32, c: i32;
          u = <i32>load<i16>(p0, 0); v = <i32>load<i16>(p1, 0);
          c = <i32>load<i16>(q0, 0); s00 += c * u; s10 += c * v;
          c = <i32>load<i16>(q1, 0); s01 += c * u; s11 += c * v;
          c = <i32>load<i16>(q2, 0); s02 += c * u; s12 += c * v;
          c = <i32>load<i16>(q3, 0); s03 += c * u; s13 += c * v;
          u = <i32>load<i16>(p0, 2); v = <i32>load<i16>(p1, 2);
          c = <i32>load<i16>(q0, 2); s00 += c * u; s10 += c * v;
          c = <i32>load<i16>(q1, 2); s01 += c * u; s11 += c * v;
          c = <i32>load<i16>(q2, 2); s02 += c * u; s12 += c * v;
          c = <i32>load<i16>(q3, 2); s03 += c * u; s13 += c * v;
          u = <i32>load<i16>(p0, 4); v = <i32>load<i16>(p1, 4);
          c = <i32>load<i16>(q0, 4); s00 += c * u; s10 += c * v;
          c = <i32>load<i16>(q1, 4); s01 += c * u; s11 += c * v;
          c = <i32>load<i16>(q2, 4); s02 += c * u; s12 += c * v;
          c = <i32>load<i16>(q3, 4); s03 += c * u; s13 += c * v;
          u = <i32>load<i16>(p0, 6); v = <i32>load<i16>(p1, 6);
          c = <i32>load<i16>(q0, 6); s00 += c * u; s10 += c * v;
          c = <i32>load<i16>(q1, 6); s01 += c * u; s11 += c * v;
          c = <i32>load<i16>(q2, 6); s02 += c * u; s12 += c * v;
          c = <i32>load<i16>(q3, 6); s03 += c * u; s13 += c * v;
          p0 += 8; p1 += 8; q0 += 8; q1 += 8; q2 += 8; q3 += 8;
        } while (p0 < x4);
      }
      for (; p0 < xe; p0 += 2, p1 += 2, q0 += 2, q1 += 2, q2 += 2, q3 += 2) {
        const u = <i32>load<i16>(p0), v = <i32>load<i16>(p1);
        let c = <i32>load<i16>(q0); s00 += c * u; s10 += c * v;
        c = <i32>load<i16>(q1); s01 += c * u; s11 += c * v;
        c = <i32>load<i16>(q2); s02 += c * u; s12 += c * v;
        c = <i32>load<i16>(q3); s03 += c * u; s13 += c * v;
      }
      store<i32>(a, s00); store<i32>(a, s01, 4); store<i32>(a, s02, 8); store<i32>(a, s03, 12);
      const a1 = a + rowOut;
      store<i32>(a1, s10); store<i32>(a1, s11, 4); store<i32>(a1, s12, 8); store<i32>(a1, s13, 12);
    }
    for (; j < nOut; j++, w += rowIn, a += 4) {
      let s0: i32 = 0, s1: i32 = 0;
      for (let p0 = x, p1 = xe, q = w; p0 < xe; p0 += 2, p1 += 2, q += 2) {
        const c = <i32>load<i16>(q);
        s0 += c * <i32>load<i16>(p0);
        s1 += c * <i32>load<i16>(p1);
      }
      store<i32>(a, s0);
      store<i32>(a + rowOut, s1);
    }
  }
  if (r < rows) {
    // the last row of an odd count
    const xe = x + rowIn;
    let w = W;
    for (let j = 0; j < nOut; j++, w += rowIn, acc += 4) {
      let s: i32 = 0;
      for (let p = x, q = w; p < xe; p += 2, q += 2) s += <i32>load<i16>(q) * <i32>load<i16>(p);
      store<i32>(acc, s);
    }
  }
}

/** Quantizes the weights (if they changed since: state.ts), the input, and runs the layers. */
export function forward16(rows: i32): i32 {
  setCollapsedLayer(0);
  const L = layerCount();
  if (!weights16AreCurrent()) {
    for (let l = 1; l <= L; l++) {
      if (!quantizeF32(weightsOf(l), w16Of(l), width(l) * width(l - 1), bitsOf(l))) return Status.NON_FINITE;
      setScaleOfWeights(l, quantScale);
    }
    setWeights16Current();
  }
  if (!quantizeF32(level(0), level(0), rows * width(0), bitsOf(1))) return Status.NON_FINITE;
  setScaleOfLevel(0, quantScale);
  for (let l = 1; l <= L; l++) {
    const nIn = width(l - 1), nOut = width(l);
    const S = scaleOfWeights(l) + scaleOfLevel(l - 1);
    const biasStatus = quantizeBias(weightsOf(l) + (<usize>(nIn * nOut) << 2), nOut, S);
    if (biasStatus != Status.OK) {
      if (biasStatus == Status.RANGE_COLLAPSED) setCollapsedLayer(l);
      return biasStatus;
    }
    const out = level(l);
    products(w16Of(l), level(l - 1), out, nIn, nOut, rows);
    const n = rows * nOut;
    if (l < L) {
      requantizeLevel(l, out, nOut, n, S, activationOf(l) == Act.RELU, bitsOf(l + 1));
    } else if (!outputsToF32(out, nOut, n, S)) {
      setCollapsedLayer(L);
      return Status.RANGE_COLLAPSED;
    }
  }
  activate(activationOf(L), level(L), rows * width(L));
  return Status.OK;
}

/** z = acc + B (ReLU'd), requantized into int16 in the first half of the level (§5 step 4). */
function requantizeLevel(l: i32, p: usize, nOut: i32, n: i32, S: i32, relu: bool, b: i32): void {
  if (biasesFit32(nOut) && requantizeLevel32(l, p, nOut, n, S, relu, b)) return;
  let M: u64 = 0;
  for (let k = 0, j = 0; k < n; k++) {
    let z = <i64>load<i32>(p + (<usize>k << 2)) + load<i64>(bias64 + (<usize>j << 3));
    if (relu && z < 0) z = 0;
    const a = <u64>(z < 0 ? -z : z);
    if (a > M) M = a;
    if (++j == nOut) j = 0;
  }
  if (M == 0) {
    for (let k = 0; k < n; k++) store<i16>(p + (<usize>k << 1), 0);
    setScaleOfLevel(l, S);
    return;
  }
  const t = requantShift64(M, b);
  const limit = (<u32>1 << <u32>b) - 1;
  for (let k = 0, j = 0; k < n; k++) {
    let z = <i64>load<i32>(p + (<usize>k << 2)) + load<i64>(bias64 + (<usize>j << 3));
    if (relu && z < 0) z = 0;
    store<i16>(p + (<usize>k << 1), requant64(z, t, limit));
    if (++j == nOut) j = 0;
  }
  setScaleOfLevel(l, S - t);
}

/** Every B[j] of the layer fits in an i32. */
function biasesFit32(nOut: i32): bool {
  const end = bias64 + (<usize>nOut << 3);
  for (let q = bias64; q < end; q += 8) {
    const B = load<i64>(q);
    if (B != <i64><i32>B) return false;
  }
  return true;
}

/**
 * requantizeLevel when every z = acc + B fits in an i32 (checked as it goes:
 * false, nothing written, if one does not; the biases fit, biasesFit32): the
 * same integers in 32 bits, so the same bits, without rv32's i64 arithmetic.
 */
function requantizeLevel32(l: i32, p: usize, nOut: i32, n: i32, S: i32, relu: bool, b: i32): bool {
  const end = p + (<usize>n << 2);
  const biasEnd = bias64 + (<usize>nOut << 3);
  let M: u32 = 0;
  let overflow: i32 = 0;
  for (let q = p, bj = bias64; q < end; q += 4) {
    const acc = load<i32>(q), B = load<i32>(bj); // B's low word: B itself (biasesFit32)
    let z = acc + B;
    overflow |= (acc ^ z) & (B ^ z); // negative iff the i32 sum wrapped
    if (relu && z < 0) z = 0;
    const a = <u32>(z < 0 ? -z : z);
    if (a > M) M = a;
    bj += 8;
    if (bj == biasEnd) bj = bias64;
  }
  if (overflow < 0) return false;
  if (M == 0) {
    for (let k = 0; k < n; k++) store<i16>(p + (<usize>k << 1), 0);
    setScaleOfLevel(l, S);
    return true;
  }
  const t = requantShift32(M, b); // = requantShift64(M, b): the same E
  const limit = (<u32>1 << <u32>b) - 1;
  for (let q = p, d = p, bj = bias64; q < end; q += 4, d += 2) {
    let z = load<i32>(q) + load<i32>(bj);
    if (relu && z < 0) z = 0;
    store<i16>(d, requant32(z, t, limit));
    bj += 8;
    if (bj == biasEnd) bj = bias64;
  }
  setScaleOfLevel(l, S - t);
  return true;
}

/** y = toF32(acc + B, S) in place; false if every non-zero z flushed to 0 (§5 step 5). */
function outputsToF32(p: usize, nOut: i32, n: i32, S: i32): bool {
  let nonZero: u32 = 0, flushed: u32 = 0;
  for (let k = 0, j = 0; k < n; k++) {
    const q = p + (<usize>k << 2);
    const z = <i64>load<i32>(q) + load<i64>(bias64 + (<usize>j << 3));
    // an i32's conversion where z fits one: the same correctly rounded f32, without rv32's i64 one
    const y = <i64><i32>z == z ? toF32From32(<i32>z, S) : toF32From64(z, S);
    if (z != 0) { nonZero++; if (y == 0) flushed++; }
    store<f32>(q, y);
    if (++j == nOut) j = 0;
  }
  return nonZero == 0 || flushed < nonZero;
}

