// What a board should hold, as the host knows it: the configuration block it
// sent, and every write since (weights, optimizer state, input statistics,
// learning rate, the sample store's uploads), each recorded before it is
// sent, and the weights and optimizer state pulled after every epoch. After a
// reboot the protocol board restores exactly this (docs/protocol.md §3.5), so
// a restart at any moment brings back the latest state, never an older one.
import type { OptimizerState } from "../boards/board.js";

/** Rows sent to the sample store, kept to fill it again after a reboot (the store does not survive one). */
export interface StoredPiece {
  x: Float32Array;
  t: Float32Array;
  rows: number;
  clear: boolean;
}

export interface HeldState {
  /** The configuration block of the last CONFIGURE the board accepted. */
  readonly block: Uint8Array;
  /** The parameters (region 0); null: as CONFIGURE initialised them (a CONFIGURE again gives the same, it is seeded). */
  weights: Float32Array | null;
  /** The optimizer state (region 1) and step count; null: as CONFIGURE left them (step 0). */
  opt: OptimizerState | null;
  /** The input statistics, mean then std (region 2); null: the board's own 0 / 1. */
  inputStats: Float32Array | null;
  /** The learning rate last set; NaN: the configuration block's. */
  lr: number;
  /** What filled the sample store since its last CLEAR, in order. */
  storedPieces: StoredPiece[];
}

/** What a board holds right after CONFIGURE of `block`: nothing written yet. */
export function freshState(block: Uint8Array): HeldState {
  return { block: block.slice(), weights: null, opt: null, inputStats: null, lr: NaN, storedPieces: [] };
}
