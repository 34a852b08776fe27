// The coordinator's checkpoint (--checkpoint FILE): after every round the
// global model and the round it closed, written atomically; --resume FILE
// continues from the next round. The sampling is seeded by the round and the
// clients' shuffles by the round too, so a coordinator killed between rounds
// and resumed gives the uninterrupted run's model, whatever the optimizer: the
// clients start every round from a fresh optimizer (client.ts), so the global
// weights and the round number are all the state a fleet has.
import { writeFileAtomic } from "../files/atomic-write.js";
import { readInputText } from "../files/input-file.js";
import { UsageError } from "../errors.js";

export const FLEET_CHECKPOINT_FORMAT = "edgeprop-fleet-checkpoint";

export interface FleetCheckpoint {
  /** The model the weights are for (messages.ts modelVersionOf). */
  modelVersion: number;
  /** The last round closed. */
  round: number;
  weights: Float32Array;
}

export function writeFleetCheckpoint(file: string, c: FleetCheckpoint): void {
  const bytes = new Uint8Array(c.weights.buffer, c.weights.byteOffset, c.weights.byteLength);
  writeFileAtomic(file, JSON.stringify({
    format: FLEET_CHECKPOINT_FORMAT, version: 1, model_version: c.modelVersion, round: c.round,
    weights_f32_base64: Buffer.from(bytes).toString("base64"),
  }) + "\n");
}

/** The checkpoint in `file`, checked against the fleet's model (version and weight count). */
export function readFleetCheckpoint(file: string, modelVersion: number, weightCount: number): FleetCheckpoint {
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(readInputText(file)) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${file}: not a fleet checkpoint (not JSON)`);
  }
  if (j.format !== FLEET_CHECKPOINT_FORMAT || j.version !== 1) throw new UsageError(`${file}: not a fleet checkpoint (format ${String(j.format)})`);
  if (j.model_version !== modelVersion) throw new UsageError(`${file}: a checkpoint of another model (its layers, activations or loss differ)`);
  const round = j.round;
  if (typeof round !== "number" || !Number.isInteger(round) || round < 0) throw new UsageError(`${file}: round ${String(round)} is not a round number`);
  const bytes = Buffer.from(String(j.weights_f32_base64 ?? ""), "base64");
  if (bytes.length !== 4 * weightCount) throw new UsageError(`${file}: ${bytes.length / 4} weights, the model has ${weightCount}`);
  const weights = new Float32Array(weightCount);
  new Uint8Array(weights.buffer).set(bytes);
  if (!weights.every(Number.isFinite)) throw new UsageError(`${file}: a weight is not finite`);
  return { modelVersion, round, weights };
}
