// A DirectBoard that records everything the module is asked to do that
// changes its weights (the CONFIGURE block, weights set, lrs, input
// statistics, every training job with its rows in the order they were sent
// and how many of its batches ran), so scripts/int16_reference.py can replay
// the run operation for operation and must end with the same bits.
import type { BatchResult, OptimizerState, TrainJob } from "../../host/boards/board";
import type { Plan } from "../../host/model/plan";
import { DirectBoard } from "../../host/boards/in-process";
import { wasmPath } from "./paths";

export type TraceEvent =
  | { op: "configure"; block: string }
  | { op: "weights"; w: number[] }
  | { op: "lr"; lr: number }
  | { op: "stats"; mean: number[]; std: number[] }
  | {
    op: "train"; x: number[]; t: number[]; rows: number; nIn: number; nT: number;
    batch: number; chunk: number; lrs?: number[]; batches: number;
  };

export class RecordingBoard extends DirectBoard {
  readonly events: TraceEvent[] = [];

  constructor(modulePath = wasmPath) { super(modulePath); }

  override async configure(block: Uint8Array): Promise<Plan> {
    const plan = await super.configure(block);
    this.events.push({ op: "configure", block: Buffer.from(block).toString("hex") });
    // The weights configure drew: recorded so the reference starts from them.
    this.events.push({ op: "weights", w: Array.from(await super.getWeights()) });
    return plan;
  }

  override async setWeights(w: Float32Array): Promise<void> {
    await super.setWeights(w);
    this.events.push({ op: "weights", w: Array.from(w) });
  }

  override async setLr(lr: number): Promise<void> {
    await super.setLr(lr);
    this.events.push({ op: "lr", lr });
  }

  override async setInputStats(mean: Float32Array, std: Float32Array): Promise<void> {
    await super.setInputStats(mean, std);
    this.events.push({ op: "stats", mean: Array.from(mean), std: Array.from(std) });
  }

  override async setOptimizerState(_s: OptimizerState): Promise<void> {
    throw new Error("RecordingBoard: a restored optimizer state is not part of a trace");
  }

  override async train(job: TrainJob): Promise<BatchResult[]> {
    const results = await super.train(job);
    this.events.push({
      op: "train", x: Array.from(job.x.subarray(0, job.rows * job.nIn)), t: Array.from(job.t.subarray(0, job.rows * job.nT)),
      rows: job.rows, nIn: job.nIn, nT: job.nT, batch: job.batch, chunk: job.chunk,
      lrs: job.lrs ? Array.from(job.lrs) : undefined, batches: results.length,
    });
    return results;
  }

  override async trainStored(): Promise<BatchResult[]> {
    throw new Error("RecordingBoard: training from the sample store is not part of a trace");
  }

  trace(): { events: TraceEvent[] } {
    return { events: this.events };
  }
}
