// Training from the sample store: one optimizer step over rows
// order[first .. first + rows) of the epoch's order (store.ts), exactly what
// one batch of BATCH frames carrying those rows does. The rows are staged a
// chunk at a time at level 0 and the targets, as BATCH stages them (raw: the
// engine normalises staged rows itself when the model says so), and the
// chunk that ends the batch steps the optimizer. So training from the store
// and streaming the same rows in the same order give the same bits.
import { C_CHUNK, cfgU16, width } from "./config";
import { grads, level, targets, zero } from "./arena";
import { planGrads, targetColumns } from "./plan";
import * as network from "./network";
import * as optimizer from "./optim/optimizer";
import { Status } from "./status";
import { capacity, held, orderRows, rowAtWith, startEpoch, storeOrder } from "./store";

/** The most rows one step takes: BATCH_REPLY's row count is a u16. */
export const MAX_STEP_ROWS: u32 = 0xffff;

/** What a refused step's status refers to (BAD_ROWS: the rows; BAD_RANGE: the first position, 0 without a store). */
export let stepDetail: u32 = 0;
/** The step's loss: the sum over its chunks of their loss sums, in order (as the host sums BATCH replies). */
export let stepLossSum: f64 = 0;
/** The optimizer stepped (every chunk trained). */
export let stepped = false;
/** The step was refused before anything changed (NOT_CONFIGURED, BAD_RANGE, BAD_ROWS), not failed in training. */
export let stepRefused = false;

/**
 * One optimizer step over order[first .. first + rows). `newEpoch`: first
 * compute the epoch's order of the rows held (the seeded shuffle of `epoch`
 * when `shuffle`, else 0..held-1); `setStep`: set the optimizer's step count
 * to `step` first (replay after a restart). Checks everything before it
 * changes anything; a step that fails part way leaves no partial gradients.
 */
export function trainStoredStep(first: u32, rows: u32, newEpoch: bool, epoch: u32, shuffle: bool,
  setStep: bool, step: u32): i32 {
  stepDetail = 0;
  stepLossSum = 0;
  stepped = false;
  stepRefused = true;
  if (!network.configured) return Status.NOT_CONFIGURED;
  if (capacity == 0) return Status.BAD_RANGE;
  if (rows == 0 || rows > MAX_STEP_ROWS) { stepDetail = rows; return Status.BAD_ROWS; }
  // Without START_EPOCH the order must be one computed since the store last changed.
  const covered = newEpoch ? held : orderRows;
  if (<u64>first + <u64>rows > <u64>covered) { stepDetail = first; return Status.BAD_RANGE; }
  stepRefused = false;
  if (newEpoch) startEpoch(epoch, shuffle);
  if (setStep) optimizer.stepCount = <i32>step;
  const chunk = <u32>cfgU16(C_CHUNK);
  let status = Status.OK;
  let done: u32 = 0;
  while (done < rows && status == Status.OK) {
    const n = min(chunk, rows - done);
    stageRows(first + done, n);
    done += n;
    status = network.trainChunk(<i32>n, done == rows);
    stepLossSum += network.lastLossSum;
  }
  if (status != Status.OK) {
    // A failed chunk leaves the batch's gradients half accumulated: drop them.
    zero(grads, grads + <usize>planGrads);
    network.batchRows = 0;
    return status;
  }
  stepped = true;
  return Status.OK;
}

/**
 * Copies `n` rows from position `from` of the epoch's order to level 0 and
 * the targets. The widths and the row's size are read once per chunk, not
 * per row (this is the per-row cost of training from the store).
 */
function stageRows(from: u32, n: u32): void {
  const nIn = width(0);
  const nT = targetColumns();
  const rowBytes = <usize>(nIn + nT) << 2;
  let x = level(0);
  let t = targets;
  let order = storeOrder + (<usize>from << 2);
  const orderEnd = order + (<usize>n << 2);
  for (; order < orderEnd; order += 4) {
    let src = rowAtWith(load<u32>(order), rowBytes);
    const inEnd = src + (<usize>nIn << 2);
    for (; src < inEnd; src += 4, x += 4) store<u32>(x, load<u32>(src));
    const tEnd = inEnd + (<usize>nT << 2);
    for (; src < tEnd; src += 4, t += 4) store<u32>(t, load<u32>(src));
  }
}
