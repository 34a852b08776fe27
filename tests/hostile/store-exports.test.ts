// The sample store's direct exports (the in-process link and a firmware's own
// training calls use them) under hostile arguments, as a property: random
// capacities, rows written and committed past the capacity, and store_train
// with extreme positions, counts, epochs and flags, configured or not. No call
// traps; nothing is written past static data + the plan; a refused step
// changes nothing (weights and step count as before); every accepted step
// reports the rows it was asked for.
import { describe, expect, it } from "vitest";
import { instantiate } from "../../host/boards/engine";
import { computePlan } from "../../host/model/plan";
import { encodeConfig } from "../../host/protocol/config-block";
import { fillCanary, firstCanaryDamage, runConfig } from "../helpers/engine";
import { wasmPath } from "../helpers/paths";
import { prng, randInt } from "../protocol/support";

const S = { OK: 0, NOT_CONFIGURED: 3, BAD_ROWS: 4, BAD_RANGE: 5, BAD_LABEL: 6, NON_FINITE: 9 };
const EXTREME_U32 = [0, 1, 2, 3, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

describe("sample-store exports under hostile arguments", () => {
  it("never trap, never write past the plan, refuse without side effects", () => {
    const r = prng(13);
    const pick = (a: number[]) => a[randInt(r, a.length)];
    let trained = 0, refused = 0;
    for (let round = 0; round < 60; round++) {
      const e = instantiate(wasmPath);
      const loss = (["mse", "ce", "bce"] as const)[randInt(r, 3)];
      const sizes = [1 + randInt(r, 5), 2 + randInt(r, 4)];
      const storeRows = r() < 0.2 ? pick(EXTREME_U32) : randInt(r, 12);
      const run = { ...runConfig({ sizes, act: "relu", loss, opt: r() < 0.5 ? "adam" : "sgd", chunk: 1 + randInt(r, 4) }), storeRows };
      const block = encodeConfig(run);
      // Before any configure: nothing to train, nothing to write.
      expect(e.store_train(0, 1, 0, 1, 1, 0, 0)).toBe(S.NOT_CONFIGURED);
      expect(e.store_row_ptr()).toBe(0);
      new Uint8Array(e.memory.buffer, e.config_ptr(), block.length).set(block);
      const status = e.configure();
      const plan = computePlan(run, e.static_bytes());
      if (status !== S.OK) { expect(plan.total_bytes).toBeGreaterThan(e.memory_limit()); continue; }
      expect(e.plan_store()).toBe(plan.store_bytes);
      const end = plan.total_bytes;
      fillCanary(e.memory, end);
      const nRow = sizes[0] + (loss === "ce" ? 1 : sizes[1]);
      expect(e.store_capacity()).toBe(storeRows);
      const writes = randInt(r, 3 * Math.min(storeRows, 8) + 2);
      for (let w = 0; w < writes; w++) {
        const p = e.store_row_ptr();
        if (storeRows === 0) { expect(p).toBe(0); e.store_commit_row(); continue; }
        expect(p + 4 * nRow).toBeLessThanOrEqual(end);
        const row = new Float32Array(e.memory.buffer, p, nRow);
        for (let i = 0; i < nRow; i++) row[i] = loss === "ce" && i === sizes[0] ? randInt(r, sizes[1] + 1) : r() * 2 - 1;
        e.store_commit_row();
      }
      const held = e.store_held();
      expect(held).toBe(Math.min(storeRows, storeRows === 0 ? 0 : writes));
      for (let k = 0; k < 40; k++) {
        const first = r() < 0.5 ? randInt(r, held + 2) : pick(EXTREME_U32);
        const rows = r() < 0.5 ? 1 + randInt(r, held + 1) : pick(EXTREME_U32);
        const before = new Float32Array(e.memory.buffer, e.params_ptr(), e.param_count()).slice();
        const step = e.step_count();
        const s = e.store_train(first, rows, pick(EXTREME_U32), randInt(r, 2), randInt(r, 2), randInt(r, 2), pick(EXTREME_U32));
        if (e.store_refused()) {
          refused++;
          expect([S.BAD_ROWS, S.BAD_RANGE]).toContain(s);
          expect(new Float32Array(e.memory.buffer, e.params_ptr(), e.param_count())).toEqual(before);
          expect(e.step_count()).toBe(step);
        } else {
          trained++;
          expect([S.OK, S.BAD_LABEL, S.NON_FINITE]).toContain(s);
        }
        if (r() < 0.1) e.store_clear();
      }
      expect(firstCanaryDamage(e.memory, end), `write past the plan (${JSON.stringify({ sizes, loss, storeRows })})`).toBe(-1);
    }
    expect(trained).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
  });
});
