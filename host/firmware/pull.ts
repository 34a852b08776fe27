// Pulling the model a board holds over the serial protocol, without changing
// it: HELLO, the configuration block (GET_WEIGHTS region CONFIG), the
// parameters and any input statistics with GET_WEIGHTS, then HELLO again. A
// board that trained (or restarted) while its weights were read is read
// again: the weights come from one step. Any firmware serves it: the plain
// pump as well as one running the training API (the module answers).
import { readRegion } from "../protocol/read-region.js";
import { paramCount, type ModelConfig } from "../model/config.js";
import { LinkError } from "../errors.js";
import {
  Region, decodeConfigBlockReply, decodeHelloReply, encodeGetConfigBlock,
  encodeHello, replyPayload, type HelloReply,
} from "../protocol/codec.js";
import { CONFIG_BYTES_OF_VERSION, ConfigOffset, InputFlag } from "../protocol/config-block.js";
import { Type } from "../protocol/frame.js";
import { BoardError, Status } from "../protocol/status.js";
import { Pipeline, RebootError, type PipelineOptions } from "../protocol/pipeline.js";
import type { ByteLink } from "../transports/byte-link.js";
import { MalformedMessageError } from "../protocol/message-error.js";
import { modelOfBlock } from "./model-of-block.js";

/** Reads of a board that keeps stepping before pull gives up. */
export const MAX_PULL_ATTEMPTS = 5;

export interface PulledModel {
  model: ModelConfig;
  weights: Float32Array;
  /** The configuration block the board holds (as long as its version's block: 128 bytes for version 1). */
  block: Uint8Array;
  /** The optimizer's step count the weights are from. */
  step: number;
  bootId: number;
  buildId: number;
  /** The input statistics of a model that normalises its inputs (config byte 145), as the model file carries them. */
  normalization?: { mean: number[]; std: number[] };
}

/** The module z-scores this model's inputs with statistics it holds. */
const normalizes = (block: Uint8Array) => (block[ConfigOffset.INPUT_FLAGS] & InputFlag.NORMALIZE) !== 0;

/** mean[nIn] then std[nIn]: region INPUT_STATS of GET_WEIGHTS. */
async function readInputStats(pipe: Pipeline, nIn: number): Promise<{ mean: number[]; std: number[] }> {
  const stats = await readRegion(pipe, Region.INPUT_STATS, 2 * nIn);
  return { mean: Array.from(stats.subarray(0, nIn)), std: Array.from(stats.subarray(nIn)) };
}

async function hello(pipe: Pipeline): Promise<HelloReply> {
  pipe.resetSequence();
  pipe.sessionActive = false;
  const h = await pipe.ask(Type.HELLO, encodeHello(), (f) => decodeHelloReply(replyPayload(f, Type.HELLO)));
  pipe.sessionActive = true;
  pipe.takeReboot();
  return h;
}

/** The configuration block the board holds: region CONFIG, cut to its version's length. */
async function readConfigBlock(pipe: Pipeline): Promise<Uint8Array> {
  let words: Uint8Array;
  try {
    words = await pipe.ask(Type.GET_WEIGHTS, encodeGetConfigBlock(), (f) => decodeConfigBlockReply(replyPayload(f, Type.GET_WEIGHTS)));
  } catch (err) {
    if (err instanceof BoardError && err.status === Status.BAD_RANGE) {
      throw new LinkError("the board's module cannot read its configuration back (GET_WEIGHTS region CONFIG answered BAD_RANGE): " +
        "it is older than this host; flash the board with this version's module");
    }
    throw err;
  }
  const bytes = CONFIG_BYTES_OF_VERSION[words[ConfigOffset.VERSION]];
  return bytes !== undefined && bytes < words.length ? words.slice(0, bytes) : words;
}

/** The model a block from the board describes: one that breaks the schema is the board's fault, said so. */
function checkedModel(block: Uint8Array): ModelConfig {
  try {
    return modelOfBlock(block);
  } catch (err) {
    if (err instanceof MalformedMessageError) throw new LinkError(`the board's configuration block does not describe a model: ${err.message}`);
    throw err;
  }
}

/** The model the board on `link` holds; rejects with a LinkError (no model, an older module, no answer). */
export async function pullModel(link: ByteLink, o: PipelineOptions = {}): Promise<PulledModel> {
  const pipe = new Pipeline(link, o);
  for (let attempt = 1; attempt <= MAX_PULL_ATTEMPTS; attempt++) {
    try {
      const before = await hello(pipe);
      if (!before.configured) throw new LinkError("the board holds no model: nothing configured it since it booted");
      const block = await readConfigBlock(pipe);
      const model = checkedModel(block);
      const weights = await readRegion(pipe, Region.PARAMETERS, paramCount(model.sizes));
      const normalization = normalizes(block) ? await readInputStats(pipe, model.sizes[0]) : undefined;
      const after = await hello(pipe);
      if (after.bootId === before.bootId && after.step === before.step && after.rowsTrained === before.rowsTrained) {
        return { model, weights, block, step: after.step, bootId: after.bootId, buildId: after.buildId, normalization };
      }
      // It stepped (or restarted) meanwhile: the weights may mix two steps. Read again.
    } catch (err) {
      if (!(err instanceof RebootError)) throw err;
    }
  }
  throw new LinkError(`the board kept training (or restarting) while its weights were read, ${MAX_PULL_ATTEMPTS} times: pull again when it is idle`);
}
