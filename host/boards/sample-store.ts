// The host's side of the board's sample store (assembly/store.ts): what a
// configuration block asks for, and the numbers a refusal must state.
import { storeBytes, type Plan } from "../model/plan.js";
import type { ModelWidths } from "../model/config.js";
import type { ConfigureReply } from "../protocol/codec.js";
import type { ConfigShape } from "../protocol/config-block.js";
import { MalformedMessageError } from "../protocol/message-error.js";
import { configStoreRows } from "../protocol/config-block.js";
import { BoardError, Status } from "../protocol/status.js";

/** A TOO_BIG refusal of a plan with a store says how much of it the store is. */
export function withStoreNumbers(err: BoardError, plan: Plan, block: Uint8Array): BoardError {
  const rows = configStoreRows(block);
  if (err.status !== Status.TOO_BIG || rows === 0) return err;
  return new BoardError(err.status, `${err.message} (the sample store of ${rows} rows takes ${plan.store_bytes} of them)`, err.detail);
}

/** The refusal of store requests to a model configured without a store. */
export function noStoreError(): BoardError {
  return new BoardError(Status.BAD_RANGE, "the model was configured without a sample store (RunConfig.storeRows 0)");
}

/** An accepted CONFIGURE_REPLY must plan exactly the store the block asked for. */
export function checkStorePlan(r: ConfigureReply, shape: ConfigShape, storeRows: number): ConfigureReply {
  const want = storeBytes({ sizes: shape.sizes, loss: shape.loss, storeRows });
  if (r.status === Status.OK && r.plan.store_bytes !== want) {
    throw new MalformedMessageError(`CONFIGURE_REPLY: a sample store of ${r.plan.store_bytes} bytes, ${storeRows} rows of this model take ${want}`);
  }
  return r;
}

/** Rows handed to the store must have the configured model's widths. */
export function checkStoredRowWidths(w: ModelWidths, nIn: number, nT: number): void {
  if (nIn !== w.inputs || nT !== w.targets) {
    throw new BoardError(Status.BAD_RANGE, `stored rows need ${w.inputs} inputs and ${w.targets} targets, got ${nIn} and ${nT}`);
  }
}
