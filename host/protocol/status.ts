// The engine's status codes (assembly/status.ts; the firmware's own ERROR
// frames use TRAP and LOAD_FAILED, boards/common/error_frame.h) and what each
// means to a user. host/protocol/status.test.ts holds the three in step.
import { LinkError } from "../errors.js";
export const Status = {
  OK: 0, BAD_CONFIG: 1, TOO_BIG: 2, NOT_CONFIGURED: 3, BAD_ROWS: 4, BAD_RANGE: 5,
  BAD_LABEL: 6, BAD_FRAME: 7, OUT_OF_ORDER: 8, NON_FINITE: 9, TRAP: 10, LOAD_FAILED: 11,
  NO_SESSION: 12, RANGE_COLLAPSED: 13,
} as const;

export type StatusName = keyof typeof Status;

const MEANINGS: Record<StatusName, string> = {
  OK: "ok", BAD_CONFIG: "bad configuration", TOO_BIG: "model does not fit the board's memory",
  NOT_CONFIGURED: "board not configured", BAD_ROWS: "bad row count", BAD_RANGE: "range outside the model's weights or sample store",
  BAD_LABEL: "class label out of range", BAD_FRAME: "malformed frame", OUT_OF_ORDER: "frame out of order",
  NON_FINITE: "the loss, a gradient or an updated weight is not finite", TRAP: "the module trapped", LOAD_FAILED: "the module failed to load",
  NO_SESSION: "no session (the board restarted)",
  RANGE_COLLAPSED: "int16: a layer's integer range left float32's (every value flushed to 0; docs/int16.md): nothing trained on the chunk",
};

const BY_CODE = new Map<number, string>(
  (Object.keys(Status) as StatusName[]).map((name) => [Status[name], MEANINGS[name]]),
);

export function statusName(code: number): string {
  return BY_CODE.get(code) ?? `status ${code}`;
}

/**
 * A refusal from the board (or the in-process engine), with its status code.
 * One the caller does not handle (push's NOT_CONFIGURED, a run's TOO_BIG) ends
 * the command as a link failure, exit 4: a board that refuses what a correct
 * host sends has failed, and the run keeps its last good model.
 */
export class BoardError extends LinkError {
  constructor(readonly status: number, message: string, readonly detail = -1) {
    super(message);
  }
}
