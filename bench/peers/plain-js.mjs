#!/usr/bin/env node
// Plain JavaScript trainer of the benchmark workloads: the same math as
// bench/peers/plain.c, written directly over Float32Arrays with straightforward
// loops (dense y = x W^T + b with W [out][in], ReLU hidden, softmax CE / MSE,
// backprop, torch.optim SGD / Adam, consecutive batches with the partial last
// batch kept, init uniform +-1/sqrt(fan_in) from mulberry32 seeded like plain.c).
//   node bench/peers/plain-js.mjs --workload P2 --runs 5 [--warmup 1] [--quick]
import { makeData, mulberry32, uniform01 } from '../workloads.mjs';
import { parseCli, nowSec, emit, result } from './common.mjs';

function makeNet(w) {
  const sz = w.layers;
  const nl = sz.length - 1;
  const net = {
    sz, nl, relu: w.act === 'relu', ce: w.loss === 'ce', adam: w.optimizer.name === 'adam', lr: w.optimizer.lr,
    W: [], B: [], gW: [], gB: [], mW: [], mB: [], vW: [], vB: [], act: [], dlt: [], t: 0,
  };
  for (let l = 0; l < nl; l++) {
    const n = sz[l] * sz[l + 1];
    for (const k of ['W', 'gW', 'mW', 'vW']) net[k].push(new Float32Array(n));
    for (const k of ['B', 'gB', 'mB', 'vB']) net[k].push(new Float32Array(sz[l + 1]));
  }
  for (let l = 0; l <= nl; l++) {
    net.act.push(l === 0 ? null : new Float32Array(w.batch * sz[l]));
    net.dlt.push(new Float32Array(w.batch * sz[l]));
  }
  return net;
}

function initParams(net, seed) {
  const next = mulberry32(seed);
  for (let l = 0; l < net.nl; l++) {
    const k = 1 / Math.sqrt(net.sz[l]);
    const W = net.W[l], B = net.B[l];
    for (let i = 0; i < W.length; i++) W[i] = (2 * uniform01(next) - 1) * k;
    for (let i = 0; i < B.length; i++) B[i] = (2 * uniform01(next) - 1) * k;
    net.mW[l].fill(0); net.vW[l].fill(0); net.mB[l].fill(0); net.vB[l].fill(0);
  }
  net.t = 0;
}

// One batch: rows [start, start+n) of x/y. Returns the batch loss.
function trainBatch(net, x, y, start, n) {
  const { sz, nl, act, dlt } = net;
  const nIn = sz[0], nOut = sz[nl];
  let loss = 0;

  // forward
  for (let l = 0; l < nl; l++) {
    const inp = l === 0 ? x : act[l];
    const base = l === 0 ? start * nIn : 0;
    const inN = sz[l], outN = sz[l + 1];
    const W = net.W[l], B = net.B[l], out = act[l + 1];
    const hidden = l < nl - 1 && net.relu;
    for (let s = 0; s < n; s++) {
      const xo = base + s * inN, yo = s * outN;
      for (let o = 0; o < outN; o++) {
        const wo = o * inN;
        let sum = B[o];
        for (let i = 0; i < inN; i++) sum += W[wo + i] * inp[xo + i];
        if (hidden && sum < 0) sum = 0;
        out[yo + o] = sum;
      }
    }
  }

  // loss and gradient w.r.t. logits / outputs
  const z = act[nl], d = dlt[nl];
  if (net.ce) {
    for (let s = 0; s < n; s++) {
      const zo = s * nOut;
      const label = y[start + s] | 0;
      let mx = z[zo];
      for (let o = 1; o < nOut; o++) if (z[zo + o] > mx) mx = z[zo + o];
      let sum = 0;
      for (let o = 0; o < nOut; o++) { const e = Math.exp(z[zo + o] - mx); d[zo + o] = e; sum += e; }
      loss += Math.log(sum) - (z[zo + label] - mx);
      for (let o = 0; o < nOut; o++) d[zo + o] = (d[zo + o] / sum - (o === label ? 1 : 0)) / n;
    }
    loss /= n;
  } else {
    const cnt = n * nOut, scale = 2 / cnt, yo = start * nOut;
    for (let i = 0; i < cnt; i++) {
      const e = z[i] - y[yo + i];
      loss += e * e;
      d[i] = scale * e;
    }
    loss /= cnt;
  }

  // backward
  for (let l = nl - 1; l >= 0; l--) {
    const inp = l === 0 ? x : act[l];
    const base = l === 0 ? start * nIn : 0;
    const inN = sz[l], outN = sz[l + 1];
    const W = net.W[l], gW = net.gW[l], gB = net.gB[l], dOut = dlt[l + 1];
    gW.fill(0); gB.fill(0);
    for (let s = 0; s < n; s++) {
      const xo = base + s * inN, dOff = s * outN;
      for (let o = 0; o < outN; o++) {
        const g = dOut[dOff + o], wo = o * inN;
        gB[o] += g;
        for (let i = 0; i < inN; i++) gW[wo + i] += g * inp[xo + i];
      }
    }
    if (l > 0) {
      const dPrev = dlt[l], a = act[l];
      for (let s = 0; s < n; s++) {
        const dOff = s * outN, po = s * inN;
        for (let i = 0; i < inN; i++) dPrev[po + i] = 0;
        for (let o = 0; o < outN; o++) {
          const g = dOut[dOff + o], wo = o * inN;
          for (let i = 0; i < inN; i++) dPrev[po + i] += g * W[wo + i];
        }
        if (net.relu) for (let i = 0; i < inN; i++) if (a[po + i] <= 0) dPrev[po + i] = 0;
      }
    }
  }

  // update
  if (net.adam) {
    const b1 = 0.9, b2 = 0.999, eps = 1e-8;
    net.t++;
    const step = net.lr / (1 - Math.pow(b1, net.t));
    const sbc2 = Math.sqrt(1 - Math.pow(b2, net.t));
    for (let l = 0; l < nl; l++) {
      for (let k = 0; k < 2; k++) {
        const p = k ? net.B[l] : net.W[l], g = k ? net.gB[l] : net.gW[l];
        const m = k ? net.mB[l] : net.mW[l], v = k ? net.vB[l] : net.vW[l];
        for (let i = 0; i < p.length; i++) {
          m[i] = b1 * m[i] + (1 - b1) * g[i];
          v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
          p[i] -= step * m[i] / (Math.sqrt(v[i]) / sbc2 + eps);
        }
      }
    }
  } else {
    const lr = net.lr;
    for (let l = 0; l < nl; l++) {
      const W = net.W[l], gW = net.gW[l], B = net.B[l], gB = net.gB[l];
      for (let i = 0; i < W.length; i++) W[i] -= lr * gW[i];
      for (let i = 0; i < B.length; i++) B[i] -= lr * gB[i];
    }
  }
  return loss;
}

const cli = parseCli();
const w = cli.w;
const { x, y } = makeData(w, cli.seed);
const net = makeNet(w);
const runs = [];
let firstLoss = 0, finalLoss = 0;
for (let r = 0; r < cli.warmup + cli.runs; r++) {
  initParams(net, (12345 + r) >>> 0); // same init seeds as plain.c
  const t0 = nowSec();
  for (let e = 0; e < cli.epochs; e++) {
    let sum = 0;
    for (let start = 0; start < w.rows; start += w.batch) {
      const n = Math.min(w.batch, w.rows - start);
      sum += trainBatch(net, x, y, start, n) * n;
    }
    if (e === 0) firstLoss = sum / w.rows;
    finalLoss = sum / w.rows;
  }
  const t1 = nowSec();
  if (r >= cli.warmup) runs.push((w.rows * cli.epochs) / (t1 - t0));
}
emit(result('plain-js', cli, runs, { first_loss: +firstLoss.toPrecision(9), final_loss: +finalLoss.toPrecision(9) }));
