// A dense layer y = x W^T + b over a chunk of rows, W stored [out][in] like
// torch's nn.Linear, and its backward pass by the chain rule.
//
// The loops are shaped for two engines at once: V8's JIT, and the wasm3
// interpreter on the board, which pays per executed instruction. So the work
// is cut into 4x4 register blocks (each value loaded feeds four multiply-adds),
// every load and store addresses a base pointer plus a constant folded into
// the instruction's offset immediate, and loops test at the bottom (one
// br_if per iteration). Sizes that are not multiples of 4 take a plain tail.
import { Act } from "./config";
import { derivativeAt, reluPasses } from "./activation";

/** y[r][j] = b[j] + sum_i W[j][i] x[r][i] for rows r < rows. */
export function denseForward(W: usize, nIn: i32, nOut: i32, x: usize, y: usize, rows: i32): void {
  const rowIn = <usize>nIn << 2;
  const b = W + (<usize>(nIn * nOut) << 2);
  const body = <usize>(nIn & ~3) << 2;
  const out4 = nOut & ~3;
  for (let r = 0; r < rows; r++, x += rowIn) {
    const xe = x + rowIn;
    const x4 = x + body;
    let w0 = W;
    let j = 0;
    for (; j < out4; j += 4) {
      let w1 = w0 + rowIn, w2 = w1 + rowIn, w3 = w2 + rowIn;
      let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
      let p = x;
      if (p < x4) {
        // The sums start from the first block's products, not 0 + them (an add
        // per output fewer: a soft-float call on rv32imc). 0 + y differs from y
        // only for y = -0, a zero whose sign no result depends on.
        const a = load<f32>(p), c = load<f32>(p, 4), e = load<f32>(p, 8), g = load<f32>(p, 12);
        s0 = load<f32>(w0) * a + load<f32>(w0, 4) * c + load<f32>(w0, 8) * e + load<f32>(w0, 12) * g;
        s1 = load<f32>(w1) * a + load<f32>(w1, 4) * c + load<f32>(w1, 8) * e + load<f32>(w1, 12) * g;
        s2 = load<f32>(w2) * a + load<f32>(w2, 4) * c + load<f32>(w2, 8) * e + load<f32>(w2, 12) * g;
        s3 = load<f32>(w3) * a + load<f32>(w3, 4) * c + load<f32>(w3, 8) * e + load<f32>(w3, 12) * g;
        p += 16; w0 += 16; w1 += 16; w2 += 16; w3 += 16;
      }
      if (p < x4) {
        do {
          const a = load<f32>(p), c = load<f32>(p, 4), e = load<f32>(p, 8), g = load<f32>(p, 12);
          s0 += load<f32>(w0) * a + load<f32>(w0, 4) * c + load<f32>(w0, 8) * e + load<f32>(w0, 12) * g;
          s1 += load<f32>(w1) * a + load<f32>(w1, 4) * c + load<f32>(w1, 8) * e + load<f32>(w1, 12) * g;
          s2 += load<f32>(w2) * a + load<f32>(w2, 4) * c + load<f32>(w2, 8) * e + load<f32>(w2, 12) * g;
          s3 += load<f32>(w3) * a + load<f32>(w3, 4) * c + load<f32>(w3, 8) * e + load<f32>(w3, 12) * g;
          p += 16; w0 += 16; w1 += 16; w2 += 16; w3 += 16;
        } while (p < x4);
      }
      for (; p < xe; p += 4, w0 += 4, w1 += 4, w2 += 4, w3 += 4) {
        const a = load<f32>(p);
        s0 += load<f32>(w0) * a;
        s1 += load<f32>(w1) * a;
        s2 += load<f32>(w2) * a;
        s3 += load<f32>(w3) * a;
      }
      const bj = b + (<usize>j << 2);
      store<f32>(y, s0 + load<f32>(bj));
      store<f32>(y, s1 + load<f32>(bj, 4), 4);
      store<f32>(y, s2 + load<f32>(bj, 8), 8);
      store<f32>(y, s3 + load<f32>(bj, 12), 12);
      y += 16;
      w0 = w3;
    }
    for (; j < nOut; j++) {
      let s: f32 = 0;
      for (let p = x; p < xe; p += 4, w0 += 4) s += load<f32>(w0) * load<f32>(p);
      store<f32>(y, s + load<f32>(b + (<usize>j << 2)));
      y += 4;
    }
  }
}

/**
 * Backward through the layer for a chunk, given the output deltas d[r][j]:
 *   dL/dW[j][i] += sum_r d[r][j] x[r][i],  dL/db[j] += sum_r d[r][j]
 * and, if withInputDeltas, overwrites x with the input deltas (each level
 * becomes its own delta, so no delta buffers exist):
 *   dx[r][i] = f'(x[r][i]) sum_j d[r][j] W[j][i]
 * with f the activation that produced x.
 */
export function denseBackward(
  W: usize, G: usize, nIn: i32, nOut: i32,
  x: usize, d: usize, withInputDeltas: bool, actBelow: u8, rows: i32,
): void {
  accumulateGradients(G, nIn, nOut, x, d, rows);
  if (!withInputDeltas) return;
  if (actBelow == Act.RELU) reluInputDeltas(W, nIn, nOut, x, d, rows);
  else inputDeltas(W, nIn, nOut, x, d, actBelow, rows);
}

function accumulateGradients(G: usize, nIn: i32, nOut: i32, x: usize, d: usize, rows: i32): void {
  const rowIn = <usize>nIn << 2;
  const rowOut = <usize>nOut << 2;
  const gb = G + (<usize>(nIn * nOut) << 2);
  const dEnd = d + <usize>rows * rowOut;
  // Bias: column sums of d.
  for (let j = 0; j < nOut; j++) {
    let s: f32 = 0;
    for (let p = d + (<usize>j << 2); p < dEnd; p += rowOut) s += load<f32>(p);
    const gj = gb + (<usize>j << 2);
    store<f32>(gj, load<f32>(gj) + s);
  }
  const out4 = nOut & ~3;
  const in4 = nIn & ~3;
  let j = 0;
  for (; j < out4; j += 4) {
    const g0 = G + <usize>j * rowIn;
    const g1 = g0 + rowIn, g2 = g1 + rowIn, g3 = g2 + rowIn;
    let i = 0;
    for (; i < in4; i += 4) {
      // A 4x4 block of dW accumulated over the chunk's rows in registers,
      // started from the first row's products (not 0 + them: an add per
      // weight per chunk fewer, a soft-float call each on rv32imc). The same
      // bits: 0 + y differs from y only for y = -0, and the block's sum is
      // added to a gradient that is never -0 (zeroed to +0 by the step).
      let pd = d + (<usize>j << 2);
      let px = x + (<usize>i << 2);
      const pdEnd = pd + <usize>rows * rowOut;
      let x0 = load<f32>(px), x1 = load<f32>(px, 4), x2 = load<f32>(px, 8), x3 = load<f32>(px, 12);
      let e = load<f32>(pd);
      let a00 = e * x0, a01 = e * x1, a02 = e * x2, a03 = e * x3;
      e = load<f32>(pd, 4);
      let a10 = e * x0, a11 = e * x1, a12 = e * x2, a13 = e * x3;
      e = load<f32>(pd, 8);
      let a20 = e * x0, a21 = e * x1, a22 = e * x2, a23 = e * x3;
      e = load<f32>(pd, 12);
      let a30 = e * x0, a31 = e * x1, a32 = e * x2, a33 = e * x3;
      pd += rowOut;
      px += rowIn;
      // The later rows' products with a zero delta left out (below a ReLU,
      // about half of a level's deltas are 0: four soft-float calls saved per
      // zero on rv32imc, and fewer instructions with an FPU too). Adding a
      // zero product changes a sum only in the sign of a zero, which the
      // gradient (+0 or nonzero) absorbs: the same bits. (Testing the
      // activations too would save as much again on rv32imc, but costs more
      // than it saves with an FPU: a branch per product.)
      while (pd < pdEnd) {
        x0 = load<f32>(px); x1 = load<f32>(px, 4); x2 = load<f32>(px, 8); x3 = load<f32>(px, 12);
        let eb = load<u32>(pd);
        if (!isZero(eb)) {
          e = reinterpret<f32>(eb);
          a00 += e * x0; a01 += e * x1; a02 += e * x2; a03 += e * x3;
        }
        eb = load<u32>(pd, 4);
        if (!isZero(eb)) {
          e = reinterpret<f32>(eb);
          a10 += e * x0; a11 += e * x1; a12 += e * x2; a13 += e * x3;
        }
        eb = load<u32>(pd, 8);
        if (!isZero(eb)) {
          e = reinterpret<f32>(eb);
          a20 += e * x0; a21 += e * x1; a22 += e * x2; a23 += e * x3;
        }
        eb = load<u32>(pd, 12);
        if (!isZero(eb)) {
          e = reinterpret<f32>(eb);
          a30 += e * x0; a31 += e * x1; a32 += e * x2; a33 += e * x3;
        }
        pd += rowOut;
        px += rowIn;
      }
      const o = <usize>i << 2;
      let q = g0 + o;
      store<f32>(q, load<f32>(q) + a00); store<f32>(q, load<f32>(q, 4) + a01, 4);
      store<f32>(q, load<f32>(q, 8) + a02, 8); store<f32>(q, load<f32>(q, 12) + a03, 12);
      q = g1 + o;
      store<f32>(q, load<f32>(q) + a10); store<f32>(q, load<f32>(q, 4) + a11, 4);
      store<f32>(q, load<f32>(q, 8) + a12, 8); store<f32>(q, load<f32>(q, 12) + a13, 12);
      q = g2 + o;
      store<f32>(q, load<f32>(q) + a20); store<f32>(q, load<f32>(q, 4) + a21, 4);
      store<f32>(q, load<f32>(q, 8) + a22, 8); store<f32>(q, load<f32>(q, 12) + a23, 12);
      q = g3 + o;
      store<f32>(q, load<f32>(q) + a30); store<f32>(q, load<f32>(q, 4) + a31, 4);
      store<f32>(q, load<f32>(q, 8) + a32, 8); store<f32>(q, load<f32>(q, 12) + a33, 12);
    }
    for (; i < nIn; i++) gradientCell(G, rowIn, rowOut, x, d, rows, j, i, 4);
  }
  for (; j < nOut; j++) for (let i = 0; i < nIn; i++) gradientCell(G, rowIn, rowOut, x, d, rows, j, i, 1);
}

/** Whether the f32 with these bits is +0 or -0 (an integer test: no soft-float compare). */
@inline function isZero(bits: u32): bool {
  return (bits << 1) == 0;
}

/** dW[j..j+n][i] += sum_r d[r][j..] x[r][i]: the edges the 4x4 blocks leave. */
function gradientCell(G: usize, rowIn: usize, rowOut: usize, x: usize, d: usize, rows: i32, j: i32, i: i32, n: i32): void {
  for (let k = 0; k < n; k++) {
    let s: f32 = 0;
    let px = x + (<usize>i << 2);
    let pd = d + (<usize>(j + k) << 2);
    for (let r = 0; r < rows; r++, px += rowIn, pd += rowOut) s += load<f32>(pd) * load<f32>(px);
    const q = G + <usize>(j + k) * rowIn + (<usize>i << 2);
    store<f32>(q, load<f32>(q) + s);
  }
}

function inputDeltas(W: usize, nIn: i32, nOut: i32, x: usize, d: usize, act: u8, rows: i32): void {
  const rowIn = <usize>nIn << 2;
  const rowOut = <usize>nOut << 2;
  const in4 = nIn & ~3;
  const wEnd = W + <usize>nOut * rowIn;
  let r = 0;
  // Two rows at a time: each W value loaded feeds two multiply-adds. Each
  // x[r][i] is last read for f'(x[r][i]) just before its delta replaces it.
  for (; r + 1 < rows; r += 2, x += rowIn << 1, d += rowOut << 1) {
    const x1 = x + rowIn;
    let i = 0;
    for (; i < in4; i += 4) {
      let a0: f32 = 0, a1: f32 = 0, a2: f32 = 0, a3: f32 = 0;
      let b0: f32 = 0, b1: f32 = 0, b2: f32 = 0, b3: f32 = 0;
      let pw = W + (<usize>i << 2);
      let pd = d;
      do {
        const e = load<f32>(pd), f = load<f32>(pd + rowOut);
        const w0 = load<f32>(pw), w1 = load<f32>(pw, 4), w2 = load<f32>(pw, 8), w3 = load<f32>(pw, 12);
        a0 += e * w0; a1 += e * w1; a2 += e * w2; a3 += e * w3;
        b0 += f * w0; b1 += f * w1; b2 += f * w2; b3 += f * w3;
        pd += 4;
        pw += rowIn;
      } while (pw < wEnd);
      const o = <usize>i << 2;
      chain4(act, x + o, a0, a1, a2, a3);
      chain4(act, x1 + o, b0, b1, b2, b3);
    }
    for (; i < nIn; i++) {
      chain1(act, x, i, columnDot(W, rowIn, wEnd, d, i));
      chain1(act, x1, i, columnDot(W, rowIn, wEnd, d + rowOut, i));
    }
  }
  for (; r < rows; r++, x += rowIn, d += rowOut) {
    for (let i = 0; i < nIn; i++) chain1(act, x, i, columnDot(W, rowIn, wEnd, d, i));
  }
}

/**
 * inputDeltas below a ReLU: dx[r][i] = sum_j d[r][j] W[j][i] where x[r][i] > 0,
 * else 0 (torch's threshold_backward), and the sum is only computed where it
 * is kept. On a soft-float board (rv32imc) each multiply-add is two library
 * calls, and about half of a ReLU level's units are off in any row, so this
 * halves the input deltas' cost; with an FPU the gathered columns cost about
 * what the 2x4 blocks of inputDeltas do for the work they skip.
 * The same gradients: the old s * f'(x) is s * 1 (exactly s) where the unit
 * passes and s * 0 (a zero of either sign) where not; a delta's zero sign
 * never reaches a gradient (every gradient sum starts from +0 or adds to the
 * +0 the optimizer leaves, and +0 + -0 = +0), nor do the dropped leading
 * "0 +" of each sum. (s * 0 was NaN for an infinite s: torch gives 0, as here.)
 */
function reluInputDeltas(W: usize, nIn: i32, nOut: i32, x: usize, d: usize, rows: i32): void {
  const rowIn = <usize>nIn << 2;
  const rowOut = <usize>nOut << 2;
  for (let r = 0; r < rows; r++, x += rowIn, d += rowOut) {
    const xe = x + rowIn;
    const dEnd = d + rowOut;
    let p0 = nextPassing(x, xe);
    // Four passing units at a time (gathered columns of W: each delta loaded feeds four multiply-adds).
    while (p0 < xe) {
      const p1 = nextPassing(p0 + 4, xe);
      if (p1 >= xe) { store<f32>(p0, reluColumnDot(W + (p0 - x), rowIn, d, dEnd)); break; }
      const p2 = nextPassing(p1 + 4, xe);
      if (p2 >= xe) {
        store<f32>(p0, reluColumnDot(W + (p0 - x), rowIn, d, dEnd));
        store<f32>(p1, reluColumnDot(W + (p1 - x), rowIn, d, dEnd));
        break;
      }
      const p3 = nextPassing(p2 + 4, xe);
      if (p3 >= xe) {
        store<f32>(p0, reluColumnDot(W + (p0 - x), rowIn, d, dEnd));
        store<f32>(p1, reluColumnDot(W + (p1 - x), rowIn, d, dEnd));
        store<f32>(p2, reluColumnDot(W + (p2 - x), rowIn, d, dEnd));
        break;
      }
      let w0 = W + (p0 - x), w1 = W + (p1 - x), w2 = W + (p2 - x), w3 = W + (p3 - x);
      let pd = d;
      let e = load<f32>(pd);
      let a0 = e * load<f32>(w0), a1 = e * load<f32>(w1), a2 = e * load<f32>(w2), a3 = e * load<f32>(w3);
      for (pd += 4; pd < dEnd; pd += 4) {
        w0 += rowIn; w1 += rowIn; w2 += rowIn; w3 += rowIn;
        e = load<f32>(pd);
        a0 += e * load<f32>(w0); a1 += e * load<f32>(w1); a2 += e * load<f32>(w2); a3 += e * load<f32>(w3);
      }
      store<f32>(p0, a0); store<f32>(p1, a1); store<f32>(p2, a2); store<f32>(p3, a3);
      p0 = nextPassing(p3 + 4, xe);
    }
  }
}

/** The first unit at or after p whose ReLU passes gradient (or xe); the units passed over get delta +0. */
@inline function nextPassing(p: usize, xe: usize): usize {
  while (p < xe && !reluPasses(load<u32>(p))) { store<u32>(p, 0); p += 4; }
  return p;
}

/** sum_j d[j] W[j][i] for the column starting at w, without a leading 0 + (nOut >= 1). */
function reluColumnDot(w: usize, rowIn: usize, d: usize, dEnd: usize): f32 {
  let acc = load<f32>(d) * load<f32>(w);
  for (let pd = d + 4; pd < dEnd; pd += 4) { w += rowIn; acc += load<f32>(pd) * load<f32>(w); }
  return acc;
}

/** sum_j d[j] W[j][i]: one column of W against one row of deltas. */
@inline function columnDot(W: usize, rowIn: usize, wEnd: usize, d: usize, i: i32): f32 {
  let acc: f32 = 0;
  let pd = d;
  for (let pw = W + (<usize>i << 2); pw < wEnd; pw += rowIn, pd += 4) acc += load<f32>(pd) * load<f32>(pw);
  return acc;
}

/** p[k] = s_k f'(p[k]) for four neighbours: the chain rule through the activation below. */
@inline function chain4(act: u8, p: usize, s0: f32, s1: f32, s2: f32, s3: f32): void {
  store<f32>(p, s0 * derivativeAt(act, load<f32>(p)));
  store<f32>(p, s1 * derivativeAt(act, load<f32>(p, 4)), 4);
  store<f32>(p, s2 * derivativeAt(act, load<f32>(p, 8)), 8);
  store<f32>(p, s3 * derivativeAt(act, load<f32>(p, 12)), 12);
}

@inline function chain1(act: u8, row: usize, i: i32, s: f32): void {
  const p = row + (<usize>i << 2);
  store<f32>(p, s * derivativeAt(act, load<f32>(p)));
}
