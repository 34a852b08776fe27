#!/usr/bin/env node
// TensorFlow.js peer: the same network trained with model.fit.
//   node bench/peers/tfjs.mjs --workload P2 --runs 5 [--warmup 1] [--quick] --backend cpu|wasm
// tf.sequential of dense layers (ReLU hidden, linear last), kernel and bias
// init randomUniform(+-1/sqrt(fan_in)); loss tf.losses.softmaxCrossEntropy on
// one-hot labels (mean over batch) or tf.losses.meanSquaredError (mean over
// batch x outputs); tf.train.adam(lr, .9, .999, 1e-8) / tf.train.sgd(lr);
// batchSize = workload batch, shuffle false, verbose 0. Timed: model.fit only.
// Note: tf.train.adam folds eps in as lr_t*m/(sqrt(v)+eps) with
// lr_t = lr*sqrt(1-b2^t)/(1-b1^t), i.e. eps sits outside the sqrt(bc2) scaling
// (torch: inside); with eps = 1e-8 the difference is negligible.
//
// stdout carries only the JSON line: console.log/info/warn/debug are routed to
// stderr before TensorFlow.js is loaded (it greets Node users with a banner).
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { makeData } from '../workloads.mjs';
import { parseCli, nowSec, emit, result } from './common.mjs';

for (const k of ['log', 'info', 'warn', 'debug']) console[k] = (...a) => console.error(...a);

const cli = parseCli();
const w = cli.w;
const backend = cli.backend;
if (backend !== 'cpu' && backend !== 'wasm') throw new Error(`--backend must be cpu or wasm, got ${backend}`);
const tool = `tfjs-${backend}`;

const tf = await import('@tensorflow/tfjs');
let threads, simd;
if (backend === 'wasm') {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // The package ships the .wasm binaries in dist/; in Node the emscripten
  // loader reads them with fs, so a plain absolute directory path (trailing
  // slash) works offline.
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/';
  wasm.setWasmPaths(dist);
  if (typeof wasm.setThreadsCount === 'function') wasm.setThreadsCount(1);
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new Error('could not initialise the wasm backend');
  await tf.ready();
  threads = typeof wasm.getThreadsCount === 'function' ? wasm.getThreadsCount() : undefined;
  simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
} else {
  await tf.setBackend('cpu');
  await tf.ready();
}
if (tf.getBackend() !== backend) throw new Error(`backend is ${tf.getBackend()}, wanted ${backend}`);

const nIn = w.layers[0];
const nOut = w.layers[w.layers.length - 1];
const data = makeData(w, cli.seed);
const xs = tf.tensor2d(data.x, [w.rows, nIn]);
const ys = w.loss === 'ce'
  ? tf.tidy(() => tf.oneHot(tf.tensor1d(data.y, 'int32'), nOut).toFloat())
  : tf.tensor2d(data.y, [w.rows, nOut]);

function buildModel(seed) {
  const model = tf.sequential();
  for (let l = 0; l + 1 < w.layers.length; l++) {
    const fanIn = w.layers[l];
    const k = 1 / Math.sqrt(fanIn);
    const last = l + 2 === w.layers.length;
    model.add(tf.layers.dense({
      units: w.layers[l + 1],
      inputShape: l === 0 ? [fanIn] : undefined,
      activation: last || w.act !== 'relu' ? 'linear' : 'relu',
      kernelInitializer: tf.initializers.randomUniform({ minval: -k, maxval: k, seed: seed * 31 + 2 * l }),
      biasInitializer: tf.initializers.randomUniform({ minval: -k, maxval: k, seed: seed * 31 + 2 * l + 1 }),
    }));
  }
  const optimizer = w.optimizer.name === 'adam'
    ? tf.train.adam(w.optimizer.lr, 0.9, 0.999, 1e-8)
    : tf.train.sgd(w.optimizer.lr);
  const loss = w.loss === 'ce'
    ? (yTrue, yPred) => tf.losses.softmaxCrossEntropy(yTrue, yPred)
    : (yTrue, yPred) => tf.losses.meanSquaredError(yTrue, yPred);
  model.compile({ optimizer, loss });
  return model;
}

const runs = [];
let firstLoss = 0, finalLoss = 0;
for (let r = 0; r < cli.warmup + cli.runs; r++) {
  const model = buildModel(12345 + r);
  const t0 = nowSec();
  const h = await model.fit(xs, ys, { batchSize: w.batch, epochs: cli.epochs, shuffle: false, verbose: 0 });
  const t1 = nowSec();
  firstLoss = h.history.loss[0];
  finalLoss = h.history.loss[h.history.loss.length - 1];
  if (r >= cli.warmup) runs.push((w.rows * cli.epochs) / (t1 - t0));
  model.optimizer.dispose();
  model.dispose();
}
const extra = { backend: tf.getBackend(), first_loss: +Number(firstLoss).toPrecision(9), final_loss: +Number(finalLoss).toPrecision(9) };
if (threads !== undefined) extra.threads = threads;
if (simd !== undefined) extra.simd = simd;
emit(result(tool, cli, runs, extra));
