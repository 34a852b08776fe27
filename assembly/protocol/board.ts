// Placeholder until the protocol lands: the board side of the serial link.
import { initNetwork } from "../network";
import { rxBuf, rxCap, txBuf } from "../arena";

let started = false;
export function ensureStarted(): void {
  if (!started) { started = true; initNetwork(); }
}
export function boot(bootId: u32, memoryLimitBytes: i32): void { ensureStarted(); bootId; memoryLimitBytes; }
export function rx_buffer(): usize { ensureStarted(); return rxBuf; }
export function rx_capacity(): i32 { ensureStarted(); return rxCap; }
export function tx_buffer(): usize { return txBuf; }
export function rx(n: i32): i32 { ensureStarted(); n; return 0; }
