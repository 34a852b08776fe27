// Data resident on the board (--resident): the rows go to the board's sample
// store once, then every epoch is one TRAIN_STORE per batch, shuffled on the
// board with the host's seeded generator, so the run equals streaming the same
// rows in the same order bit for bit while the line carries a few bytes per
// batch instead of every row of every epoch.
//
// How a session uses it (session.ts keeps its epoch loop, schedule and checks):
//   config:       residentConfig(run, data.rows) before encodeConfig (the plan then holds the store;
//                 a data set that does not fit is refused TOO_BIG at configure, with the numbers)
//   before epoch 1: await uploadResident(board, data)
//   each epoch:   results = await residentEpoch(board, { rows: data.rows, batch, epoch, shuffle, lrs, onBatch })
//                 in place of board.train({...}) on rows the host permuted (no permutation needed).
import type { BatchResult, Board, StoreInfo, StoredTrainJob } from "../boards/board.js";
import type { RunConfig } from "../model/config.js";
import type { Dataset } from "../data/dataset.js";
import { UsageError } from "../errors.js";

/** The run's configuration with a sample store for `rows` rows. */
export function residentConfig(run: RunConfig, rows: number): RunConfig {
  return { ...run, storeRows: rows };
}

/**
 * Empties the board's store and uploads every row of `data`. A data set over
 * the store's capacity is refused (exit 2) before any row is sent, with the
 * numbers; a store that does not then hold every row is a board fault.
 */
export async function uploadResident(board: Board, data: Pick<Dataset, "x" | "t" | "rows" | "nIn" | "nT">): Promise<StoreInfo> {
  // A STORE of no rows (CLEAR) empties the store and says how large it is.
  const empty = await board.storeRows(data.x, data.t, 0, data.nIn, data.nT, { clear: true });
  if (data.rows > empty.capacity) {
    throw new UsageError(`the data set has ${data.rows} rows, the board's sample store holds ${empty.capacity}: ` +
      "configure it with storeRows at least the data set's rows (--resident does)");
  }
  const info = await board.storeRows(data.x, data.t, data.rows, data.nIn, data.nT);
  if (info.held !== data.rows) throw new Error(`the board's sample store holds ${info.held} rows after an upload of ${data.rows}`);
  return info;
}

/** One resident epoch: the stored rows, cut into batches as TrainJob's (Board's StoredTrainJob). */
export type ResidentEpoch = StoredTrainJob;

/** One epoch on the stored rows: the BatchResult[] board.train would give for the same rows in the same order. */
export function residentEpoch(board: Board, e: ResidentEpoch): Promise<BatchResult[]> {
  return board.trainStored({ rows: e.rows, batch: Math.max(1, Math.min(e.batch, e.rows)), epoch: e.epoch, shuffle: e.shuffle, lrs: e.lrs, onBatch: e.onBatch });
}
