// What must hold for any board output of an extreme session (extreme-session.ts).
import { expect } from "vitest";
import { computePlan } from "../../host/model/plan";
import { dv, T } from "../protocol/support";
import { splitBoardOutput } from "./board-output";
import { exactPlanTotal, type Session } from "./extreme-session";
import type { Run } from "./engines";
import { MIN_RX_PAYLOAD, TX_PAYLOAD } from "../../host/model/plan";

const S_OK = 0;
const S_TOO_BIG = 2;
const HELLO_MEMORY_LIMIT = 12; // HELLO reply (assembly/protocol/payload.ts)
const CONFIGURE_TOTAL = 28;
const STORE_HELD = 4; // STORE reply
const STORE_CAPACITY = 8;
const TRAIN_STORE_ROWS = 8; // TRAIN_STORE request
const BATCH_REPLY_ROWS = 2;

export interface SessionSummary {
  accepted: number; refused: number; replies: number;
  /** STORE frames taken, and TRAIN_STORE steps that trained (the rest were refused). */
  stored: number; storedSteps: number;
}

/** Checks replies of a session in which every request executes; returns counts. */
export function checkSessionOutput(s: Session, run: Run, reactorStaticBytes: number, engine: string): SessionSummary {
  const staticBytes = run.staticBytes ?? reactorStaticBytes;
  const o = splitBoardOutput(run.out);
  expect(o.junk, `${engine}: pieces of output that are not frames`).toEqual([]);
  expect(o.reports, `${engine}: the pump reported traps`).toEqual([]);
  expect(o.banners.length, `${engine}: one banner (no restart)`).toBe(1);
  if (o.frames.length !== s.requests.length) {
    const i = o.frames.findIndex((f, k) => f.seq !== s.requests[k]?.seq);
    const f = o.frames[i];
    throw new Error(`${engine}: ${o.frames.length} replies to ${s.requests.length} requests; the first stray (#${i}) ` +
      `type 0x${f?.type.toString(16)} seq ${f?.seq} payload ${Buffer.from(f?.payload ?? []).toString("hex").slice(0, 40)}, ` +
      `request there type 0x${s.requests[i]?.type.toString(16)} seq ${s.requests[i]?.seq}`);
  }
  let limit = 0, accepted = 0, refused = 0, stored = 0, storedSteps = 0;
  let config: Session["configs"] extends Map<number, infer C> ? C | null : never = null;
  o.frames.forEach((f, i) => {
    const q = s.requests[i];
    expect(f.seq, `${engine}: reply ${i} seq`).toBe(q.seq);
    expect([q.type | T.REPLY, T.ERROR], `${engine}: reply ${i} to type ${q.type}`).toContain(f.type);
    if (f.type === (T.HELLO | T.REPLY)) limit = dv(f.payload).getUint32(HELLO_MEMORY_LIMIT, true);
    if (f.type === (T.STORE | T.REPLY)) {
      // Only a configured store takes rows; it never holds more than the capacity configured.
      stored++;
      expect(f.payload.length, `${engine}: STORE reply ${i}`).toBe(12);
      const held = dv(f.payload).getUint32(STORE_HELD, true), capacity = dv(f.payload).getUint32(STORE_CAPACITY, true);
      expect(capacity, `${engine}: STORE reply ${i} capacity`).toBe(config?.storeRows ?? -1);
      expect(held, `${engine}: STORE reply ${i} held`).toBeLessThanOrEqual(capacity);
    }
    if (f.type === (T.TRAIN_STORE | T.REPLY)) {
      storedSteps++;
      expect(dv(f.payload).getUint16(BATCH_REPLY_ROWS, true), `${engine}: TRAIN_STORE reply ${i} rows`).toBe(dv(q.payload).getUint32(TRAIN_STORE_ROWS, true));
    }
    if (f.type !== (T.CONFIGURE | T.REPLY)) return;
    const c = s.configs.get(q.seq)!;
    config = f.payload[0] === S_OK ? c : null;
    const exact = exactPlanTotal(c, staticBytes, TX_PAYLOAD, MIN_RX_PAYLOAD);
    const status = f.payload[0];
    const what = `${engine}: CONFIGURE ${JSON.stringify({ sizes: c.sizes, chunk: c.chunk, loss: c.loss, opt: c.optimizer.name })}`;
    expect(status, what).toBe(exact <= limit ? S_OK : S_TOO_BIG);
    if (status === S_OK) {
      accepted++;
      // Planned within memory, and the host's plan agrees with the module's.
      const total = dv(f.payload).getUint32(CONFIGURE_TOTAL, true);
      expect(total, what).toBe(exact);
      expect(computePlan(c, staticBytes).total_bytes, what).toBe(total);
    } else refused++;
  });
  expect(limit, `${engine}: HELLO gave the memory limit`).toBeGreaterThan(0);
  const last = o.frames[o.frames.length - 1];
  expect(last.type, `${engine}: the HELLO after it all is answered`).toBe(T.HELLO | T.REPLY);
  expect(last.seq).toBe(s.finalHelloSeq);
  if (run.memory) {
    expect(run.memory.canaryDamage, `${engine}: write past static data + plan (canary from ${run.memory.canaryFrom})`).toBe(-1);
    expect(run.memory.staticDamage, `${engine}: initialised static data changed`).toBe(-1);
    expect(run.memory.configBlockChanged, `${engine}: the config block is not the last CONFIGURE`).toBe(false);
  }
  return { accepted, refused, replies: o.frames.length, stored, storedSteps };
}
