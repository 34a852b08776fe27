// Types of launch.mjs, for the TypeScript host and tests.
import type { ChildProcess } from "node:child_process";
export declare const ISAS: readonly ["rv32imc", "rv32imfc", "lx106"];
export declare const ENGINES: readonly ["wasm2c", "wasm3"];
export type Isa = (typeof ISAS)[number];
export type Engine = (typeof ENGINES)[number];

export interface BuildOptions {
  isa?: Isa;
  engine?: Engine;
  profile?: string;
  obj?: string;
  wasm?: string;
  m3Include?: string;
  m3Lib?: string;
  m3Flags?: string;
  /** An Arduino sketch (.ino) on the training API, built instead of the plain pump. */
  sketch?: string;
  /** The firmware's RAM in bytes instead of the profile's. */
  ramBytes?: number;
}

/** The firmware's idle line, parsed (boards/qemu/stats_line.h). */
export interface BoardStats {
  engine: string;
  isa: string;
  instructions: number;
  poll_instructions: number;
  load_instructions: number;
  heap_peak: number;
  heap_limit: number;
  stack_peak: number;
  stack_limit: number;
  ram: number;
  watchdog_feeds: number;
  watchdog_feeds_one_call: number;
  traps: number;
  rx_bytes: number;
  [field: string]: string | number;
}

export interface EmulatedBoard {
  path: string;
  /** QEMU itself (it dies with this process, even on kill -9). */
  qemu: ChildProcess;
  log: string;
  firmware: string;
  lines(): string[];
  statsCount(): number;
  waitForStats(o?: { after?: number; rxBytes?: number; timeoutMs?: number }): Promise<BoardStats>;
  banners(): string[];
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export declare function missingTools(isa?: Isa): string[];
export declare function buildFirmware(o?: BuildOptions): string;
export declare function parseStatsLine(line: string): BoardStats;
export declare function startEmulatedBoard(o?: BuildOptions & { elf?: string; icount?: boolean; bootTimeoutMs?: number }): Promise<EmulatedBoard>;
