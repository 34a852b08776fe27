// Reads a whole region of the module (parameters, optimizer state, input
// statistics, configuration) through the pipeline: GET_WEIGHTS requests of
// as many floats as one reply carries, each reply checked against its range.
import type { Pipeline, Request } from "./pipeline.js";
import { Type } from "./frame.js";
import { TX_PAYLOAD } from "../model/plan.js";
import { WeightsOffset, decodeGetWeightsReply, encodeGetWeights, replyPayload, type WeightsRange } from "./codec.js";

export async function readRegion(pipe: Pipeline, region: number, count: number): Promise<Float32Array> {
  const per = Math.floor((TX_PAYLOAD - WeightsOffset.VALUES) / 4);
  const out = new Float32Array(count);
  if (count === 0) return out;
  const reqs: Request[] = [];
  const ranges: WeightsRange[] = [];
  for (let offset = 0; offset < count; offset += per) {
    const range = { region, offset, count: Math.min(per, count - offset) };
    reqs.push({ type: Type.GET_WEIGHTS, payload: encodeGetWeights(range) });
    ranges.push(range);
  }
  await pipe.send(reqs, (i, f) => {
    const r = decodeGetWeightsReply(replyPayload(f, Type.GET_WEIGHTS), ranges[i]);
    out.set(r.values, r.offset);
  });
  return out;
}
