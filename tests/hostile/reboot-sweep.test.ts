// Issue 20, item 1: a reboot right after the host wrote state must never lose
// it with exit 0. The real POSIX pump behind a hostile board is rebooted
// (killed and started again: a new boot id, no session, nothing configured)
// right after its reply k, for EVERY k of a short `sim --load` run, a
// `--resume` from a checkpoint, a `push` (checked by a pull), a `--resident`
// run and a run with `--normalize`: each ends with `--link direct`'s bits
// (the same saved model file, byte for byte), or a non-zero exit; never
// another model with exit 0. (Before the fix, a reboot while the host pulled
// its snapshot after SET_WEIGHTS restored the previous snapshot: --load
// trained from CONFIGURE's random weights, push left the initial weights.)
import { describe, expect, it } from "vitest";
import { cpSync } from "node:fs";
import path from "node:path";
import { goldenDir } from "../helpers/paths";
import { HostileBoard } from "./hostile-board";
import { pumpForThisFile, bytesOf, endingOf, simDirect, simHostile, type Ending } from "./runs";
import { readModel } from "../../host/model/model-file";
import { pushModel } from "../../host/firmware/push";
import { pullModel } from "../../host/firmware/pull";
import { optimizerDefaults } from "../../host/model/config";

const CASE = path.join(goldenDir, "adam-amsgrad"); // xor, 64 rows, 2-8-1 tanh, bce
const LOADED = ["--data", path.join(CASE, "data.csv"), "--load", path.join(CASE, "init.json"), "--loss", "bce",
  "--opt", "adam", "--lr", "0.03", "--batch", "16"];
// A reboot is seen by its banner at once; the generous retries keep a loaded machine from ending a run.
const LINK = { timeoutMs: 100, retries: 8 };

const bench = pumpForThisFile("edgeprop-sweep-");

const hexOf = (w: Float32Array) => Buffer.from(w.buffer, w.byteOffset, w.byteLength).toString("hex");

/** One run through the hostile board, rebooted after reply `k` (null: never); what it ended with and what it left. */
interface Outcome {
  ending: Ending;
  /** The result to compare with the reference (a saved model file's bytes, a pulled model), when the run exited 0. */
  result: string | null;
  replies: number;
}

type Scenario = (tag: string, k: number | null) => Promise<Outcome>;

/** A sim run whose result is its --save file. */
function simScenario(argv: string[], prepare?: (tag: string) => string[], bannerLost = false): { run: Scenario; reference: () => Promise<string> } {
  const run: Scenario = async (tag, k) => {
    const save = path.join(bench.work, `${tag}.json`);
    const link = new HostileBoard([bench.pump], { rebootAfter: k === null ? [] : [k], bannerLost });
    const ending = await simHostile(link, [...argv, ...(prepare?.(tag) ?? []), "--save", save], LINK);
    return { ending, result: ending.code === 0 ? bytesOf(save).toString() : null, replies: link.replies };
  };
  const reference = async () => {
    const save = path.join(bench.work, `reference-${argv.length}-${Math.random().toString(36).slice(2)}.json`);
    const ending = await simDirect([...argv, ...(prepare?.("reference") ?? []), "--save", save]);
    expect(ending.error).toBeNull();
    return bytesOf(save).toString();
  };
  return { run, reference };
}

/**
 * Every reboot index of a scenario: a clean run's reply count first (its
 * result must be the reference), then one run per reply. Returns the
 * indices whose run ended with exit 0 and another result (the defect), and
 * those that ended non-zero.
 */
async function sweep(name: string, s: { run: Scenario; reference: () => Promise<string> }, expectLostAfterLast = false) {
  const reference = await s.reference();
  const clean = await s.run(`${name}-clean`, null);
  expect(clean.ending.error).toBeNull();
  expect(clean.result).toBe(reference);
  const wrong: string[] = [];
  const failed: string[] = [];
  for (let k = 0; k < clean.replies; k++) {
    const o = await s.run(`${name}-${k}`, k);
    if (o.ending.code !== 0) { failed.push(`${k}: exit ${o.ending.code} ${o.ending.error?.message}`); continue; }
    if (o.result === reference) continue;
    // After the last reply the command has ended: a board without storage then holds nothing (never another model).
    if (expectLostAfterLast && k === clean.replies - 1 && o.result === "no model") continue;
    wrong.push(`${k}: exit 0 with another result`);
  }
  return { replies: clean.replies, wrong, failed };
}

describe("a reboot right after any reply (the real POSIX pump behind a hostile board)", () => {
  it("sim --load: direct's model file for every reboot index", async () => {
    const r = await sweep("load", simScenario([...LOADED, "--epochs", "2"]));
    expect(r.replies).toBeGreaterThan(15);
    expect(r.wrong).toEqual([]);
    expect(r.failed).toEqual([]); // one restart is always survived
  }, 120_000);

  it("sim --load, the rebooted board's banner lost (seen only by NO_SESSION or HELLO's boot id): direct's model file for every reboot index", async () => {
    const r = await sweep("load-no-banner", simScenario([...LOADED, "--epochs", "2"], undefined, true));
    expect(r.wrong).toEqual([]);
    expect(r.failed).toEqual([]);
  }, 120_000);

  it("sim --normalize (input statistics, with --load): direct's model file for every reboot index", async () => {
    const r = await sweep("normalize", simScenario([...LOADED, "--epochs", "2", "--normalize"]));
    expect(r.wrong).toEqual([]);
    expect(r.failed).toEqual([]);
  }, 120_000);

  it("sim --resident (the sample store, with --load): direct's model file for every reboot index", async () => {
    const r = await sweep("resident", simScenario([...LOADED, "--epochs", "2", "--resident"]));
    expect(r.wrong).toEqual([]);
    expect(r.failed).toEqual([]);
  }, 120_000);

  it("sim --resume of a checkpoint (weights, optimizer state, step): direct's model file for every reboot index", async () => {
    const checkpoint = path.join(bench.work, "checkpoint");
    expect((await simDirect([...LOADED, "--epochs", "1", "--checkpoint", checkpoint, "--save", path.join(bench.work, "ck-model.json")])).error).toBeNull();
    // Each run resumes (and moves on) its own copy of the checkpoint.
    const copy = (tag: string) => {
      const dir = path.join(bench.work, `ck-${tag}`);
      cpSync(checkpoint, dir, { recursive: true });
      return ["--resume", dir, "--epochs", "3"];
    };
    const r = await sweep("resume", simScenario([], copy));
    expect(r.wrong).toEqual([]);
    expect(r.failed).toEqual([]);
  }, 120_000);

  it("push of a normalising model, checked by a pull: the pushed bits for every reboot index", async () => {
    const file = path.join(bench.work, "to-push.json");
    expect((await simDirect([...LOADED, "--epochs", "1", "--normalize", "--save", file])).error).toBeNull();
    const model = readModel(file);
    const reference = JSON.stringify({ w: hexOf(model.weights), n: model.normalization });
    const run: Scenario = async (_tag, k) => {
      const link = new HostileBoard([bench.pump], { rebootAfter: k === null ? [] : [k] });
      let err: unknown = null;
      let result: string | null = null;
      try {
        await pushModel(link, {
          run: { ...model, optimizer: { ...optimizerDefaults("sgd"), lr: 0.01 }, clipNorm: 0, init: "pytorch", seed: 1 },
          weights: model.weights, normalization: model.normalization,
        }, 8, LINK);
      } catch (e) {
        err = e;
      }
      const replies = link.replies;
      if (err === null) {
        // What the board holds now, as `edgeprop pull` reads it.
        try {
          const pulled = await pullModel(link, LINK);
          result = JSON.stringify({ w: hexOf(pulled.weights), n: pulled.normalization });
        } catch (e) {
          result = /holds no model/.test((e as Error).message) ? "no model" : `pull failed: ${(e as Error).message}`;
        }
      }
      await link.close();
      return { ending: endingOf(err), result, replies };
    };
    const r = await sweep("push", { run, reference: async () => reference }, true);
    expect(r.wrong).toEqual([]);
    expect(r.failed).toEqual([]);
  }, 120_000);
});
