// Defect 4 of issue 15: engine_wasm3.c sets runtime->memoryLimit through
// wasm3's M3Runtime, whose layout follows d_m3MaxFunctionStackHeight. With
// the library built with one value and the engine with another, the limit
// was silently not applied (a board got a full 64 KiB page it does not have).
// The engine now checks the layout through a field it can read both ways,
// and that the limit took, and refuses to run otherwise.
import { afterAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { buildBoard, lowHeightBuild, normalBuild, SKIP_LOW } from "./wasm3-builds";
import { errorFramesIn, ERR_LOAD_FAILED } from "./error-frames";
import { rmDir, tmpDir, wasmPath } from "../helpers/paths";

const work = tmpDir("edgeprop-w3-layout-");
afterAll(() => rmDir(work));

function expectRefused(bin: string) {
  const r = spawnSync(bin, [wasmPath, "--memory-limit", "49152", "--stack", "8192"], { input: "" });
  const out = Buffer.from(r.stdout);
  expect(r.signal).toBeNull();
  expect(r.status).toBe(1);
  expect(out.toString("latin1")).toMatch(/^edgeprop: load failed: wasm3 layout mismatch: [^\r\n]*d_m3\* flags[^\r\n]*\r\n\x00/);
  const frames = errorFramesIn(out);
  expect(frames.map((f) => f.code)).toEqual([ERR_LOAD_FAILED]);
  expect(frames[0].message).toMatch(/^wasm3 layout mismatch/);
}

describe.skipIf(!lowHeightBuild)(`an engine built with other d_m3* flags than libm3 ${SKIP_LOW ? `(skipped: ${SKIP_LOW})` : ""}`, () => {
  it("is refused at load: engine flags of the low-height build, library built normally", () => {
    expect(lowHeightBuild!.cflags).not.toBe(normalBuild!.cflags);
    expectRefused(buildBoard(normalBuild!, normalBuild!.lib, lowHeightBuild!.cflags, path.join(work, "a")));
  }, 120_000);

  it("is refused at load: engine flags of the normal build, library built with the low height", () => {
    expectRefused(buildBoard(normalBuild!, lowHeightBuild!.lib, normalBuild!.cflags, path.join(work, "b")));
  }, 120_000);

  it("with matching flags the same library gets past the check (and fails later, at compile)", () => {
    const bin = buildBoard(normalBuild!, lowHeightBuild!.lib, lowHeightBuild!.cflags, path.join(work, "c"));
    const r = spawnSync(bin, [wasmPath, "--memory-limit", "49152"], { input: "" });
    expect(Buffer.from(r.stdout).toString("latin1")).toMatch(/^edgeprop: load failed: compile: /);
  }, 120_000);
});
