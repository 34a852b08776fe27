// A dense layer y = x W^T + b over a chunk of rows, W stored [out][in] like
// torch's nn.Linear, and its backward pass by the chain rule.
//
// The loops are shaped for two engines at once: V8's JIT and the wasm3
// interpreter, which pays per instruction. Four outputs are computed together
// so each input value is loaded once per four multiply-adds, with four
// independent accumulators (no long add chain), and all addressing is a base
// pointer plus constant offsets folded into the load/store immediates.

import { chainRow } from "./activation";

/** out[r][j] = b[j] + sum_i W[j][i] * x[r][i] for rows r < rows. */
export function denseForward(W: usize, nIn: i32, nOut: i32, x: usize, y: usize, rows: i32): void {
  const rowIn = <usize>nIn << 2;
  const b = W + (<usize>(nIn * nOut) << 2);
  const xEnd = x + <usize>rows * rowIn;
  const out4 = nOut & ~3;
  for (; x < xEnd; x += rowIn) {
    const xe = x + rowIn;
    let w = W;
    let j = 0;
    for (; j < out4; j += 4) {
      const w1 = w + rowIn, w2 = w1 + rowIn, w3 = w2 + rowIn;
      let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0, s3: f32 = 0;
      let p = x, q: usize = 0;
      for (; p < xe; p += 4, q += 4) {
        const xi = load<f32>(p);
        s0 += load<f32>(w + q) * xi;
        s1 += load<f32>(w1 + q) * xi;
        s2 += load<f32>(w2 + q) * xi;
        s3 += load<f32>(w3 + q) * xi;
      }
      const bj = b + (<usize>j << 2);
      store<f32>(y, s0 + load<f32>(bj));
      store<f32>(y, s1 + load<f32>(bj, 4), 4);
      store<f32>(y, s2 + load<f32>(bj, 8), 8);
      store<f32>(y, s3 + load<f32>(bj, 12), 12);
      y += 16;
      w = w3 + rowIn;
    }
    for (; j < nOut; j++) {
      let s: f32 = 0;
      for (let p = x, q = w; p < xe; p += 4, q += 4) s += load<f32>(q) * load<f32>(p);
      store<f32>(y, s + load<f32>(b + (<usize>j << 2)));
      y += 4;
      w += rowIn;
    }
  }
}

/**
 * Accumulates dL/dW and dL/db from the chunk's output deltas d[r][j], and,
 * when dx != 0, writes the input deltas through the activation below:
 * dx[r][i] = f'(x[r][i]) * sum_j d[r][j] W[j][i].
 * dx may alias x: each row of x is used in full (gathered in the one-row
 * scratch buffer) before its dx row is written.
 */
export function denseBackward(
  W: usize, G: usize, nIn: i32, nOut: i32,
  x: usize, d: usize, dx: usize, actBelow: u8, scratch: usize, rows: i32,
): void {
  const rowIn = <usize>nIn << 2;
  const gb = G + (<usize>(nIn * nOut) << 2);
  const out4 = nOut & ~3;
  const sEnd = scratch + rowIn;
  for (let r = 0; r < rows; r++) {
    const xe = x + rowIn;
    if (dx) for (let s = scratch; s < sEnd; s += 4) store<f32>(s, 0);
    let w = W, g = G;
    let j = 0;
    for (; j < out4; j += 4) {
      const d0 = load<f32>(d), d1 = load<f32>(d, 4), d2 = load<f32>(d, 8), d3 = load<f32>(d, 12);
      const gj = gb + (<usize>j << 2);
      store<f32>(gj, load<f32>(gj) + d0);
      store<f32>(gj, load<f32>(gj, 4) + d1, 4);
      store<f32>(gj, load<f32>(gj, 8) + d2, 8);
      store<f32>(gj, load<f32>(gj, 12) + d3, 12);
      const g1 = g + rowIn, g2 = g1 + rowIn, g3 = g2 + rowIn;
      if (dx) {
        const w1 = w + rowIn, w2 = w1 + rowIn, w3 = w2 + rowIn;
        let q: usize = 0;
        for (let p = x; p < xe; p += 4, q += 4) {
          const xi = load<f32>(p);
          store<f32>(g + q, load<f32>(g + q) + d0 * xi);
          store<f32>(g1 + q, load<f32>(g1 + q) + d1 * xi);
          store<f32>(g2 + q, load<f32>(g2 + q) + d2 * xi);
          store<f32>(g3 + q, load<f32>(g3 + q) + d3 * xi);
          const s = scratch + q;
          store<f32>(s, load<f32>(s) + d0 * load<f32>(w + q) + d1 * load<f32>(w1 + q)
            + d2 * load<f32>(w2 + q) + d3 * load<f32>(w3 + q));
        }
        w = w3 + rowIn;
      } else {
        let q: usize = 0;
        for (let p = x; p < xe; p += 4, q += 4) {
          const xi = load<f32>(p);
          store<f32>(g + q, load<f32>(g + q) + d0 * xi);
          store<f32>(g1 + q, load<f32>(g1 + q) + d1 * xi);
          store<f32>(g2 + q, load<f32>(g2 + q) + d2 * xi);
          store<f32>(g3 + q, load<f32>(g3 + q) + d3 * xi);
        }
      }
      g = g3 + rowIn;
      d += 16;
    }
    for (; j < nOut; j++) {
      const dj = load<f32>(d);
      const gj = gb + (<usize>j << 2);
      store<f32>(gj, load<f32>(gj) + dj);
      let q: usize = 0;
      for (let p = x; p < xe; p += 4, q += 4) {
        store<f32>(g + q, load<f32>(g + q) + dj * load<f32>(p));
        if (dx) store<f32>(scratch + q, load<f32>(scratch + q) + dj * load<f32>(w + q));
      }
      g += rowIn;
      w += rowIn;
      d += 4;
    }
    if (dx) {
      chainRow(actBelow, x, scratch, dx, nIn);
      dx += rowIn;
    }
    x = xe;
  }
}
