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
import { magnitudeAt, roundHalfEvenPositive, shiftFor, significand } from "./rounding";
import { quantScale, quantizeF32, requant32, requant64, requantShift32, requantShift64 } from "./quantize";
import {
  bias64, scaleOfLevel, scaleOfWeights, setScaleOfLevel, setScaleOfWeights, setWeights16Current, w16Of, weights16AreCurrent,
} from "./state";
import { toF32Bits32, toF32From64 } from "./to-f32";
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
 * not matter). Blocks of 2 rows x 2 outputs, 4 inputs at a time: the 4 x 2
 * inputs are loaded first, then each output's 4 weights, each weight feeding
 * 2 multiply-adds; each sum takes its 4 products as one expression, so the
 * compiled loop keeps 8 inputs, 4 weights, 4 sums and 2 pointers live, inside
 * rv32's registers (a 2 x 4 block with 4 inputs at a time needs more: GCC
 * spilled it, 8.5 instructions per multiply-add on rv32imc). The second row
 * of x and of W are the first's address + rowIn, no pointers of their own.
 * Each of the 4 row addresses is one base whose 4 loads take constant offsets
 * (one masked address per base on a board,
 * boards/common/wasm-rt/ep-wasm-memory.h). Sizes that are not multiples take
 * plain tails.
 */
function products(W: usize, x: usize, acc: usize, nIn: i32, nOut: i32, rows: i32): void {
  const rowIn = <usize>nIn << 1;
  const rowOut = <usize>nOut << 2;
  const body = <usize>(nIn & ~3) << 1;
  const out2 = nOut & ~1;
  let r = 0;
  for (; r + 2 <= rows; r += 2, x += rowIn << 1, acc += rowOut << 1) {
    const xe = x + rowIn, x4 = x + body;
    let w = W, a = acc;
    let j = 0;
    for (; j < out2; j += 2, w += rowIn << 1, a += 8) {
      let p0 = x, q0 = w;
      let s00: i32 = 0, s01: i32 = 0, s10: i32 = 0, s11: i32 = 0;
      for (; p0 < x4; p0 += 8, q0 += 8) {
        // the second row of x and of W one row on: no pointers of their own
        const p1 = p0 + rowIn, q1 = q0 + rowIn;
        const u0 = <i32>load<i16>(p0, 0), u1 = <i32>load<i16>(p0, 2), u2 = <i32>load<i16>(p0, 4), u3 = <i32>load<i16>(p0, 6);
        const v0 = <i32>load<i16>(p1, 0), v1 = <i32>load<i16>(p1, 2), v2 = <i32>load<i16>(p1, 4), v3 = <i32>load<i16>(p1, 6);
        let c0 = <i32>load<i16>(q0, 0), c1 = <i32>load<i16>(q0, 2), c2 = <i32>load<i16>(q0, 4), c3 = <i32>load<i16>(q0, 6);
        s00 += c0 * u0 + c1 * u1 + c2 * u2 + c3 * u3;
        s10 += c0 * v0 + c1 * v1 + c2 * v2 + c3 * v3;
        c0 = <i32>load<i16>(q1, 0); c1 = <i32>load<i16>(q1, 2); c2 = <i32>load<i16>(q1, 4); c3 = <i32>load<i16>(q1, 6);
        s01 += c0 * u0 + c1 * u1 + c2 * u2 + c3 * u3;
        s11 += c0 * v0 + c1 * v1 + c2 * v2 + c3 * v3;
      }
      for (; p0 < xe; p0 += 2, q0 += 2) {
        const u = <i32>load<i16>(p0), v = <i32>load<i16>(p0 + rowIn);
        const c0 = <i32>load<i16>(q0), c1 = <i32>load<i16>(q0 + rowIn);
        s00 += c0 * u; s10 += c0 * v;
        s01 += c1 * u; s11 += c1 * v;
      }
      store<i32>(a, s00); store<i32>(a, s01, 4);
      const a1 = a + rowOut;
      store<i32>(a1, s10); store<i32>(a1, s11, 4);
    }
    if (j < nOut) {
      // the last output of an odd count
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
 * requantizeLevel when every z = acc + B fits in an i32 (checked as it goes;
 * the biases fit, biasesFit32): the same integers in 32 bits, so the same
 * bits, without rv32's i64 arithmetic. The first pass stores z over acc (the
 * second reads it without the bias again); if one z did not fit, acc is put
 * back (z - B, exact modulo 2^32) and it returns false, nothing else written.
 * Rows by outputs, so the bias pointer restarts per row instead of a
 * compare per element.
 */
function requantizeLevel32(l: i32, p: usize, nOut: i32, n: i32, S: i32, relu: bool, b: i32): bool {
  const end = p + (<usize>n << 2);
  const rowBytes = <usize>nOut << 2;
  let M: u32 = 0;
  let overflow: i32 = 0;
  if (relu) {
    // M >= 0 throughout, so the largest ReLU'd z is the largest signed z.
    // 2 outputs a round: one masked address for both accs and one for both biases.
    let m: i32 = 0;
    const pairBytes = rowBytes & ~<usize>7;
    for (let row = p; row < end; row += rowBytes) {
      const rowEnd = row + rowBytes, pairEnd = row + pairBytes;
      let q = row, bj = bias64;
      for (; q < pairEnd; q += 8, bj += 16) {
        const acc0 = load<i32>(q), acc1 = load<i32>(q, 4);
        const B0 = load<i32>(bj), B1 = load<i32>(bj, 8); // B's low word: B itself (biasesFit32)
        const z0 = acc0 + B0, z1 = acc1 + B1;
        // negative iff an i32 sum wrapped
        overflow |= ((acc0 ^ z0) & (B0 ^ z0)) | ((acc1 ^ z1) & (B1 ^ z1));
        store<i32>(q, z0);
        store<i32>(q, z1, 4);
        if (z0 > m) m = z0;
        if (z1 > m) m = z1;
      }
      if (q < rowEnd) {
        // the last output of an odd count
        const acc = load<i32>(q), B = load<i32>(bj);
        const z = acc + B;
        overflow |= (acc ^ z) & (B ^ z);
        store<i32>(q, z);
        if (z > m) m = z;
      }
    }
    M = <u32>m;
  } else {
    for (let row = p; row < end; row += rowBytes) {
      const rowEnd = row + rowBytes;
      for (let q = row, bj = bias64; q < rowEnd; q += 4, bj += 8) {
        const acc = load<i32>(q), B = load<i32>(bj);
        const z = acc + B;
        overflow |= (acc ^ z) & (B ^ z);
        store<i32>(q, z);
        const a = <u32>(z < 0 ? -z : z);
        if (a > M) M = a;
      }
    }
  }
  if (overflow < 0) {
    for (let row = p; row < end; row += rowBytes) {
      const rowEnd = row + rowBytes;
      for (let q = row, bj = bias64; q < rowEnd; q += 4, bj += 8) store<i32>(q, load<i32>(q) - load<i32>(bj));
    }
    return false;
  }
  if (M == 0) {
    for (let k = 0; k < n; k++) store<i16>(p + (<usize>k << 1), 0);
    setScaleOfLevel(l, S);
    return true;
  }
  const t = requantShift32(M, b); // = requantShift64(M, b): the same E
  const limit = (<u32>1 << <u32>b) - 1;
  if (relu && t > 0) {
    // 2 values a round (one masked address for both loads, one for both
    // stores; each int16 lands on an i32 already read)
    const end2 = p + (<usize>(n & ~1) << 2);
    let q = p, d = p;
    for (; q < end2; q += 8, d += 4) {
      const z0 = load<i32>(q), z1 = load<i32>(q, 4);
      store<i16>(d, requantReLU(z0, t, limit));
      store<i16>(d, requantReLU(z1, t, limit), 2);
    }
    if (q < end) store<i16>(d, requantReLU(load<i32>(q), t, limit));
  } else {
    for (let q = p, d = p; q < end; q += 4, d += 2) {
      let z = load<i32>(q);
      if (relu && z < 0) z = 0;
      store<i16>(d, requant32(z, t, limit));
    }
  }
  setScaleOfLevel(l, S - t);
  return true;
}

/** requant32(max(z, 0), t, limit) for t > 0: its sign and left-shift cases left out. */
@inline function requantReLU(z: i32, t: i32, limit: u32): i32 {
  if (z <= 0) return 0;
  const m = roundHalfEvenPositive(<u32>z, t);
  return <i32>(m > limit ? limit : m);
}

/** y = toF32(acc + B, S) in place; false if every non-zero z flushed to 0 (§5 step 5). */
function outputsToF32(p: usize, nOut: i32, n: i32, S: i32): bool {
  let nonZero: u32 = 0, flushed: u32 = 0;
  const end = p + (<usize>n << 2);
  const rowBytes = <usize>nOut << 2;
  for (let row = p; row < end; row += rowBytes) {
    const rowEnd = row + rowBytes;
    for (let q = row, bj = bias64; q < rowEnd; q += 4, bj += 8) {
      const z = <i64>load<i32>(q) + load<i64>(bj);
      // where z fits an i32: its conversion on integers (toF32Bits32, the
      // same bits as toF32From32), without rv32's i64 convert or rv32imc's
      // libgcc f32 one
      const y = <i64><i32>z == z ? toF32Bits32(<i32>z, S) : reinterpret<u32>(toF32From64(z, S));
      if (z != 0) { nonZero++; if ((y & 0x7fffffff) == 0) flushed++; }
      store<u32>(q, y);
    }
  }
  return nonZero == 0 || flushed < nonZero;
}
