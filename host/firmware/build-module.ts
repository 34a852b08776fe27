// Builds the engine module for a board profile: its pages and MEMORY_LIMIT
// baked in, and the build id a board reports in HELLO. The compiler call
// itself lives in scripts/build.mjs, shared with `npm run build`.
import { buildModule as compile, buildId } from "../../scripts/build.mjs";

export interface BuildModuleOptions {
  pages: number;
  memoryLimit: number;
  /** Output .wasm path; a .wat is written beside it. */
  out: string;
  /** Show the compiler's output (default: only on failure). */
  verbose?: boolean;
}

export interface BuiltModule {
  bytes: Uint8Array;
  buildId: number;
}

export function moduleBuildId(pages: number, memoryLimit: number): number {
  return buildId(pages, memoryLimit);
}

export function buildModule({ pages, memoryLimit, out, verbose = false }: BuildModuleOptions): BuiltModule {
  return compile({ pages, memoryLimit, out, quiet: !verbose });
}
