// Runs for the hostile-board tests, through the library as `edgeprop sim`
// and `push` run them (the same flags, trainOnBoard, pushModel), on the real
// POSIX pump behind a HostileBoard, and the pump built once per test file.
import { afterAll, beforeAll } from "vitest";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "../../host/cli/args";
import { SIM_OPTIONS } from "../../host/commands/sim";
import { runSpecOf } from "../../host/cli/run-options";
import { trainOnBoard, type Output } from "../../host/run/training-run";
import { ProtocolBoard } from "../../host/protocol/protocol-board";
import { DirectBoard } from "../../host/boards/in-process";
import type { Board } from "../../host/boards/board";
import type { PipelineOptions } from "../../host/protocol/pipeline";
import { repoRoot, rmDir, tmpDir, wasmPath } from "../helpers/paths";
import type { HostileBoard } from "./hostile-board";

/** Builds the firmware's pump for this PC (wasm2c) into `dir`; its path. */
export function buildPump(dir: string): string {
  const bin = path.join(dir, "edgeprop-board");
  execFileSync("make", ["-s", "-C", path.join(repoRoot, "boards", "posix"), "ENGINE=wasm2c", `OBJ=${path.join(dir, "obj")}`, `BIN=${bin}`], { stdio: "pipe" });
  return bin;
}

/**
 * A test file's work folder and the pump built into it (before its first
 * test; the folder removed after its last): read `.work` and `.pump` inside tests.
 */
export function pumpForThisFile(prefix: string): { readonly work: string; readonly pump: string } {
  const bench = { work: "", pump: "" };
  beforeAll(() => {
    bench.work = tmpDir(prefix);
    bench.pump = buildPump(bench.work);
  }, 300_000);
  afterAll(() => { if (bench.work) rmDir(bench.work); });
  return bench;
}

const silent: Output = { line: () => {}, json: () => {} };

/** How a command ends: its exit code as bin/edgeprop.js would return it (main.ts: the error's exitCode, else 1), and the error. */
export interface Ending {
  code: number;
  error: Error | null;
}

export function endingOf(err: unknown): Ending {
  if (err === null) return { code: 0, error: null };
  return { code: (err as { exitCode?: number }).exitCode ?? 1, error: err as Error };
}

/** `edgeprop sim ARGV` on `board` (hello first, as openSimulatedBoard does); the board is closed after. */
export async function simOn(board: Board, argv: string[]): Promise<Ending> {
  let err: unknown = null;
  try {
    const spec = runSpecOf(parseArgs([...argv, "--json"], SIM_OPTIONS, "sim"));
    await board.hello();
    await trainOnBoard(board, spec, silent);
  } catch (e) {
    err = e;
  } finally {
    await board.close();
  }
  return endingOf(err);
}

/** `sim ARGV --link direct`, the reference. */
export function simDirect(argv: string[]): Promise<Ending> {
  return simOn(new DirectBoard(wasmPath), argv);
}

/** `sim ARGV` through the hostile board. */
export function simHostile(link: HostileBoard, argv: string[], o: PipelineOptions): Promise<Ending> {
  return simOn(new ProtocolBoard(link, o), argv);
}

export const bytesOf = (file: string) => readFileSync(file);
