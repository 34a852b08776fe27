import type { ChildProcess, StdioOptions } from "node:child_process";
export declare function spawnOrphanProof(cmd: string, args: string[], stdio?: StdioOptions, cwd?: string): ChildProcess;
