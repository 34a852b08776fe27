// Defect 1 of issue 15: a function wasm3 cannot compile must be a clean load
// failure, not a crash. Left to wasm3's lazy compile, the failure happened
// inside the first training call, after op_Compile had rewritten the call
// site, and the next pass jumped into the function struct (SEGV under
// AddressSanitizer; a Guru Meditation reset on a board). The engine now
// compiles the whole module at load. Reproduced with a wasm3 whose
// stack-height limit the module's functions overrun (EDGEPROP_M3_LOW_HEIGHT_*).
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { asanWorks, buildBoard, lowHeightBuild, SKIP_LOW } from "./wasm3-builds";
import { errorFramesIn, ERR_LOAD_FAILED } from "./error-frames";
import { runCli } from "../helpers/cli";
import { rmDir, tmpDir, wasmPath } from "../helpers/paths";

const work = tmpDir("edgeprop-w3-compile-");
afterAll(() => rmDir(work));

describe.skipIf(!lowHeightBuild)(`a wasm3 that cannot compile the module ${SKIP_LOW ? `(skipped: ${SKIP_LOW})` : ""}`, () => {
  const asan = lowHeightBuild ? asanWorks(path.join(work, "asan")) : false;
  const board = () => buildBoard(lowHeightBuild!, lowHeightBuild!.lib, lowHeightBuild!.cflags, path.join(work, "board"),
    asan ? "-fsanitize=address -fno-omit-frame-pointer -g" : "");
  let bin = "";

  it(`the board says "load failed: compile: ..." with a LOAD_FAILED frame and exits cleanly${asan ? " (under AddressSanitizer)" : ""}`, () => {
    bin = board();
    const r = spawnSync(bin, [wasmPath, "--memory-limit", "49152", "--stack", "8192"], { input: "" });
    const out = Buffer.from(r.stdout);
    expect(r.signal).toBeNull();
    expect(r.status).toBe(1);
    expect(out.toString("latin1")).toMatch(/^edgeprop: load failed: compile: [^\r\n]*stack height[^\r\n]*\r\n\x00/);
    const frames = errorFramesIn(out);
    expect(frames).toHaveLength(1);
    expect(frames[0].code).toBe(ERR_LOAD_FAILED);
    expect(frames[0].message).toMatch(/^compile: .*stack height/);
    expect(r.stderr.toString()).not.toMatch(/AddressSanitizer|SEGV/);
  }, 120_000);

  it("keeps serving: every frame that arrives afterwards is answered with the load error", () => {
    // Two frames (any bytes up to a delimiter), an empty one between them that is not a frame.
    const input = Buffer.from([0x02, 0x01, 0x00, 0x00, 0x03, 0x05, 0x07, 0x00]);
    const r = spawnSync(bin, [wasmPath, "--memory-limit", "49152", "--stack", "8192"], { input });
    expect(r.signal).toBeNull();
    const frames = errorFramesIn(Buffer.from(r.stdout));
    expect(frames.map((f) => f.code)).toEqual([ERR_LOAD_FAILED, ERR_LOAD_FAILED, ERR_LOAD_FAILED]);
    for (const f of frames) expect(f.message).toMatch(/^compile: .*stack height/);
  }, 120_000);

  it("a training run against it ends with the load error at once (exit 4), not a crash and not a retransmission loop", () => {
    const r = runCli(["sim", "--dataset", "xor", "--layers", "2,8,1", "--loss", "bce", "--epochs", "2", "--quiet",
      "--engine", `exec:${bin} ${wasmPath}`]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/the board cannot run the module: load failed: compile: compiling function overran its stack height limit/);
    expect(r.stderr).not.toMatch(/stopped answering|no reply to request/);
    expect(r.stderr).not.toMatch(/AddressSanitizer|SEGV|signal/);
  }, 120_000);
});
