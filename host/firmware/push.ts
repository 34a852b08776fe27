// Pushing a model to a board over the serial protocol: HELLO, the board's
// present configuration read back (GET_WEIGHTS region CONFIG) so that what
// the push does not set keeps the board's value (its sample store, its
// chunk), CONFIGURE, the input statistics of a model that normalises, and
// SET_WEIGHTS. A firmware on the training API notices (the module counts a
// host's model writes: edgeprop_host_changed) and takes the model over
// (edgeprop_adopt), as the OnDeviceLearning example does to fine-tune a
// model trained on a PC on its own readings.
import type { RunConfig } from "../model/config.js";
import { decodeShape, encodeConfig } from "../protocol/config-block.js";
import { ProtocolBoard } from "../protocol/protocol-board.js";
import { BoardError, Status } from "../protocol/status.js";
import type { PipelineOptions } from "../protocol/pipeline.js";
import type { ByteLink } from "../transports/byte-link.js";
import type { BoardInfo } from "../boards/board.js";
import type { Plan } from "../model/plan.js";
import { UsageError } from "../errors.js";

/** What the push sets; `storeRows` and `chunk` left undefined keep the board's (0 and the run's chunk on a board with no model). */
export interface PushRequest {
  run: Omit<RunConfig, "storeRows" | "chunk"> & { storeRows?: number; chunk?: number };
  weights: Float32Array;
  normalization?: { mean: number[]; std: number[] };
}

export interface PushResult {
  info: BoardInfo;
  plan: Plan;
  /** The configuration the board now holds. */
  run: RunConfig;
  /** The settings taken over from the board's previous model, by name. */
  kept: string[];
}

/** The board's configuration block, or null if it holds no model. */
async function currentBlock(board: ProtocolBoard): Promise<Uint8Array | null> {
  try {
    return await board.getConfigBlock();
  } catch (err) {
    if (err instanceof BoardError && err.status === Status.NOT_CONFIGURED) return null;
    throw err;
  }
}

export async function pushModel(link: ByteLink, req: PushRequest, fallbackChunk: number, o: PipelineOptions = {}): Promise<PushResult> {
  const board = new ProtocolBoard(link, o);
  const info = await board.hello();
  const block = await currentBlock(board);
  const before = block ? decodeShape(block) : null;
  const kept: string[] = [];
  let storeRows = req.run.storeRows, chunk = req.run.chunk;
  if (storeRows === undefined) {
    storeRows = before?.storeRows ?? 0;
    if (before) kept.push(`sample store ${storeRows} rows`);
  }
  if (chunk === undefined) {
    chunk = before?.chunk ?? fallbackChunk;
    if (before) kept.push(`chunk ${chunk}`);
  }
  const run: RunConfig = { ...req.run, storeRows, chunk, normalizeInputs: req.normalization !== undefined };
  const plan = await board.configure(encodeConfig(run)).catch((err: unknown) => {
    // The board's own verdict on the model (too big for its memory, a field it refuses): the user's input, exit 2.
    if (err instanceof BoardError && (err.status === Status.TOO_BIG || err.status === Status.BAD_CONFIG)) {
      throw new UsageError(`the board refused the model: ${err.message}`);
    }
    throw err;
  });
  if (req.normalization) await board.setInputStats(Float32Array.from(req.normalization.mean), Float32Array.from(req.normalization.std));
  await board.setWeights(req.weights);
  return { info, plan, run, kept };
}
