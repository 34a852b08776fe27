// Issue 14, items 1-2, as a property: CONFIGURE with extreme sizes and chunks
// (u16 maxima, products near 2^32, wide activations with large chunks), each
// followed by SET/GET_WEIGHTS at extreme offsets, BATCH/EVAL with extreme row
// counts and non-finite SET_LR, STORE and TRAIN_STORE at their edges on sample
// stores of extreme capacities, on every engine. Each CONFIGURE is refused
// (TOO_BIG) or planned within memory with the exact plan the host computes;
// nothing is written past static data + plan; every reply is a well-formed
// frame answering its request; the HELLO after it all is answered.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import path from "node:path";
import { instantiate } from "../../host/boards/engine";
import { rmDir, tmpDir, repoRoot } from "../helpers/paths";
import { extremeSession } from "./extreme-session";
import { runBoardProcess, runReactor, runWasi } from "./engines";
import { checkSessionOutput } from "./session-checks";
import { wasm3Board, WASM3_SKIP_REASON } from "./wasm3";

const has = (tool: string) => spawnSync("sh", ["-c", `command -v ${tool}`]).status === 0;
const HAS_WASM2C = has("wasm2c") && has("make") && has("cc");
const session = extremeSession();
const staticBytes = instantiate().static_bytes();
let dir = "";
beforeAll(() => { dir = tmpDir("edgeprop-hostile-"); });
afterAll(() => { if (dir) rmDir(dir); });

describe("extreme CONFIGUREs and offsets", () => {
  it("the session covers both outcomes and thousands of hostile requests", () => {
    const r = checkSessionOutput(session, runReactor(session.bytes, session.requests), staticBytes, "reactor");
    expect(r.accepted).toBeGreaterThanOrEqual(4);
    expect(r.refused).toBeGreaterThanOrEqual(10);
    expect(r.replies).toBeGreaterThan(5000);
    // The sample store's frames were taken and trained on, not only refused.
    expect(r.stored).toBeGreaterThanOrEqual(3);
    expect(r.storedSteps).toBeGreaterThanOrEqual(3);
  });

  it("reactor under a small memory limit (an ESP32's 48 KiB)", () => {
    checkSessionOutput(session, runReactor(session.bytes, session.requests, 49152), staticBytes, "reactor 48 KiB");
  });

  it("WASI command under node:wasi", async () => {
    const run = await runWasi(session.bytes, session.requests, dir);
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    checkSessionOutput(session, run, staticBytes, "wasi");
  });

  it.skipIf(!HAS_WASM2C)("wasm2c pump (boards/posix, ENGINE=wasm2c)", async () => {
    execFileSync("make", ["-s", "-C", path.join(repoRoot, "boards", "posix"), "ENGINE=wasm2c"], { stdio: "pipe" });
    const run = await runBoardProcess(path.join(repoRoot, "boards", "posix", "edgeprop-board"), [], session.bytes, session.finalHelloSeq);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).not.toMatch(/trap/);
    checkSessionOutput(session, run, staticBytes, "wasm2c");
  }, 120000);

  it.skipIf(WASM3_SKIP_REASON !== "")(`wasm3 pump ${WASM3_SKIP_REASON}`, async () => {
    const bin = wasm3Board(dir);
    const run = await runBoardProcess(bin, [path.join(repoRoot, "build", "edgeprop.wasm")], session.bytes, session.finalHelloSeq);
    expect(run.exitCode).toBe(0);
    checkSessionOutput(session, run, staticBytes, "wasm3");
  }, 120000);
});
