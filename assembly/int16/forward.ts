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
import { quantScale, quantizeF32, requant64, requantShift64 } from "./quantize";
import {
  bias64, scaleOfLevel, scaleOfWeights, setScaleOfLevel, setScaleOfWeights, setWeights16Current, w16Of, weights16AreCurrent,
} from "./state";
import { toF32From64 } from "./to-f32";
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

/** acc[r][j] = sum_i W[j][i] x[r][i] in i32, four outputs at a time. */
function products(W: usize, x: usize, acc: usize, nIn: i32, nOut: i32, rows: i32): void {
  const rowIn = <usize>nIn << 1;
  const out4 = nOut & ~3;
  for (let r = 0; r < rows; r++, x += rowIn) {
    const xe = x + rowIn;
    let w0 = W;
    let j = 0;
    for (; j < out4; j += 4) {
      const w1 = w0 + rowIn, w2 = w1 + rowIn, w3 = w2 + rowIn;
      let s0: i32 = 0, s1: i32 = 0, s2: i32 = 0, s3: i32 = 0;
      for (let p = x, o: usize = 0; p < xe; p += 2, o += 2) {
        const v = <i32>load<i16>(p);
        s0 += <i32>load<i16>(w0 + o) * v;
        s1 += <i32>load<i16>(w1 + o) * v;
        s2 += <i32>load<i16>(w2 + o) * v;
        s3 += <i32>load<i16>(w3 + o) * v;
      }
      store<i32>(acc, s0); store<i32>(acc, s1, 4); store<i32>(acc, s2, 8); store<i32>(acc, s3, 12);
      acc += 16;
      w0 = w3 + rowIn;
    }
    for (; j < nOut; j++, w0 += rowIn, acc += 4) {
      let s: i32 = 0;
      for (let p = x, q = w0; p < xe; p += 2, q += 2) s += <i32>load<i16>(q) * <i32>load<i16>(p);
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

/** y = toF32(acc + B, S) in place; false if every non-zero z flushed to 0 (§5 step 5). */
function outputsToF32(p: usize, nOut: i32, n: i32, S: i32): bool {
  let nonZero: u32 = 0, flushed: u32 = 0;
  for (let k = 0, j = 0; k < n; k++) {
    const q = p + (<usize>k << 2);
    const z = <i64>load<i32>(q) + load<i64>(bias64 + (<usize>j << 3));
    const y = toF32From64(z, S);
    if (z != 0) { nonZero++; if (y == 0) flushed++; }
    store<f32>(q, y);
    if (++j == nOut) j = 0;
  }
  return nonZero == 0 || flushed < nonZero;
}

