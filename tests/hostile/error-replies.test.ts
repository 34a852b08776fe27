// Issue 20, item 3: whatever a board sends, a run ends in bounded time. The
// real POSIX pump behind a hostile board that answers every request of one
// kind with an ERROR frame of one code (OUT_OF_ORDER naming that very
// request: before the fix the host resent it forever): for every kind the
// host sends and every status code, the run ends quickly (short --timeout)
// with exit 3 or 4, and a model file it leaves is a loadable one.
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { goldenDir } from "../helpers/paths";
import { HostileBoard, refuseKind } from "./hostile-board";
import { pumpForThisFile, simHostile, type Ending } from "./runs";
import { Status } from "../../host/protocol/status";
import { Type } from "../../host/protocol/frame";
import { readModel } from "../../host/model/model-file";

const CASE = path.join(goldenDir, "adam-amsgrad"); // xor, 64 rows, 2-8-1 tanh, bce
const RUN = ["--data", path.join(CASE, "data.csv"), "--load", path.join(CASE, "init.json"), "--loss", "bce",
  "--opt", "adam", "--lr", "0.03", "--batch", "16", "--epochs", "2"];
/** Streamed with validation (EVAL) and input statistics; resident for STORE and TRAIN_STORE. */
const STREAMED = [...RUN, "--normalize", "--val-split", "0.25"];
const RESIDENT = [...RUN, "--resident"];
const LINK = { timeoutMs: 50, retries: 3 };
/** Far beyond what any of these runs needs (well under a second each): past it, the run is hung. */
const HUNG_MS = 30_000;

const KINDS: [string, number, string[]][] = [
  ["HELLO", Type.HELLO, STREAMED], ["CONFIGURE", Type.CONFIGURE, STREAMED], ["SET_WEIGHTS", Type.SET_WEIGHTS, STREAMED],
  ["GET_WEIGHTS", Type.GET_WEIGHTS, STREAMED], ["BATCH", Type.BATCH, STREAMED], ["EVAL", Type.EVAL, STREAMED],
  ["SET_LR", Type.SET_LR, STREAMED], ["STORE", Type.STORE, RESIDENT], ["TRAIN_STORE", Type.TRAIN_STORE, RESIDENT],
];

const bench = pumpForThisFile("edgeprop-refusals-");

describe("a board that answers every request of one kind with an ERROR of one code", () => {
  for (const [kind, type, argv] of KINDS) {
    it(`${kind}, every status code: exit 3 or 4 in bounded time, no unloadable model file`, async () => {
      const bad: string[] = [];
      for (const code of Object.values(Status)) {
        const save = path.join(bench.work, `${kind}-${code}.json`);
        const link = new HostileBoard([bench.pump], { rewrite: refuseKind(type, code) });
        const hung = new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), HUNG_MS).unref());
        const e: Ending | "hung" = await Promise.race([simHostile(link, [...argv, "--save", save], LINK), hung]);
        if (e === "hung") { await link.close(); bad.push(`${code}: still running after ${HUNG_MS / 1000} s`); continue; }
        if (link.rewrites === 0) bad.push(`${code}: no ${kind} was sent`);
        if (e.code !== 3 && e.code !== 4) bad.push(`${code}: exit ${e.code} (${e.error?.message ?? "no error"})`);
        if (existsSync(save)) {
          if (readFileSync(save, "utf8").includes("null")) bad.push(`${code}: ${save} holds null`);
          else readModel(save);
        }
      }
      expect(bad).toEqual([]);
    }, 240_000);
  }
});
