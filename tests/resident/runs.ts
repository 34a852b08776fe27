// A golden case trained two ways on a board: streamed (session.ts's runSession,
// the host permuting and sending every row of every epoch) and resident (the
// rows uploaded once to the board's sample store, each epoch one TRAIN_STORE
// per batch, the order computed on the board), with the same epoch loop around
// both: the lr set per epoch from the schedule, per-batch lrs for OneCycleLR,
// each epoch's loss the sum of its batches' loss sums over the rows.
import type { Board } from "../../host/boards/board";
import { parseArgs } from "../../host/cli/args";
import { SIM_OPTIONS } from "../../host/commands/sim";
import { type PreparedRun } from "../../host/run/training-run";
import { prepareRun } from "../../host/cli/run-options";
import { encodeConfig } from "../../host/protocol/config-block";
import { runSession } from "../../host/run/session";
import { LrSchedule } from "../../host/run/schedule";
import { residentConfig, residentEpoch, uploadResident } from "../../host/run/resident-epoch";
import { caseArgs, type GoldenCase } from "../helpers/golden";

export interface Trained {
  weights: Float32Array;
  losses: number[];
  bytesSent: number;
}

/** The case's run as `sim` would prepare it; `maxEpochs` caps its epochs (a slow board's budget). */
export function prepareCase(c: GoldenCase, maxEpochs = Infinity): PreparedRun {
  const p = prepareRun(parseArgs(caseArgs(c), SIM_OPTIONS, "sim"));
  return { ...p, settings: { ...p.settings, epochs: Math.min(p.settings.epochs, maxEpochs) } };
}

export async function streamed(board: Board, p: PreparedRun, shuffle: boolean): Promise<Trained> {
  const { settings, data } = p;
  await board.configure(encodeConfig(settings.run));
  if (p.loaded) await board.setWeights(p.loaded.weights);
  const sent0 = board.stats().bytesSent;
  const r = await runSession(board, data, {
    epochs: settings.epochs, batch: settings.batch, chunk: settings.run.chunk, shuffle, seed: settings.run.seed,
    lr: settings.run.optimizer.lr, schedule: settings.schedule,
  });
  return { weights: await board.getWeights(), losses: r.history.map((h) => h.loss), bytesSent: board.stats().bytesSent - sent0 };
}

export async function resident(board: Board, p: PreparedRun, shuffle: boolean): Promise<Trained> {
  const { settings, data } = p;
  await board.configure(encodeConfig(residentConfig(settings.run, data.rows)));
  if (p.loaded) await board.setWeights(p.loaded.weights);
  const sent0 = board.stats().bytesSent;
  await uploadResident(board, data);
  const batches = Math.ceil(data.rows / Math.max(1, Math.min(settings.batch, data.rows)));
  const schedule = new LrSchedule(settings.schedule, settings.run.optimizer.lr, batches, settings.epochs);
  const losses: number[] = [];
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    await board.setLr(schedule.lrFor(epoch, 0));
    const lrs = schedule.perBatch ? Array.from({ length: batches }, (_, b) => schedule.lrFor(epoch, b)) : undefined;
    const results = await residentEpoch(board, { rows: data.rows, batch: settings.batch, epoch, shuffle, lrs });
    if (results.length !== batches || results.some((r) => r.status !== 0)) throw new Error(`epoch ${epoch + 1}: ${JSON.stringify(results.map((r) => r.status))}`);
    const loss = results.reduce((a, r) => a + r.lossSum, 0) / data.rows;
    losses.push(loss);
    schedule.endEpoch(loss);
  }
  return { weights: await board.getWeights(), losses, bytesSent: board.stats().bytesSent - sent0 };
}
