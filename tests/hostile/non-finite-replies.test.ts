// Issue 20, item 4 on the wire: a board whose replies carry non-finite numbers
// (NaN or infinity in the weights it reports, in a loss sum, in the gradient
// norms or in the outputs) ends the run in bounded time with exit 3 or 4, and
// a model file it leaves is loadable and finite: no `null` ever reaches a
// file. The real POSIX pump behind the hostile board; only the numbers of
// one reply kind are rewritten (with a valid COBS and CRC), so the host's own
// checks are all that stands between them and the model.
import { describe, expect, it } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { goldenDir } from "../helpers/paths";
import { HostileBoard, type ReplyRewrite } from "./hostile-board";
import { pumpForThisFile, simHostile, type Ending } from "./runs";
import { Type, type Frame } from "../../host/protocol/frame";
import { readModel } from "../../host/model/model-file";

const CASE = path.join(goldenDir, "adam-amsgrad"); // xor, 64 rows, 2-8-1 tanh, bce
const RUN = ["--data", path.join(CASE, "data.csv"), "--load", path.join(CASE, "init.json"), "--loss", "bce",
  "--opt", "adam", "--lr", "0.03", "--batch", "16", "--epochs", "2"];
const STREAMED = [...RUN, "--val-split", "0.25"];
const RESIDENT = [...RUN, "--resident"];
const LINK = { timeoutMs: 50, retries: 3 };
const HUNG_MS = 30_000;

/** Offsets of the numbers in each reply (docs/protocol.md §4). */
const LOSS_SUM = 8; // f64 in BATCH, EVAL and TRAIN_STORE replies
const GRAD_NORMS = 24; // f32 x layers in BATCH and TRAIN_STORE replies
const VALUES = 8; // f32 x count in GET_WEIGHTS replies; f32 outputs in EVAL replies from 16
const OUTPUTS = 16;

type Poison = { what: string; kind: number; argv: string[]; at: (f: Frame) => [offset: number, width: 4 | 8][] };

function f32s(from: number): (f: Frame) => [number, 4 | 8][] {
  return (f) => Array.from({ length: Math.floor((f.payload.length - from) / 4) }, (_, i) => [from + 4 * i, 4] as [number, 4]);
}

const POISONS: Poison[] = [
  { what: "GET_WEIGHTS values", kind: Type.GET_WEIGHTS, argv: STREAMED, at: f32s(VALUES) },
  { what: "BATCH loss sum", kind: Type.BATCH, argv: STREAMED, at: () => [[LOSS_SUM, 8]] },
  { what: "BATCH gradient norms", kind: Type.BATCH, argv: STREAMED, at: f32s(GRAD_NORMS) },
  { what: "EVAL loss sum", kind: Type.EVAL, argv: STREAMED, at: () => [[LOSS_SUM, 8]] },
  { what: "EVAL outputs", kind: Type.EVAL, argv: STREAMED, at: f32s(OUTPUTS) },
  { what: "TRAIN_STORE loss sum", kind: Type.TRAIN_STORE, argv: RESIDENT, at: () => [[LOSS_SUM, 8]] },
  { what: "TRAIN_STORE gradient norms", kind: Type.TRAIN_STORE, argv: RESIDENT, at: f32s(GRAD_NORMS) },
];

/** Every OK reply of `kind` with the numbers at `at` set to `value`. */
function poison(kind: number, at: Poison["at"], value: number): ReplyRewrite {
  return (f) => {
    if (f.type !== (kind | Type.REPLY) || f.payload[0] !== 0) return [f];
    const payload = f.payload.slice();
    const v = new DataView(payload.buffer);
    for (const [offset, width] of at(f)) {
      if (width === 8) v.setFloat64(offset, value, true); else v.setFloat32(offset, value, true);
    }
    return [{ ...f, payload }];
  };
}

const bench = pumpForThisFile("edgeprop-non-finite-replies-");

describe("a board whose replies of one kind carry non-finite numbers", () => {
  for (const p of POISONS) {
    it(`${p.what}: exit 3 or 4 in bounded time, a saved model loadable and finite`, async () => {
      const bad: string[] = [];
      for (const [name, value] of [["NaN", NaN], ["Infinity", Infinity], ["-Infinity", -Infinity]] as const) {
        const save = path.join(bench.work, `${p.what.replace(/ /g, "-")}-${name}.json`);
        const link = new HostileBoard([bench.pump], { rewrite: poison(p.kind, p.at, value) });
        const hung = new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), HUNG_MS).unref());
        const e: Ending | "hung" = await Promise.race([simHostile(link, [...p.argv, "--save", save], LINK), hung]);
        await link.close();
        if (e === "hung") { bad.push(`${name}: still running after ${HUNG_MS / 1000} s`); continue; }
        if (link.rewrites === 0) bad.push(`${name}: no ${p.what} was sent`);
        if (e.code !== 3 && e.code !== 4) bad.push(`${name}: exit ${e.code} (${e.error?.message ?? "no error"})`);
        if (existsSync(save)) {
          const text = readFileSync(save, "utf8");
          if (text.includes("null")) bad.push(`${name}: ${save} holds null`);
          else if (!readModel(save).weights.every(Number.isFinite)) bad.push(`${name}: ${save} holds a non-finite weight`);
        }
      }
      expect(bad).toEqual([]);
    }, 240_000);
  }
});
