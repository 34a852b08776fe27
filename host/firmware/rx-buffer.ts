// The board's UART receive buffer for a model: it must hold every frame the
// host has in flight while the board computes (docs/boards.md "UART receive
// buffer"), i.e. the pipeline's window times the largest encoded BATCH frame
// the plan admits (the module's own rx buffer, plan.ts).
import { encodedFrameBytes, rxPayloadBytes } from "../model/plan.js";
import type { RunConfig } from "../model/config.js";

/** Requests the host keeps in flight (protocol/pipeline.ts's default window). */
export const HOST_WINDOW = 4;

export function rxBufferBytes(run: Pick<RunConfig, "sizes" | "loss" | "chunk">, window = HOST_WINDOW): number {
  return window * encodedFrameBytes(rxPayloadBytes(run));
}
