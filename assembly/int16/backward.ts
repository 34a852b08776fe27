// The int16 backward pass over a chunk (docs/int16.md §6): the last layer's
// f32 dL/dz quantized to int16, then per trained layer the weight gradients
// as i32 sums over groups of ROW_GROUP rows (converted to f32 and added into
// the f32 gradient buffers the optimizer reads) and the input deltas as i32
// sums, masked by ReLU below and requantized to int16 for the layer below.
import { Act, activationOf, frozenLayers, layerCount, width } from "../config";
import { gradsOf, level } from "../arena";
import { Status } from "../status";
import { ROW_GROUP, bitsOf } from "./plan16";
import { quantScale, quantizeF32, requant32, requantShift32 } from "./quantize";
import { deltas16, scaleOfLevel, scaleOfWeights, w16Of } from "./state";
import { toF32Bits32 } from "./to-f32";
import { addNormalF32 } from "./add-normal";
import { addScaled, scaledLimit } from "./add-scaled";
import { setCollapsedLayer } from "./collapse";

// Counted only where toF32 gave 0 (off the common path): the layer
// collapsed if every non-zero weight sum flushed, i.e. flushed > 0 and
// flushed + zero == every sum of the layer.
let zeroSums: u32 = 0;
let flushedSums: u32 = 0;

/**
 * The f32 at g += the f32 with bits v, on integers (no FPU on rv32imc):
 * the same bits as the f32 add. v = +-0 leaves g (+0 turns a -0 into +0).
 */
@inline function addBits(g: usize, v: u32): void {
  const G = load<u32>(g);
  if ((v << 1) == 0) {
    if (v == 0 && G == 0x80000000) store<u32>(g, 0);
    return;
  }
  store<u32>(g, addNormalF32(G, v));
}

/** The general path (a call: off the common path, one copy): counts the sums that gave 0. */
function addInto(g: usize, a: i32, S: i32): void {
  const v = toF32Bits32(a, S);
  if ((v << 1) == 0) { if (a == 0) zeroSums++; else flushedSums++; }
  addBits(g, v);
}

/** g += toF32(a, S): addScaled's fused step (C = 157 - S, limit = scaledLimit(S)), else the general path. */
// @ts-ignore: decorator
@inline function addCell(g: usize, a: i32, S: i32, C: i32, limit: u32): void {
  if (!addScaled(g, a, S, C, limit)) {
    if (a == 0) { // a fifth of P2's cells (ReLU zeros): g + 0, without the call
      zeroSums++;
      if (load<u32>(g) == 0x80000000) store<u32>(g, 0);
    } else addInto(g, a, S);
  }
}

/** G[j][i] += toF32(sum_r dz[r][j] x[r][i], S), gb[j] += toF32(sum_r dz[r][j], d), per group of rows. */
function weightGradients(G: usize, dz: usize, x: usize, nIn: i32, nOut: i32, rows: i32, S: i32, d: i32): void {
  const rowIn = <usize>nIn << 1, rowOut = <usize>nOut << 1;
  const gRow = <usize>nIn << 2;
  const gb = G + (<usize>(nIn * nOut) << 2);
  const out4 = nOut & ~3, in4 = nIn & ~3;
  const C = 157 - S, limit = scaledLimit(S);
  const Cb = 157 - d, limitB = scaledLimit(d);
  for (let first = 0; first < rows; first += ROW_GROUP) {
    const n = rows - first < ROW_GROUP ? rows - first : ROW_GROUP;
    const d0 = dz + <usize>first * rowOut, x0 = x + <usize>first * rowIn;
    const dEnd = d0 + <usize>n * rowOut;
    for (let j = 0; j < nOut; j++) {
      let a: i32 = 0;
      for (let p = d0 + (<usize>j << 1); p < dEnd; p += rowOut) a += <i32>load<i16>(p);
      const q = gb + (<usize>j << 2);
      if (!addScaled(q, a, d, Cb, limitB)) addBits(q, toF32Bits32(a, d)); // the bias sums are not counted
    }
    let j = 0;
    for (; j < out4; j += 4) {
      let i = 0;
      for (; i < in4; i += 4) {
        let a00: i32 = 0, a01: i32 = 0, a02: i32 = 0, a03: i32 = 0;
        let a10: i32 = 0, a11: i32 = 0, a12: i32 = 0, a13: i32 = 0;
        let a20: i32 = 0, a21: i32 = 0, a22: i32 = 0, a23: i32 = 0;
        let a30: i32 = 0, a31: i32 = 0, a32: i32 = 0, a33: i32 = 0;
        let pd = d0 + (<usize>j << 1), px = x0 + (<usize>i << 1);
        for (; pd < dEnd; pd += rowOut, px += rowIn) {
          const x0v = <i32>load<i16>(px), x1v = <i32>load<i16>(px, 2), x2v = <i32>load<i16>(px, 4), x3v = <i32>load<i16>(px, 6);
          let e = <i32>load<i16>(pd);
          a00 += e * x0v; a01 += e * x1v; a02 += e * x2v; a03 += e * x3v;
          e = <i32>load<i16>(pd, 2);
          a10 += e * x0v; a11 += e * x1v; a12 += e * x2v; a13 += e * x3v;
          e = <i32>load<i16>(pd, 4);
          a20 += e * x0v; a21 += e * x1v; a22 += e * x2v; a23 += e * x3v;
          e = <i32>load<i16>(pd, 6);
          a30 += e * x0v; a31 += e * x1v; a32 += e * x2v; a33 += e * x3v;
        }
        let q = G + <usize>j * gRow + (<usize>i << 2);
        addCell(q, a00, S, C, limit); addCell(q + 4, a01, S, C, limit); addCell(q + 8, a02, S, C, limit); addCell(q + 12, a03, S, C, limit);
        q += gRow;
        addCell(q, a10, S, C, limit); addCell(q + 4, a11, S, C, limit); addCell(q + 8, a12, S, C, limit); addCell(q + 12, a13, S, C, limit);
        q += gRow;
        addCell(q, a20, S, C, limit); addCell(q + 4, a21, S, C, limit); addCell(q + 8, a22, S, C, limit); addCell(q + 12, a23, S, C, limit);
        q += gRow;
        addCell(q, a30, S, C, limit); addCell(q + 4, a31, S, C, limit); addCell(q + 8, a32, S, C, limit); addCell(q + 12, a33, S, C, limit);
      }
      for (; i < nIn; i++) for (let k = 0; k < 4; k++) gradientCell(G, gRow, d0, dEnd, rowOut, x0, rowIn, j + k, i, S, C, limit);
    }
    for (; j < nOut; j++) for (let i = 0; i < nIn; i++) gradientCell(G, gRow, d0, dEnd, rowOut, x0, rowIn, j, i, S, C, limit);
  }
}

function gradientCell(G: usize, gRow: usize, d0: usize, dEnd: usize, rowOut: usize, x0: usize, rowIn: usize, j: i32, i: i32, S: i32, C: i32, limit: u32): void {
  let a: i32 = 0;
  let px = x0 + (<usize>i << 1);
  for (let pd = d0 + (<usize>j << 1); pd < dEnd; pd += rowOut, px += rowIn) a += <i32>load<i16>(pd) * <i32>load<i16>(px);
  addCell(G + <usize>j * gRow + (<usize>i << 2), a, S, C, limit);
}

/** |a| as u32 (-2^31 gives 2^31). */
// @ts-ignore: decorator
@inline function magnitude(a: i32): u32 { return <u32>(a < 0 ? -a : a); }

/**
 * One row's sums for its last nIn % 4 columns (descending), ReLU-masked, into
 * the level's i32 slots; returns their magnitudes OR-ed (requantShift32 only
 * reads the leading bit of the largest, which the OR has too).
 */
// @ts-ignore: decorator
@inline function tailColumns(W: usize, wEnd: usize, wRow: usize, dr: usize, lv: usize, base: i32, nIn: i32, relu: bool): u32 {
  let M: u32 = 0;
  for (let i = nIn - 1; i >= (nIn & ~3); i--) {
    let a: i32 = 0;
    for (let pw = W + (<usize>i << 1), pd = dr; pw < wEnd; pw += wRow, pd += 2) a += <i32>load<i16>(pd) * <i32>load<i16>(pw);
    const m = <usize>(base + i);
    if (relu && load<i16>(lv + (m << 1)) <= 0) a = 0;
    store<i32>(lv + (m << 2), a);
    M |= magnitude(a);
  }
  return M;
}

/**
 * a[r][i] = sum_j dz[r][j] W[j][i] (i32) into the level's 4-byte slots, written
 * in descending order (the level's int16 activations, in its first half, are
 * read for the ReLU mask before their bytes are overwritten); returns the
 * magnitudes OR-ed (the leading bit of max |a|: requantShift32 reads no more).
 * Rows go two at a time (each weight load feeds both) while the lower row is
 * row 1 or above: the i32 slots of rows r and r-1, columns c..c+3, start at
 * int16 index 2((r-1) nIn + c), past every activation still unread (rows
 * below, and columns under c of rows r and r-1: at most r nIn + c - 1) when
 * r >= 2. Rows 1 and 0 go one at a time.
 */
function inputDeltaSums(W: usize, dz: usize, lv: usize, nIn: i32, nOut: i32, rows: i32, relu: bool): u32 {
  const rowOut = <usize>nOut << 1, wRow = <usize>nIn << 1;
  const wEnd = W + <usize>nOut * wRow;
  let M: u32 = 0;
  let r = rows - 1;
  for (; r >= 2; r -= 2) {
    const dr = dz + <usize>r * rowOut, ds = dr - rowOut;
    const base = r * nIn, below = base - nIn;
    M |= tailColumns(W, wEnd, wRow, dr, lv, base, nIn, relu);
    M |= tailColumns(W, wEnd, wRow, ds, lv, below, nIn, relu);
    for (let c = (nIn & ~3) - 4; c >= 0; c -= 4) {
      let a0: i32 = 0, a1: i32 = 0, a2: i32 = 0, a3: i32 = 0;
      let b0: i32 = 0, b1: i32 = 0, b2: i32 = 0, b3: i32 = 0;
      for (let pw = W + (<usize>c << 1), pd = dr, pe = ds; pw < wEnd; pw += wRow, pd += 2, pe += 2) {
        const w0 = <i32>load<i16>(pw), w1 = <i32>load<i16>(pw, 2), w2 = <i32>load<i16>(pw, 4), w3 = <i32>load<i16>(pw, 6);
        const e = <i32>load<i16>(pd);
        a0 += e * w0; a1 += e * w1; a2 += e * w2; a3 += e * w3;
        const f = <i32>load<i16>(pe);
        b0 += f * w0; b1 += f * w1; b2 += f * w2; b3 += f * w3;
      }
      const m = <usize>(base + c), k = <usize>(below + c);
      if (relu) {
        const h = lv + (m << 1), hb = lv + (k << 1);
        if (load<i16>(h) <= 0) a0 = 0;
        if (load<i16>(h, 2) <= 0) a1 = 0;
        if (load<i16>(h, 4) <= 0) a2 = 0;
        if (load<i16>(h, 6) <= 0) a3 = 0;
        if (load<i16>(hb) <= 0) b0 = 0;
        if (load<i16>(hb, 2) <= 0) b1 = 0;
        if (load<i16>(hb, 4) <= 0) b2 = 0;
        if (load<i16>(hb, 6) <= 0) b3 = 0;
      }
      const q = lv + (m << 2), qb = lv + (k << 2);
      store<i32>(q, a3, 12); store<i32>(q, a2, 8); store<i32>(q, a1, 4); store<i32>(q, a0);
      store<i32>(qb, b3, 12); store<i32>(qb, b2, 8); store<i32>(qb, b1, 4); store<i32>(qb, b0);
      M |= magnitude(a0) | magnitude(a1) | magnitude(a2) | magnitude(a3);
      M |= magnitude(b0) | magnitude(b1) | magnitude(b2) | magnitude(b3);
    }
  }
  for (; r >= 0; r--) {
    const dr = dz + <usize>r * rowOut;
    const base = r * nIn;
    M |= tailColumns(W, wEnd, wRow, dr, lv, base, nIn, relu);
    for (let c = (nIn & ~3) - 4; c >= 0; c -= 4) {
      let a0: i32 = 0, a1: i32 = 0, a2: i32 = 0, a3: i32 = 0;
      for (let pw = W + (<usize>c << 1), pd = dr; pw < wEnd; pw += wRow, pd += 2) {
        const e = <i32>load<i16>(pd);
        a0 += e * <i32>load<i16>(pw); a1 += e * <i32>load<i16>(pw, 2);
        a2 += e * <i32>load<i16>(pw, 4); a3 += e * <i32>load<i16>(pw, 6);
      }
      const m = <usize>(base + c);
      if (relu) {
        const h = lv + (m << 1);
        if (load<i16>(h) <= 0) a0 = 0;
        if (load<i16>(h, 2) <= 0) a1 = 0;
        if (load<i16>(h, 4) <= 0) a2 = 0;
        if (load<i16>(h, 6) <= 0) a3 = 0;
      }
      const q = lv + (m << 2);
      store<i32>(q, a3, 12); store<i32>(q, a2, 8); store<i32>(q, a1, 4); store<i32>(q, a0);
      M |= magnitude(a0) | magnitude(a1) | magnitude(a2) | magnitude(a3);
    }
  }
  return M;
}

/** Walks back from the last layer; the loss has left dL/dz (f32) at level(L). */
export function backward16(rows: i32): i32 {
  const L = layerCount();
  const K = frozenLayers();
  let n = rows * width(L);
  if (!quantizeF32(level(L), deltas16, n, bitsOf(L))) return Status.NON_FINITE;
  let d = quantScale;
  for (let l = L; l > K; l--) {
    const nIn = width(l - 1), nOut = width(l);
    zeroSums = 0;
    flushedSums = 0;
    weightGradients(gradsOf(l), deltas16, level(l - 1), nIn, nOut, rows, d + scaleOfLevel(l - 1), d);
    const sums = <u32>((rows + ROW_GROUP - 1) / ROW_GROUP) * <u32>(nIn * nOut);
    if (flushedSums > 0 && flushedSums + zeroSums == sums) {
      setCollapsedLayer(l);
      return Status.RANGE_COLLAPSED;
    }
    if (l - 1 <= K) break;
    const S = d + scaleOfWeights(l);
    const lv = level(l - 1);
    const M = inputDeltaSums(w16Of(l), deltas16, lv, nIn, nOut, rows, activationOf(l - 1) == Act.RELU);
    n = rows * nIn;
    const b = bitsOf(l - 1);
    if (M == 0) {
      for (let k = 0; k < n; k++) store<i16>(deltas16 + (<usize>k << 1), 0);
      d = S;
      continue;
    }
    const t = requantShift32(M, b);
    const limit = (<u32>1 << <u32>b) - 1;
    if (t > 0) {
      // requant32 for t > 0 (the usual case), its test and its rounding constant out of the loop:
      // round(|v| 2^-t) half to even (roundHalfEvenPositive's sum), saturated, with v's sign.
      const half = (<u32>1 << <u32>(t - 1)) - 1;
      for (let k = 0; k < n; k++) {
        const v = load<i32>(lv + (<usize>k << 2));
        const s = v >> 31;
        const a = <u32>((v ^ s) - s);
        let m = (a + half + ((a >> <u32>t) & 1)) >> <u32>t;
        if (m > limit) m = limit;
        store<i16>(deltas16 + (<usize>k << 1), <i16>((<i32>m ^ s) - s));
      }
    } else {
      for (let k = 0; k < n; k++) store<i16>(deltas16 + (<usize>k << 1), requant32(load<i32>(lv + (<usize>k << 2)), t, limit));
    }
    d = S - t;
  }
  return Status.OK;
}
