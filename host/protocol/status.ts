// The engine's status codes (assembly/status.ts) and what they mean to a user.
export const Status = {
  OK: 0, BAD_CONFIG: 1, TOO_BIG: 2, NOT_CONFIGURED: 3, BAD_ROWS: 4, BAD_RANGE: 5,
  BAD_LABEL: 6, BAD_FRAME: 7, OUT_OF_ORDER: 8, NON_FINITE: 9, TRAP: 10, LOAD_FAILED: 11,
  NO_SESSION: 12,
} as const;

const NAMES: Record<number, string> = {
  0: "ok", 1: "bad configuration", 2: "model does not fit the board's memory",
  3: "board not configured", 4: "bad row count", 5: "weights range outside the model",
  6: "class label out of range", 7: "malformed frame", 8: "frame out of order",
  9: "loss or gradient is not finite", 10: "the module trapped", 11: "the module failed to load",
  12: "no session (the board restarted)",
};

export function statusName(code: number): string {
  return NAMES[code] ?? `status ${code}`;
}

/** A refusal from the board (or the in-process engine), with its status code. */
export class BoardError extends Error {
  constructor(readonly status: number, message: string, readonly detail = -1) {
    super(message);
  }
}
